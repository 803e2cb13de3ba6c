import Keel

/// One mini-batch: the samples of one parameter update.
public struct Batch: Sendable {
    /// [batch size] + sample shape.
    public var inputs: Tensor
    /// One class index per sample.
    public var labels: [Int32]
    /// Dataset indices of the samples.
    public var indices: [Int]
    /// Regression targets [batch size, outputs] (nil for classification).
    public var targets: Tensor? = nil

    /// The samples `rows` of this batch (a micro-batch).
    public func rows(_ rows: Range<Int>) -> Batch {
        let size = inputs.count / max(labels.count, 1)
        let values = inputs.scalars[(rows.lowerBound * size)..<(rows.upperBound * size)]
        let targetRows = targets.map { t -> Tensor in
            let width = t.shape[1]
            return Tensor(shape: [rows.count, width], scalars: Array(t.scalars[(rows.lowerBound * width)..<(rows.upperBound * width)]))
        }
        return Batch(
            inputs: Tensor(shape: [rows.count] + inputs.shape.dropFirst(), scalars: Array(values)), labels: Array(labels[rows]),
            indices: Array(indices[rows]), targets: targetRows)
    }
}

/// Splits a dataset into mini-batches, epoch after epoch.
///
/// One epoch is one pass over the dataset; one iteration is one batch, i.e. one parameter update. There
/// are ⌈N/B⌉ iterations per epoch (⌊N/B⌋ with `dropLast`). With `shuffle`, the order of epoch e is a
/// permutation drawn from the stream (seed, e), so any epoch can be reproduced on its own (resuming).
public struct DataLoader: Sendable {
    /// The samples.
    public let dataset: any Dataset
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the samples in a new random order.
    public let shuffle: Bool
    /// How samples are visited; `shuffle` chooses between `.random` and `.sequential` unless a sampler is given.
    public let sampler: Sampler
    /// Whether a last, smaller batch is dropped.
    public let dropLast: Bool
    /// Seeds the epoch orders and the augmentation draws.
    public let seed: UInt64
    /// Per-sample random augmentation of image samples [C, H, W], drawn from the stream (seed, epoch, index).
    public var augmentation: (any RandomAugmentation)?
    /// Applied to each batch after augmentation (torchvision's order: augment, then normalize).
    public var normalizer: Normalizer?

    /// A loader over `dataset`; the order of epoch e comes from the stream (`seed`, e), so it depends on nothing else.
    public init(
        _ dataset: any Dataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0,
        augmentation: (any RandomAugmentation)? = nil, normalizer: Normalizer? = nil, sampler: Sampler? = nil
    ) {
        if batchSize <= 0 { fatalError("DataLoader: batch size must be positive, got \(batchSize)") }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.augmentation = augmentation
        self.normalizer = normalizer
        self.sampler = sampler ?? (shuffle ? .random : .sequential)
    }

    /// Iterations (batches) per epoch.
    public var batchesPerEpoch: Int {
        let n = sampler.epochLength(labels: dataset.labels)
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    /// The order in which epoch `epoch` visits the samples (the sampler's, drawn from (seed, epoch)).
    public func order(epoch: Int) -> [Int] {
        sampler.order(labels: dataset.labels, seed: seed, epoch: epoch)
    }

    /// The dataset indices of each batch of epoch `epoch`.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let order = order(epoch: epoch)
        return (0..<batchesPerEpoch).map { b in Array(order[(b * batchSize)..<min(order.count, (b + 1) * batchSize)]) }
    }

    /// The batch made of `indices` in epoch `epoch`: augmented per sample (on worker threads), then normalized.
    public func batch(_ indices: [Int], epoch: Int = 0) -> Batch {
        var inputs = dataset.samples(indices)
        if let augmentation {
            let shape = dataset.sampleShape
            precondition(shape.count == 3, "DataLoader: augmentation needs image samples [C, H, W], got \(shape)")
            let size = dataset.sampleSize
            let source = inputs.scalars
            var augmented = [Float](repeating: 0, count: source.count)
            let seed = self.seed
            augmented.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.forEach(indices.count) { i in
                    var generator = KeelRandom(seed: seed, stream: [0xA6, UInt64(epoch), UInt64(indices[i])])
                    let image = Image(tensor: Tensor(shape: shape, scalars: Array(source[(i * size)..<((i + 1) * size)])))
                    let result = augmentation.apply(image, generator: &generator, fill: 0).tensor
                    precondition(result.count == size, "DataLoader: augmentation changed the sample size")
                    result.withUnsafePointer { (base + i * size).update(from: $0, count: size) }
                }
            }
            inputs = Tensor(shape: inputs.shape, scalars: augmented)
        }
        if let normalizer { inputs = normalizer.apply(inputs) }
        return Batch(inputs: inputs, labels: indices.map { dataset.labels[$0] }, indices: indices, targets: dataset.targets(indices))
    }

    /// The batches of epoch `epoch`, made lazily.
    public func batches(epoch: Int) -> LazyMapSequence<[[Int]], Batch> {
        batchIndices(epoch: epoch).lazy.map { batch($0, epoch: epoch) }
    }
}
