import Foundation
import Keel
import KeelData

extension RunConfiguration {
    /// Checks every setting's range (finite numbers, sizes within `InputLimits`-style bounds, parsable specs) and
    /// throws for the first that is out of it, naming its key. Run before anything is loaded or written.
    public func validate() throws(RunConfigurationError) {
        func fail(_ key: String, _ problem: String) throws(RunConfigurationError) {
            throw RunConfigurationError(key: key, problem: problem)
        }
        if data.dataset.isEmpty { try fail("data.dataset", "must name a dataset") }
        if !(data.validationFraction >= 0 && data.validationFraction < 1) {
            try fail("data.validation_fraction", "must be in [0, 1), got \(data.validationFraction)")
        }
        if let size = data.imageSize, size.count != 2 || !size.allSatisfy({ (1...InputLimits.maxImageSide).contains($0) }) {
            try fail("data.image_size", "must be [height, width], each 1…\(InputLimits.maxImageSide), got \(size)")
        }
        if !(0...(1 << 20)).contains(data.imageCacheMiB) { try fail("data.image_cache_mib", "must be in 0…1,048,576, got \(data.imageCacheMiB)") }
        do { _ = try Activation.parse(model.activation) } catch { try fail("model.activation", "\(error)") }
        if loss != nil {
            if data.task != .regression { try fail("loss", "only regression runs choose a loss (classification uses cross-entropy)") }
            _ = try regressionLoss()
        }
        if data.task == .regression, let architecture = model.architecture, architecture != .mlp {
            try fail("model.architecture", "regression on a table needs the mlp or a model file, not \(architecture.rawValue)")
        }
        if data.task == .regression, augment?.isEmpty == false { try fail("augment", "augmentation needs images; regression reads a table") }
        if let network = model.network {
            if let architecture = model.architecture {
                try fail("model.network", "give either an architecture (\(architecture.rawValue)) or a network, not both")
            }
            if model.activation != ModelSettings().activation { try fail("model.activation", "a model file names its own activations") }
            if model.dropout.map({ $0 > 0 }) == true { try fail("model.dropout", "a model file places its own dropout layers") }
            do { _ = try network.check() } catch let error as RunConfigurationError {
                try fail("model.network." + error.key, error.problem)
            } catch {
                try fail("model.network", "\(error)")
            }
        }
        if let dropout = model.dropout, !(dropout >= 0 && dropout < 1) { try fail("model.dropout", "must be in [0, 1), got \(dropout)") }
        if let lr = optimizer.learningRate, !(lr > 0 && lr.isFinite) {
            try fail("optimizer.learning_rate", "must be a positive number, got \(lr)")
        }
        if !(optimizer.momentum >= 0 && optimizer.momentum < 1) { try fail("optimizer.momentum", "must be in [0, 1), got \(optimizer.momentum)") }
        if let weightDecay = optimizer.weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) {
            try fail("optimizer.weight_decay", "must be a finite number ≥ 0, got \(weightDecay)")
        }
        if let schedule {
            do { _ = try Schedule.parse(schedule, defaultLearningRate: learningRate) } catch { try fail("schedule", "\(error)") }
        }
        if let augment {
            do { _ = try AugmentationPipeline.parse(augment) } catch { try fail("augment", "\(error)") }
        }
        if let patience = earlyStopping, !(1...1_000_000).contains(patience) {
            try fail("early_stopping", "must be in 1…1,000,000 epochs, got \(patience)")
        }
        if !(minDelta >= 0 && minDelta.isFinite) { try fail("min_delta", "must be a finite number ≥ 0, got \(minDelta)") }
        if (earlyStopping != nil || keepBest) && monitor != .trainingLoss && data.validationFraction == 0 {
            try fail(
                earlyStopping != nil ? "early_stopping" : "keep_best",
                "monitors \(monitor.rawValue), which needs a validation split: give validation_fraction (or monitor train_loss)")
        }
        if data.task == .regression && monitor == .validationAccuracy { try fail("monitor", "a regression run has no accuracy; monitor val_loss") }
        if let clip = clipGradNorm, !(clip > 0 && clip.isFinite) { try fail("clip_grad_norm", "must be a positive number, got \(clip)") }
        if let tensorboard, tensorboard.isEmpty || tensorboard.contains("\0") { try fail("tensorboard", "must name a folder") }
        if let shards, !(1...1024).contains(shards) { try fail("shards", "must be in 1…1,024, got \(shards)") }
        if !(1...65_536).contains(accumulate) { try fail("accumulate", "must be in 1…65,536, got \(accumulate)") }
        if let epochs, !(1...1_000_000).contains(epochs) { try fail("epochs", "must be in 1…1,000,000, got \(epochs)") }
        if !(1...(1 << 20)).contains(batchSize) { try fail("batch_size", "must be in 1…1,048,576, got \(batchSize)") }
        if batchSize * accumulate > 1 << 20 {
            try fail("accumulate", "batch_size × accumulate must be at most 1,048,576, got \(batchSize) × \(accumulate)")
        }
        if let threads, !(1...1024).contains(threads) { try fail("threads", "must be in 1…1024, got \(threads)") }
        if let plateau {
            if !(plateau.factor > 0 && plateau.factor < 1) { try fail("plateau.factor", "must be in (0, 1), got \(plateau.factor)") }
            if !(1...1000).contains(plateau.patience) { try fail("plateau.patience", "must be in 1…1000, got \(plateau.patience)") }
        }
        if !(0...1_000_000_000_000).contains(checkpoint.every) {
            try fail("checkpoint.every", "must be in 0…10¹², got \(checkpoint.every)")
        }
        if !(checkpoint.seconds >= 0 && checkpoint.seconds.isFinite) {
            try fail("checkpoint.seconds", "must be a finite number ≥ 0, got \(checkpoint.seconds)")
        }
    }

    /// `data.image_size` as (height, width).
    public var imageSize: (height: Int, width: Int)? { data.imageSize.flatMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }

    /// The learning rate used: the one set, or the optimizer's default.
    public var learningRate: Float { optimizer.learningRate ?? optimizer.name.defaultLearningRate }

    /// The learning rate as a function of the global step: the schedule, or the constant rate.
    public func learningRateSchedule() throws -> any LearningRateSchedule {
        guard let schedule else { return ConstantLearningRate(learningRate) }
        return try Schedule.parse(schedule, defaultLearningRate: learningRate)
    }

    /// The network to train: the model file, the architecture set, or the default for the data (`isTable`: mlp,
    /// else cnn).
    public func architecture(isTable: Bool) -> Architecture {
        if let network = model.network { return .file(network) }
        return .zoo(model.architecture ?? (isTable ? .mlp : .cnn))
    }

    /// The loss of a regression run: mean squared error, or the Huber loss with its δ (`loss`).
    public func regressionLoss() throws(RunConfigurationError) -> (Tensor, Tensor) -> Tensor {
        guard let loss else { return { meanSquaredError($0, $1) } }
        let spec: Spec
        do { spec = try Spec.parse(loss) } catch { throw RunConfigurationError(key: "loss", problem: "\(error)") }
        switch (spec.name, spec.unnamedValue, spec.parameters.isEmpty) {
        case ("mse", nil, true): return { meanSquaredError($0, $1) }
        case ("huber", let value, true):
            guard let delta = value.map({ Float($0) }) ?? 1, delta > 0 && delta.isFinite && delta <= 1e6 else {
                throw RunConfigurationError(key: "loss", problem: "huber:DELTA needs δ in (0, 10⁶], got '\(value ?? "")'")
            }
            return { huberLoss($0, $1, delta: delta) }
        default:
            throw RunConfigurationError(key: "loss", problem: "expected mse, huber or huber:DELTA, got '\(FileError.oneLine(loss))'")
        }
    }

    /// The hidden activation.
    public func activation() throws -> Activation { try Activation.parse(model.activation) }

    /// The settings, as dotted key paths, that change what a run computes and differ between the two
    /// configurations, each with both values ("optimizer.learning_rate", "0.1", "0.05"). Threads, checkpoint
    /// cadence and diagnostics do not change results, and epochs only extend a run, so they are left out.
    public func resultChangingDifferences(from other: RunConfiguration) -> [(key: String, this: String, other: String)] {
        let ignored: Set<String> = [
            "epochs", "threads", "checkpoint.every", "checkpoint.seconds", "diagnostics", "recipe", "data.image_cache_mib", "keep_best",
        ]
        let (mine, theirs) = (flattened(), other.flattened())
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            guard !ignored.contains(key), mine[key] != theirs[key] else { return nil }
            return (key, mine[key] ?? "none", theirs[key] ?? "none")
        }
    }

    /// Every leaf setting by dotted key path, its value as JSON text.
    func flattened() -> [String: String] {
        guard let data = try? JSONEncoder().encode(self), let object = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        var result: [String: String] = [:]
        func visit(_ value: Any, _ path: String) {
            if let mapping = value as? [String: Any] {
                for (key, child) in mapping { visit(child, path.isEmpty ? key : path + "." + key) }
            } else if let text = value as? String {
                result[path] = text
            } else if let text = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                result[path] = String(decoding: text, as: UTF8.self)
            }
        }
        visit(object, "")
        return result
    }
}
