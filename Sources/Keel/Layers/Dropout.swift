/// A module that draws random numbers while training; checkpoints save its seed and draw count so that a
/// resumed run draws exactly what an uninterrupted one would.
public protocol RandomizedModule: Module {
    /// The seed of the module's random stream.
    var seed: UInt64 { get set }
    /// How many forward passes have drawn randomness so far.
    var randomDraws: UInt64 { get set }
}

/// Dropout: in training, each element is zeroed with probability p and the rest scaled by 1/(1 − p);
/// identity in evaluation. Masks come from the stream (seed, draw count), independent of threads.
public final class Dropout: RandomizedModule {
    /// p, the probability of zeroing an element.
    public let probability: Float
    /// The seed of the mask stream (saved in checkpoints).
    public var seed: UInt64
    /// Masks drawn so far (saved in checkpoints, so a resumed run draws the next one).
    public var randomDraws: UInt64 = 0
    /// Dropout is active only in training mode.
    public var isTraining = true

    /// Without `seed`, the seed comes from the process-wide stream (`KeelRandom.manualSeed`), so two dropout
    /// layers draw different masks.
    public init(_ probability: Float = 0.5, seed: UInt64? = nil) {
        ensure(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1), got \(probability)")
        self.probability = probability
        self.seed = seed ?? KeelRandom.nextGlobalSeed()
    }

    /// x ⊙ mask / (1 − p) in training, x in evaluation; any shape.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return input }
        var generator = KeelRandom(seed: seed, stream: [0xD0, randomDraws])
        randomDraws += 1
        let keep = 1 - probability
        let scale = 1 / keep
        var mask = Tensor(uninitializedShape: input.shape)
        let n = mask.count
        mask.withUnsafeMutablePointer { m in
            for i in 0..<n { m[i] = generator.nextUniform() < keep ? scale : 0 }
        }
        return input * mask
    }
}
