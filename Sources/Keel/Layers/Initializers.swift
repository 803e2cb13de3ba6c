/// Weight initializers. fan_in / fan_out follow PyTorch: for a weight [out, in, k…], fan_in = in·Πk and
/// fan_out = out·Πk.
public enum Initializer: Sendable, Equatable {
    /// PyTorch's default for Linear and Conv weights: kaiming_uniform(a = √5), i.e. U(−1/√fan_in, 1/√fan_in).
    case pytorchDefault
    /// He/Kaiming uniform: U(−b, b), b = gain·√(3/fan), gain √2 (ReLU); `fanOut` uses fan_out.
    case kaimingUniform(fanOut: Bool = false)
    /// He/Kaiming normal: N(0, gain²/fan), gain √2.
    case kaimingNormal(fanOut: Bool = false)
    /// Glorot/Xavier uniform: U(−b, b), b = gain·√(6/(fan_in + fan_out)).
    case xavierUniform(gain: Float = 1)
    /// Glorot/Xavier normal: N(0, gain²·2/(fan_in + fan_out)).
    case xavierNormal(gain: Float = 1)
    case zeros
    case constant(Float)

    /// (fan_in, fan_out) of a weight shape.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        ensure(shape.count >= 1, "Initializer: cannot compute fans of a scalar")
        if shape.count == 1 { return (shape[0], shape[0]) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A tensor of `shape` drawn from this initializer.
    public func make(_ shape: [Int], generator: inout KeelRandom) -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(shape)
        switch self {
        case .pytorchDefault:
            let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
            return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
        case .kaimingUniform(let useFanOut):
            let bound = Float(2).squareRoot() * (3 / Float(useFanOut ? fanOut : fanIn)).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
        case .kaimingNormal(let useFanOut):
            return Tensor.normal(
                shape, std: Float(2).squareRoot() / Float(useFanOut ? fanOut : fanIn).squareRoot(),
                generator: &generator)
        case .xavierUniform(let gain):
            let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
        case .xavierNormal(let gain):
            return Tensor.normal(shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), generator: &generator)
        case .zeros:
            return Tensor.zeros(shape)
        case .constant(let value):
            return Tensor.full(shape, value)
        }
    }
}
