import Foundation
import Keel
import KeelData

/// Everything that defines a training run — data, model, optimizer, schedule, augmentation, epochs, batch
/// size, seed, checkpointing — as one value: what `keel train` builds from its flags, writes to a run folder's
/// `config.yaml`, stores in checkpoints and reads back with `--config` or `--resume`.
///
/// Fields left `nil` are decided when the run starts (`resolved(…)`): the model from the data (cnn for images,
/// mlp for tables), the learning rate from the optimizer, and epochs, dropout, augmentation and schedule from
/// the recipe. A resolved configuration has them all set, so running it again gives the same run.
public struct RunConfiguration: Codable, Equatable, Sendable {
    /// Where the samples come from and how they are prepared.
    public var data = DataSettings()
    /// The network.
    public var model = ModelSettings()
    /// The update rule and its hyper-parameters.
    public var optimizer = OptimizerSettings()
    /// A learning-rate schedule spec read at the global step ("cosine_decay:decay_steps=630", see `Schedule.parse`);
    /// nil for a constant rate.
    public var schedule: String?
    /// Random augmentations of each training sample, in order (`AugmentationPipeline.parse` specs).
    public var augment: [String]?
    /// Passes over the training set.
    public var epochs: Int?
    /// Samples per batch, i.e. per parameter update.
    public var batchSize = 64
    /// Seeds initialization, the split, batch order, dropout and augmentation.
    public var seed: UInt64 = 0
    /// Threads for the kernels (nil: all cores). Results do not depend on it.
    public var threads: Int?
    /// What fills the fields left nil (see `Recipe`).
    public var recipe: Recipe.Name = .default
    /// Reduce the learning rate when the validation (else training) loss stops improving.
    public var plateau: PlateauSettings?
    /// Checkpoint cadence besides epoch ends.
    public var checkpoint = CheckpointSettings()
    /// Record per-layer dead/saturated fractions and gradient norms (diagnostics.csv).
    public var diagnostics = false
    /// The loss of a regression run: `mse` (default) or `huber` / `huber:DELTA` (δ = 1 by default); nil for
    /// classification, which uses cross-entropy.
    public var loss: String?
    /// Stop after this many epochs without an improvement of `monitor` (nil: train every epoch).
    public var earlyStopping: Int?
    /// What early stopping and `keep_best` watch.
    public var monitor: Monitor = .validationLoss
    /// The smallest change of `monitor` that counts as an improvement.
    public var minDelta: Float = 0
    /// Keep the best epoch's model in the run folder's `best/` (it never changes results).
    public var keepBest = false
    /// Scale the gradients to this global L2 norm at most before each update (nil: no clipping).
    public var clipGradNorm: Float?
    /// Micro-batches of `batch_size` per update (gradient accumulation): an update sees batch_size × accumulate samples.
    public var accumulate = 1
    /// A folder for TensorBoard event files (nil: none). It never changes results.
    public var tensorboard: String?
    /// Shards per update (`ShardPlan`): micro-batches whose gradients are added by one fixed tree, spread over the
    /// ranks of a data-parallel run. nil: 4 for networks without batch norm (so 1, 2 or 4 ranks train the same
    /// bits), and one per rank for networks with it (each rank's batch norm sees its own samples, as in PyTorch DDP).
    public var shards: Int?

    /// The defaults: the CNN recipe on MNIST-5k.
    public init() {}

    /// Where the samples come from and how they are prepared.
    public struct DataSettings: Codable, Equatable, Sendable {
        /// mnist-5k, wine, iris, digits (embedded), an MNIST-format folder, an image folder or a CSV file.
        public var dataset = "mnist-5k"
        /// A CSV file's label column, a header name or a 0-based index (nil: the last column).
        public var labelColumn: String?
        /// Input normalization, fitted on the training split only.
        public var normalize: Normalizer.Method = .standard
        /// Fraction of the training split held out for validation each epoch.
        public var validationFraction = 0.0
        /// [height, width] every image of an image folder is resized to on load (nil: they must share one size).
        public var imageSize: [Int]?
        /// Classification (labels) or regression (a numeric target column, `label_column`) — regression needs a table.
        public var task: LearningTask = .classification
        /// MiB of decoded images an image folder keeps between epochs (0: decode every epoch). Results do not
        /// depend on it.
        public var imageCacheMiB = 0
        /// MNIST-5k, z-scored, no validation split.
        public init() {}
    }

    /// Which network, with which hidden activation and dropout.
    public struct ModelSettings: Codable, Equatable, Sendable {
        /// nil: cnn for images, mlp for tables (unless `network` is given).
        public var architecture: ReferenceModel?
        /// A network from a model file (`keel train --model FILE.yaml`), written into config.yaml in full so that
        /// the run folder needs nothing else; exclusive with `architecture`.
        public var network: ModelFile?
        /// The hidden activation, NAME or NAME:PARAMETER (`Activation.parse`).
        public var activation = "relu"
        /// Dropout probability before the last layer (0: none).
        public var dropout: Float?
        /// The architecture from the data, ReLU, dropout from the recipe.
        public init() {}
    }

    /// The update rule and its hyper-parameters.
    public struct OptimizerSettings: Codable, Equatable, Sendable {
        /// Which optimizer.
        public var name: OptimizerKind = .sgd
        /// nil: the optimizer's default (`OptimizerKind.defaultLearningRate`).
        public var learningRate: Float?
        /// For sgd and rmsprop.
        public var momentum: Float = 0.9
        /// L2 penalty (decoupled for adamw); nil: the recipe's (0, or 0.1 in the regression recipe).
        public var weightDecay: Float?
        /// SGD with momentum 0.9, the default learning rate, no weight decay.
        public init() {}
    }

    /// `ReduceLROnPlateau`'s settings.
    public struct PlateauSettings: Codable, Equatable, Sendable {
        /// The factor the learning rate is multiplied by, in (0, 1).
        public var factor: Float
        /// Epochs without improvement before reducing.
        public var patience = 2
        /// Reduce by `factor` after `patience` epochs without improvement.
        public init(factor: Float, patience: Int = 2) { (self.factor, self.patience) = (factor, patience) }
    }

    /// Checkpoints besides those at epoch ends. They never change results.
    public struct CheckpointSettings: Codable, Equatable, Sendable {
        /// Every this many iterations (0: not by count).
        public var every = 0
        /// After this many seconds since the last checkpoint (0: not by time).
        public var seconds = 60.0
        /// At epoch ends and every 60 seconds.
        public init() {}
    }
}

// MARK: - Coding: snake_case keys as in TensorFlow and Keras configs; absent keys take their defaults; unknown keys are errors.

extension RunConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case data, model, optimizer, schedule, augment, epochs
        case batchSize = "batch_size"
        case seed, threads, recipe, plateau, checkpoint, diagnostics, loss
        case earlyStopping = "early_stopping"
        case monitor
        case minDelta = "min_delta"
        case keepBest = "keep_best"
        case clipGradNorm = "clip_grad_norm"
        case accumulate, tensorboard, shards
    }

    /// Reads a configuration: absent keys take their defaults, an unknown key is an error naming it.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RunConfiguration()
        data = try c.value(.data, or: d.data)
        model = try c.value(.model, or: d.model)
        optimizer = try c.value(.optimizer, or: d.optimizer)
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule)
        augment = try c.decodeIfPresent([String].self, forKey: .augment)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        batchSize = try c.value(.batchSize, or: d.batchSize)
        seed = try Self.decodeSeed(c) ?? d.seed
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        recipe = try c.value(.recipe, or: d.recipe)
        plateau = try c.decodeIfPresent(PlateauSettings.self, forKey: .plateau)
        checkpoint = try c.value(.checkpoint, or: d.checkpoint)
        diagnostics = try c.value(.diagnostics, or: d.diagnostics)
        loss = try c.decodeIfPresent(String.self, forKey: .loss)
        earlyStopping = try c.decodeIfPresent(Int.self, forKey: .earlyStopping)
        monitor = try c.value(.monitor, or: d.monitor)
        minDelta = try c.value(.minDelta, or: d.minDelta)
        keepBest = try c.value(.keepBest, or: d.keepBest)
        clipGradNorm = try c.decodeIfPresent(Float.self, forKey: .clipGradNorm)
        accumulate = try c.value(.accumulate, or: d.accumulate)
        tensorboard = try c.decodeIfPresent(String.self, forKey: .tensorboard)
        shards = try c.decodeIfPresent(Int.self, forKey: .shards)
    }
}

extension RunConfiguration {
    /// A seed in 0…2⁶⁴−1 (Yams reads integers above 2⁶³−1 only as text).
    static func decodeSeed(_ c: KeyedDecodingContainer<CodingKeys>) throws -> UInt64? {
        guard c.contains(.seed) else { return nil }
        if let seed = try? c.decode(UInt64.self, forKey: .seed) { return seed }
        guard let text = try? c.decode(String.self, forKey: .seed), let seed = UInt64(text) else {
            throw DecodingError.typeMismatch(
                UInt64.self,
                .init(
                    codingPath: c.codingPath + [CodingKeys.seed],
                    debugDescription: "a seed is an integer in 0…2⁶⁴−1"))
        }
        return seed
    }
}

extension RunConfiguration.DataSettings {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case dataset
        case labelColumn = "label_column"
        case normalize
        case validationFraction = "validation_fraction"
        case imageSize = "image_size"
        case task
        case imageCacheMiB = "image_cache_mib"
    }

    /// Reads the data section (absent keys take their defaults; unknown ones are errors).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        dataset = try c.value(.dataset, or: d.dataset)
        labelColumn = try c.decodeIfPresent(String.self, forKey: .labelColumn)
        normalize = try c.value(.normalize, or: d.normalize)
        validationFraction = try c.value(.validationFraction, or: d.validationFraction)
        imageSize = try c.decodeIfPresent([Int].self, forKey: .imageSize)
        task = try c.value(.task, or: d.task)
        imageCacheMiB = try c.value(.imageCacheMiB, or: d.imageCacheMiB)
    }
}

extension RunConfiguration.ModelSettings {
    enum CodingKeys: String, CodingKey, CaseIterable { case architecture, network, activation, dropout }

    /// Reads the model section (absent keys take their defaults; unknown ones are errors).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decodeIfPresent(ReferenceModel.self, forKey: .architecture)
        network = try c.decodeIfPresent(ModelFile.self, forKey: .network)
        activation = try c.value(.activation, or: Self().activation)
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout)
    }
}

extension RunConfiguration.OptimizerSettings {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case learningRate = "learning_rate"
        case momentum
        case weightDecay = "weight_decay"
    }

    /// Reads the optimizer section (absent keys take their defaults; unknown ones are errors).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        name = try c.value(.name, or: d.name)
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate)
        momentum = try c.value(.momentum, or: d.momentum)
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay)
    }
}

extension RunConfiguration.PlateauSettings {
    enum CodingKeys: String, CodingKey, CaseIterable { case factor, patience }

    /// Reads the plateau section (`factor` is required; unknown keys are errors).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        factor = try c.decode(Float.self, forKey: .factor)
        patience = try c.value(.patience, or: 2)
    }
}

extension RunConfiguration.CheckpointSettings {
    enum CodingKeys: String, CodingKey, CaseIterable { case every, seconds }

    /// Reads the checkpoint section (absent keys take their defaults; unknown ones are errors).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        every = try c.value(.every, or: d.every)
        seconds = try c.value(.seconds, or: d.seconds)
    }
}
