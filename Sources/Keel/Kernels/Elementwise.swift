/// Element-wise kernels: a function of one or two Floats applied over tensors (with NumPy broadcasting
/// for two), vectorized by the compiler on contiguous runs and split across threads when large.
///
/// Ops are types conforming to `UnaryFunction` / `BinaryFunction` so that every kernel is specialized
/// and inlined for its op: no closure call per element.
protocol UnaryFunction { static func apply(_ x: Float) -> Float }
protocol BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float }

/// Element counts below this run on one thread.
let elementwiseParallelThreshold = 1 << 15

enum Elementwise {
    /// y = kernel(x) for a C kernel over contiguous arrays, in parallel chunks.
    static func map(_ x: Tensor, kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        let src = x.storage.pointer
        y.withUnsafeMutablePointer { dst in
            Parallel.forRanges(x.count, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                kernel(src + r.lowerBound, dst + r.lowerBound, r.count)
            }
        }
        return y
    }

    /// y = F(x).
    static func map<F: UnaryFunction>(_ x: Tensor, _: F.Type) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        let n = x.count
        let src = x.storage.pointer
        y.withUnsafeMutablePointer { dst in
            Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                for i in r { dst[i] = F.apply(src[i]) }
            }
        }
        return y
    }

    /// z = F(a, b) with broadcasting; `op` names the caller in shape errors.
    static func zip<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, _: F.Type, op: String) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape, op: op)
        var z = Tensor(uninitializedShape: shape)
        let n = z.count
        let pa = a.storage.pointer
        let pb = b.storage.pointer
        if a.shape == b.shape {
            z.withUnsafeMutablePointer { pz in
                Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                    for i in r { pz[i] = F.apply(pa[i], pb[i]) }
                }
            }
            return z
        }
        if b.count == 1 {
            let s = pb[0]
            z.withUnsafeMutablePointer { pz in
                Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                    for i in r { pz[i] = F.apply(pa[i], s) }
                }
            }
            return z
        }
        if a.count == 1 {
            let s = pa[0]
            z.withUnsafeMutablePointer { pz in
                Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                    for i in r { pz[i] = F.apply(s, pb[i]) }
                }
            }
            return z
        }
        let plan = BroadcastPlan(
            shape: shape, Shape.broadcastStrides(a.shape, to: shape),
            Shape.broadcastStrides(b.shape, to: shape))
        z.withUnsafeMutablePointer { pz in
            Parallel.forRanges(n, grain: 4096, minimumPerThread: elementwiseParallelThreshold) { r in
                plan.forEachRun(in: r) { start, length, offsetA, offsetB in
                    let sa = plan.innerStrideA
                    let sb = plan.innerStrideB
                    let out = pz + start
                    let x = pa + offsetA
                    let y = pb + offsetB
                    if sa == 1 && sb == 1 {
                        for j in 0..<length { out[j] = F.apply(x[j], y[j]) }
                    } else if sa == 1 && sb == 0 {
                        let v = y[0]
                        for j in 0..<length { out[j] = F.apply(x[j], v) }
                    } else if sa == 0 && sb == 1 {
                        let v = x[0]
                        for j in 0..<length { out[j] = F.apply(v, y[j]) }
                    } else {
                        for j in 0..<length { out[j] = F.apply(x[j * sa], y[j * sb]) }
                    }
                }
            }
        }
        return z
    }
}

/// Iteration plan for a broadcast binary op: dimensions merged where both operands allow it, then the
/// output walked in contiguous runs along the last merged dimension.
struct BroadcastPlan {
    let shape: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(shape: [Int], _ stridesA: [Int], _ stridesB: [Int]) {
        var s: [Int] = []
        var sa: [Int] = []
        var sb: [Int] = []
        for i in 0..<shape.count where shape[i] != 1 {
            if let last = s.indices.last,
                sa[last] == stridesA[i] * shape[i], sb[last] == stridesB[i] * shape[i]
            {
                s[last] *= shape[i]
                sa[last] = stridesA[i]
                sb[last] = stridesB[i]
            } else {
                s.append(shape[i])
                sa.append(stridesA[i])
                sb.append(stridesB[i])
            }
        }
        if s.isEmpty {
            s = [1]
            sa = [0]
            sb = [0]
        }
        self.shape = s
        self.stridesA = sa
        self.stridesB = sb
    }

    var innerStrideA: Int { stridesA[stridesA.count - 1] }
    var innerStrideB: Int { stridesB[stridesB.count - 1] }

    /// Calls `body(outputStart, length, offsetA, offsetB)` for each contiguous run of the flat output
    /// range `range`.
    func forEachRun(in range: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        var index = [Int](repeating: 0, count: rank)
        var rest = range.lowerBound
        var offsetA = 0
        var offsetB = 0
        for d in stride(from: rank - 1, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
            offsetA += index[d] * stridesA[d]
            offsetB += index[d] * stridesB[d]
        }
        var position = range.lowerBound
        let inner = rank - 1
        while position < range.upperBound {
            let length = min(shape[inner] - index[inner], range.upperBound - position)
            body(position, length, offsetA, offsetB)
            position += length
            offsetA += length * stridesA[inner]
            offsetB += length * stridesB[inner]
            index[inner] += length
            var d = inner
            while d > 0 && index[d] == shape[d] {
                offsetA -= shape[d] * stridesA[d]
                offsetB -= shape[d] * stridesB[d]
                index[d] = 0
                d -= 1
                index[d] += 1
                offsetA += stridesA[d]
                offsetB += stridesB[d]
            }
        }
    }
}

// MARK: - The element-wise functions

enum AddFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
/// ReLU(a + b): the sum, then the ReLU exactly as the ReLU's own forward (v < 0 ? 0 : v; NaN stays NaN).
enum AddReLUFunction: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float {
        let v = a + b
        return v < 0 ? 0 : v
    }
}
enum SubtractFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MultiplyFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivideFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum MaximumFunction: BinaryFunction {
    /// NaN-propagating like PyTorch's `maximum`.
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a > b ? a : b }
}
enum MinimumFunction: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a < b ? a : b }
}
enum PowerFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { _powf(a, b) } }
enum EqualFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }
enum NotEqualFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a != b ? 1 : 0 } }
enum GreaterFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 } }
enum GreaterEqualFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
enum LessFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 } }
enum LessEqualFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 } }

// Backward helpers: (upstream gradient, saved value) → input gradient.
enum AbsBackwardFunction: BinaryFunction {
    @inline(__always) static func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) }
}
/// g / (2 · y) for y = √x.
enum SqrtBackwardFunction: BinaryFunction { @inline(__always) static func apply(_ g: Float, _ y: Float) -> Float { g / (2 * y) } }
/// Gradient share of `a` in max(a, b) / min(a, b): 1 where a wins, ½ on ties, 0 where it loses.
enum SelectFirstFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : (a == b ? 0.5 : 0) } }

enum NegateFunction: UnaryFunction { @inline(__always) static func apply(_ x: Float) -> Float { -x } }
enum LogFunction: UnaryFunction { @inline(__always) static func apply(_ x: Float) -> Float { _logf(x) } }
enum SqrtFunction: UnaryFunction { @inline(__always) static func apply(_ x: Float) -> Float { x.squareRoot() } }
enum AbsFunction: UnaryFunction { @inline(__always) static func apply(_ x: Float) -> Float { abs(x) } }
/// max(0, x), NaN propagating (as PyTorch's relu).
enum SignFunction: UnaryFunction { @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
