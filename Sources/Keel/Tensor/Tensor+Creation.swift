extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        let n = t.count
        t.withUnsafeMutablePointer { $0.initialize(repeating: value, count: n) }
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(storage: TensorStorage(count: Shape.count(shape), zeroed: true), shape: shape)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// `start, start + step, …` below `end` (NumPy's arange): ⌈(end − start) / step⌉ elements.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        ensure(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n], scalars: (0..<n).map { start + Float($0) * step })
    }

    /// Uniform samples in [low, high) from a seeded generator.
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1,
        generator: inout KeelRandom
    ) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        let n = t.count
        t.withUnsafeMutablePointer { p in
            for i in 0..<n { p[i] = low + (high - low) * generator.nextUniform() }
        }
        return t
    }

    /// Normal samples N(mean, std²) from a seeded generator.
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1,
        generator: inout KeelRandom
    ) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        let n = t.count
        t.withUnsafeMutablePointer { p in
            for i in 0..<n { p[i] = mean + std * Float(generator.nextNormal()) }
        }
        return t
    }
}
