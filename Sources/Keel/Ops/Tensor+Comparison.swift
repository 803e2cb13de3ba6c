/// Element-wise comparisons with broadcasting, giving 1 where true and 0 where false (for metrics and
/// masks; no gradient).
extension Tensor {
    /// 1 where self == other, else 0 (broadcast; no gradient).
    public func equal(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, EqualFunction.self, op: "equal") }
    /// 1 where self ≠ other, else 0 (broadcast; no gradient).
    public func notEqual(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, NotEqualFunction.self, op: "notEqual") }
    /// 1 where self > other, else 0 (broadcast; no gradient).
    public func greater(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, GreaterFunction.self, op: "greater") }
    /// 1 where self ≥ other, else 0 (broadcast; no gradient).
    public func greaterEqual(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, GreaterEqualFunction.self, op: "greaterEqual") }
    /// 1 where self < other, else 0 (broadcast; no gradient).
    public func less(_ other: Tensor) -> Tensor { Elementwise.zip(self, other, LessFunction.self, op: "less") }
    /// 1 where self ≤ other, else 0 (broadcast; no gradient).
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
