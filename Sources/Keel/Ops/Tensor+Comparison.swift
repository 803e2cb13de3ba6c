/// Element-wise comparisons with broadcasting, giving 1 where true and 0 where false (for metrics and
/// masks; no gradient).
extension Tensor {
    public func equal(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, EqualFunction.self, op: "equal") }
    public func notEqual(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, NotEqualFunction.self, op: "notEqual") }
    public func greater(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, GreaterFunction.self, op: "greater") }
    public func greaterEqual(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, GreaterEqualFunction.self, op: "greaterEqual") }
    public func less(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, LessFunction.self, op: "less") }
    public func lessEqual(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, LessEqualFunction.self, op: "lessEqual") }

    /// Whether both tensors have the same shape and every pair of elements is within
    /// `absoluteTolerance + relativeTolerance·|other|` (NumPy's allclose).
    public func isClose(to other: Tensor, relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6) -> Bool {
        guard shape == other.shape else { return false }
        let a = storage.pointer
        let b = other.storage.pointer
        for i in 0..<count {
            if a[i].isNaN || b[i].isNaN { return false }
            if Swift.abs(a[i] - b[i]) > absoluteTolerance + relativeTolerance * Swift.abs(b[i]) { return false }
        }
        return true
    }
}
