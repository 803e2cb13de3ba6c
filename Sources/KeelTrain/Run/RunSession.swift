import Foundation
import Keel
import KeelData
import KeelDistributed

/// The pieces of a started run: data, resolved configuration, model, trainer and loader — built in this
/// order so that the same configuration draws the same random numbers every time.
struct RunSession {
    let configuration: RunConfiguration
    let architecture: Architecture
    let data: PreparedData
    let network: Sequential
    let trainer: Trainer
    let loader: DataLoader
    var diagnostics: DiagnosticsRecorder?

    init(_ given: RunConfiguration, checkpoint: SavedCheckpoint?, communicator: any Communicator) throws {
        let source = try DataSource.named(given.data.dataset, labelColumn: given.data.labelColumn)
        let architecture = given.architecture(isTable: source.isTable)
        // Normalization is fitted on the training split only; a resumed run keeps its saved normalizer.
        let data = try PreparedData.prepare(
            source, normalize: given.data.normalize,
            validationFraction: given.data.validationFraction, seed: given.seed,
            normalizer: checkpoint?.state.normalizer, imageSize: given.imageSize, task: given.data.task,
            imageCacheBytes: given.data.imageCacheMiB << 20)
        var configuration = given.resolved(architecture: architecture, trainingSamples: data.train.count)
        try Self.check(configuration, architecture: architecture, data: data)
        var generator = KeelRandom(seed: configuration.seed)
        network = try architecture.make(
            inputShape: data.train.sampleShape, classes: data.outputCount,
            activation: try configuration.activation(), dropout: configuration.model.dropout ?? 0,
            dropoutSeed: configuration.seed, generator: &generator)
        configuration.shards = try Self.shards(configuration, network: network, ranks: communicator.size)
        let optimizer = configuration.optimizer.name.make(
            network.namedParameters, schedule: try configuration.learningRateSchedule(),
            momentum: configuration.optimizer.momentum,
            weightDecay: configuration.optimizer.weightDecay ?? 0)
        trainer = Trainer(model: network, optimizer: optimizer, modelName: architecture.name, normalizer: data.normalizer)
        trainer.configuration = configuration
        trainer.regressionLoss = try configuration.regressionLoss()
        (trainer.gradientClipNorm, trainer.accumulationSteps) = (configuration.clipGradNorm, configuration.accumulate)
        (trainer.shards, trainer.communicator) = (configuration.shards ?? 1, communicator)
        if let checkpoint { try trainer.restore(from: checkpoint) }
        // Every rank starts from rank 0's weights and buffers (after a resume too).
        try trainer.synchronizeModel()
        loader = try Self.loader(configuration, data: data)
        try Self.checkBatchNorm(network, configuration: configuration, samples: data.train.count, sampleShape: data.train.sampleShape)
        (self.configuration, self.architecture, self.data) = (configuration, architecture, data)
    }

    /// The shards a run uses: as configured, else 4 for a network without batch norm (1, 2 and 4 ranks then train
    /// the same bits; fewer for batches under 4) and one per rank with it (each rank's batch norm sees its samples).
    static func shards(_ configuration: RunConfiguration, network: any Module, ranks: Int) throws -> Int {
        let hasBatchNorm = network.allModules.contains { $0 is BatchNorm }
        let shards =
            configuration.shards ?? (hasBatchNorm ? ranks : max(ranks, min(4, configuration.batchSize) == 3 ? 2 : min(4, configuration.batchSize)))
        // The trainer's micro-batches are shards × accumulate; they are what the ranks share.
        if let problem = ShardPlan.problem(shards: shards * configuration.accumulate, ranks: ranks) {
            throw RunConfigurationError(key: configuration.accumulate > 1 ? "shards × accumulate" : "shards", problem: problem)
        }
        return shards
    }

    /// The sizes of the micro-batches a run trains on: full batches of batch_size × accumulate, the epoch's last
    /// (smaller) batch, each split into shards × accumulate pieces as the trainer splits them (`ShardPlan`).
    static func microBatchSizes(samples: Int, batchSize: Int, accumulate: Int, shards: Int = 1) -> Set<Int> {
        let full = batchSize * accumulate
        var sizes = Set<Int>()
        for count in Set([min(full, samples), samples % full].filter { $0 > 0 }) {
            for range in ShardPlan(shards: shards * accumulate).shardRanges(count: count) where !range.isEmpty { sizes.insert(range.count) }
        }
        return sizes
    }

    /// Refuses, before training, a run where a batch-norm layer would see one value per channel (a batch of one
    /// sample after global pooling or on a table): its variance is undefined — PyTorch raises, Keel would stop.
    static func checkBatchNorm(_ network: any Module, configuration: RunConfiguration, samples: Int, sampleShape shape: [Int]) throws {
        let norms = Set(network.namedModules.filter { $0.module is BatchNorm }.map(\.name))
        guard !norms.isEmpty,
            microBatchSizes(
                samples: samples, batchSize: configuration.batchSize, accumulate: configuration.accumulate, shards: configuration.shards ?? 1
            ).contains(1)
        else { return }
        let wasTraining = network.isTraining
        defer { if wasTraining { network.train() } }
        // A layer's per-channel values for one sample: its output's sizes after the channel axis.
        let layers = ModelSummary(network, inputShape: shape).layers
        if let name = layers.first(where: { norms.contains($0.name) && $0.outputShape.dropFirst().reduce(1, *) == 1 })?.name {
            throw RunConfigurationError(
                key: "batch_size",
                problem: "\(samples) training samples in batches of \(configuration.batchSize) (× accumulate \(configuration.accumulate)) leave "
                    + "a batch of one sample, and batch norm \(name) then sees one value per channel; choose another batch size")
        }
    }

    /// What the data rules out: a CNN on tables, a model too large for the data, augmentation that resizes.
    static func check(_ configuration: RunConfiguration, architecture: Architecture, data: PreparedData) throws {
        let (dataset, shape) = (configuration.data.dataset, data.train.sampleShape)
        if architecture.needsImages && shape.count != 3 {
            throw RunError("the \(architecture.name) model needs images [C, H, W]; \(dataset) has samples of shape \(shape) — use the mlp")
        }
        if let problem = architecture.problem(inputShape: shape, classes: data.outputCount) {
            throw RunError("\(dataset): \(problem)")
        }
        let specs = configuration.augment ?? []
        guard !specs.isEmpty else { return }
        let raw = data.rawTrain.sampleShape
        guard raw.count == 3 else { throw RunError("augment needs image data; \(dataset) has samples of shape \(raw)") }
        // Checked before any worker runs: every augmented sample must keep the model's input size.
        let size: (height: Int, width: Int)
        do { size = try AugmentationPipeline.parse(specs).outputSize(height: raw[1], width: raw[2]) } catch let error as DataError {
            throw RunConfigurationError(key: "augment", problem: "\(error) (the samples are \(raw[2])×\(raw[1]))")
        }
        guard size == (raw[1], raw[2]) else {
            throw RunConfigurationError(
                key: "augment",
                problem: "\(specs.joined(separator: " ")) turns \(raw[2])×\(raw[1]) samples "
                    + "into \(size.width)×\(size.height); augmentation must keep the model's input size")
        }
    }

    /// Shuffled batches; with augmentation, raw images are augmented first and normalized per batch
    /// (torchvision's order).
    static func loader(_ configuration: RunConfiguration, data: PreparedData) throws -> DataLoader {
        // With gradient accumulation a loader batch is one update's samples; the trainer splits it into micro-batches.
        let (batchSize, seed, specs) = (configuration.batchSize * configuration.accumulate, configuration.seed, configuration.augment ?? [])
        guard !specs.isEmpty else { return DataLoader(data.train, batchSize: batchSize, shuffle: true, seed: seed) }
        return DataLoader(
            data.rawTrain, batchSize: batchSize, shuffle: true, seed: seed,
            augmentation: try AugmentationPipeline.parse(specs), normalizer: data.normalizer)
    }
}
