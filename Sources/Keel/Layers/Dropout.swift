/// A module that draws random numbers while training; checkpoints save its seed and draw count so that a
/// resumed run draws exactly what an uninterrupted one would.
public protocol RandomizedModule: Module {
    /// The seed of the module's random stream.
    var seed: UInt64 { get set }
    /// How many forward passes have drawn randomness so far.
    var randomDraws: UInt64 { get set }
}

/// Dropout: in training, each element is zeroed with probability p and the rest scaled by 1/(1 − p);
/// identity in evaluation. Masks come from the stream (seed, draw count), independent of threads; within
/// `BatchShards`, shard k of the update takes stream (seed, draw count + k).
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
        let keep = 1 - probability
        let scale = 1 / keep
        var mask = Tensor(uninitializedShape: input.shape)
        // Batch shards: shard k's rows take the mask of draw (draws + k), as a pass of that shard alone would.
        let shards = input.rank >= 1 ? BatchShards.current(batch: input.shape[0]) : nil
        let ranges = shards?.ranges ?? [0..<(input.rank >= 1 ? input.shape[0] : 1)]
        let perSample = input.rank >= 1 && input.shape[0] > 0 ? input.count / input.shape[0] : input.count
        mask.withUnsafeMutablePointer { m in
            for (j, range) in ranges.enumerated() {
                var generator = KeelRandom(seed: seed, stream: [0xD0, randomDraws + UInt64((shards?.firstIndex ?? 0) + j)])
                for i in (range.lowerBound * perSample)..<(range.upperBound * perSample) { m[i] = generator.nextUniform() < keep ? scale : 0 }
            }
        }
        randomDraws += 1
        return input * mask
    }
}
