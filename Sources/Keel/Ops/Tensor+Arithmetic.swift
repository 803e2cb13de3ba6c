/// Element-wise arithmetic with NumPy broadcasting and autograd. The gradient of a broadcast input is
/// summed back to that input's shape.
extension Tensor {
    /// a + b element-wise with NumPy broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let z = Elementwise.zip(a, b, AddFunction.self, op: "add")
        return record(z, op: "add", inputs: [a, b]) { g, needs in
            [needs[0] ? g.sum(toShape: a.shape) : nil, needs[1] ? g.sum(toShape: b.shape) : nil]
        }
    }

    /// ReLU(a + b) element-wise, in one pass each way: the same bits as `(a + b).relu()`. ReLU′ is read off the
    /// output (positive exactly where the sum is, NaN where it is).
    public static func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
        let z = Elementwise.zip(a, b, AddReLUFunction.self, op: "addReLU")
        return record(z, op: "add+relu", inputs: [a, b]) { g, needs in
            let gated = Activation.relu.backward(x: z, y: z, gradient: g)
            return [needs[0] ? gated.sum(toShape: a.shape) : nil, needs[1] ? gated.sum(toShape: b.shape) : nil]
        }
    }

    /// a − b element-wise with NumPy broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let z = Elementwise.zip(a, b, SubtractFunction.self, op: "subtract")
        return record(z, op: "subtract", inputs: [a, b]) { g, needs in
            [needs[0] ? g.sum(toShape: a.shape) : nil, needs[1] ? (-g).sum(toShape: b.shape) : nil]
        }
    }

    /// a · b element-wise with NumPy broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let z = Elementwise.zip(a, b, MultiplyFunction.self, op: "multiply")
        return record(z, op: "multiply", inputs: [a, b]) { g, needs in
            [
                needs[0] ? Elementwise.zip(g, b, MultiplyFunction.self, op: "multiply").sum(toShape: a.shape) : nil,
                needs[1] ? Elementwise.zip(g, a, MultiplyFunction.self, op: "multiply").sum(toShape: b.shape) : nil,
            ]
        }
    }

    /// a / b element-wise with NumPy broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let z = Elementwise.zip(a, b, DivideFunction.self, op: "divide")
        return record(z, op: "divide", inputs: [a, b]) { g, needs in
            // d(a/b)/da = 1/b; d(a/b)/db = −a/b² = −z/b.
            [
                needs[0] ? Elementwise.zip(g, b, DivideFunction.self, op: "divide").sum(toShape: a.shape) : nil,
                needs[1] ? (-(g * z) / b).sum(toShape: b.shape) : nil,
            ]
        }
    }

    /// −a element-wise.
    public static prefix func - (a: Tensor) -> Tensor {
        let z = Elementwise.map(a, NegateFunction.self)
        return record(z, op: "negate", inputs: [a]) { g, _ in [-g] }
    }

    /// a + b for every element of a.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    /// a + b for every element of b.
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    /// a − b for every element of a.
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    /// a − b for every element of b.
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    /// a · b for every element of a.
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    /// a · b for every element of b.
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    /// a / b for every element of a.
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    /// a / b for every element of b.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// a ← a + b (a new tensor; autograd records it).
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// a ← a − b (a new tensor; autograd records it).
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// a ← a · b (a new tensor; autograd records it).
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// a ← a / b (a new tensor; autograd records it).
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }

    /// `self += other` in place, without recording (same shape; for gradient accumulation and optimizers).
    public mutating func addInPlace(_ other: Tensor, scale: Float = 1) {
        ensure(shape == other.shape, "addInPlace: shapes \(shape) and \(other.shape) differ")
        let n = count
        let src = other.storage.pointer
        withUnsafeMutablePointer { dst in
            Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                if scale == 1 {
                    for i in r { dst[i] += src[i] }
                } else {
                    for i in r { dst[i] += scale * src[i] }
                }
            }
        }
    }
}
