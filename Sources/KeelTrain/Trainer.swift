import Foundation
import Keel
import KeelData
import KeelDistributed

/// Mini-batch training with the textbook vocabulary: an epoch is one pass over the training set, a batch
/// the samples of one update, an iteration one update; the global step counts iterations across epochs
/// and is what the optimizer's learning-rate schedule reads.
public final class Trainer {
    /// The network trained.
    public let model: any Module
    /// The update rule, with its learning-rate schedule and state.
    public let optimizer: any Optimizer
    /// Loss of a batch from the model's output and the labels (default: cross-entropy from logits).
    public var lossFunction: (Tensor, [Int32]) -> Tensor = { crossEntropy(logits: $0, labels: $1) }
    /// Loss of a regression batch from the model's output and the targets (default: mean squared error); used for
    /// batches that carry `targets`.
    public var regressionLoss: (Tensor, Tensor) -> Tensor = { meanSquaredError($0, $1) }
    /// Called after every iteration and epoch, in order.
    public var callbacks: [any TrainingCallback] = []
    /// Progress output: a bar when standard error is a terminal, nothing otherwise (set `.lines` for logs).
    public var progress = ProgressReporter(style: isatty(STDERR_FILENO) != 0 ? .bar : .silent)
    /// Where checkpoints go (nil: none), and how often besides the end of each epoch: every `checkpointEvery`
    /// iterations (0: never) and once at least `checkpointSeconds` of training have passed since the last one
    /// (0: never). Checkpoints never change results: a run resumed from any of them ends with the same bits.
    public var checkpointDirectory: URL?
    /// Checkpoint every this many iterations besides epoch ends (0: never).
    public var checkpointEvery = 0
    /// Checkpoint once this many seconds have passed since the last one (0: never).
    public var checkpointSeconds: Double = 0
    /// Sums the shards' gradients (nil until a sharded step needs it).
    private var cachedReducer: GradientReducer?
    /// Whether sharded steps run one forward and backward pass over the rank's samples (`BatchShards`) rather than one
    /// per shard: true when every layer is one whose only sums over the batch are linear and convolution gradients —
    /// not batch norm (statistics per shard), not layer/group norm or PReLU (parameter gradients summed over the batch
    /// outside those ops), not custom modules. Both ways give the same bits; the single pass is faster.
    public var shardedForwardPass = true
    private lazy var fusesShards: Bool = model.allModules.allSatisfy { module in
        module is Sequential || module is Linear || module is Conv2d || module is ActivationLayer || module is Dropout
            || module is Flatten || module is Identity || module is MaxPool2d || module is AvgPool2d || module is AdaptiveAvgPool2d
            || module is Residual || module is Softmax || module is LogSoftmax
    }
    /// The model's batch-norm layers, found once.
    private lazy var batchNorms: [BatchNorm] = model.allModules.compactMap { $0 as? BatchNorm }
    /// The model's modules that draw random numbers (dropout), found once.
    private lazy var randomizedModules: [any RandomizedModule] = model.allModules.compactMap { $0 as? any RandomizedModule }
    /// When the last checkpoint was written (or training started).
    private var lastCheckpoint = ProcessInfo.processInfo.systemUptime
    /// When set, gradients are scaled to this global L2 norm at most before each update (`clipGradientNorm`).
    public var gradientClipNorm: Float?
    /// Micro-batches per update (gradient accumulation): each loader batch is split into `shards × accumulationSteps`
    /// micro-batches whose gradients are added by the `PairwiseSum` tree (each loss weighted by its share), then one
    /// update — the update of the whole batch up to float rounding, in the memory of one micro-batch. Batch norm sees
    /// micro-batches, so its statistics differ.
    public var accumulationSteps = 1
    /// Shards per update (see `ShardPlan`): the batch's micro-batches, spread over the ranks of `communicator`. With
    /// S shards, any number of ranks N with S/N a power of two trains the same bits (1: one forward and backward pass
    /// per batch, the fastest on one process).
    public var shards = 1
    /// The ranks training together (data-parallel): each computes its shards of every batch, gradients are summed
    /// over all ranks in a fixed order, and every rank makes the same update. Only rank 0 writes checkpoints.
    public var communicator: any Communicator = SingleProcessCommunicator()
    /// Asked before every iteration; when it returns true the trainer checkpoints and stops.
    public var shouldStop: () -> Bool = { false }

    /// Recorded with checkpoints.
    public var modelName: String
    /// The input normalizer, recorded with checkpoints.
    public var normalizer: Normalizer
    /// The run's configuration, stored in checkpoints (see `TrainingRun`).
    public var configuration: RunConfiguration?

    /// The records of every iteration and epoch so far.
    public private(set) var history = History()
    /// Where training stands (epoch, batch, global step).
    public private(set) var position = TrainingPosition()
    /// Whether the last `fit` stopped because `shouldStop` asked it to.
    public private(set) var wasInterrupted = false

    /// A trainer for `model` with `optimizer`; `modelName` is checked when resuming a checkpoint.
    public init(model: any Module, optimizer: any Optimizer, modelName: String = "model", normalizer: Normalizer = .identity) {
        self.model = model
        self.optimizer = optimizer
        self.modelName = modelName
        self.normalizer = normalizer
    }

    /// Trains until `epochs` epochs are complete (counting those done before a resume), a callback stops
    /// it, or `shouldStop` interrupts it. Throws `TrainingError.nonFiniteLoss` on a NaN/Inf loss, before
    /// any update is made with it.
    @discardableResult
    public func fit(_ loader: DataLoader, validation: (any Dataset)? = nil, epochs: Int) throws -> History {
        wasInterrupted = false
        while position.epoch < epochs && !callbacks.contains(where: { $0.isFinished(trainer: self) }) {
            guard try trainEpoch(loader, epochs: epochs) else { return history }
            let record = finishEpoch(validation: validation)
            progress.epoch(record, epochs: epochs)
            try saveCheckpoint()
            var stop = false
            for callback in callbacks where callback.epochEnded(record, trainer: self) { stop = true }
            if stop { break }
        }
        return history
    }

    /// The rest of the current epoch, batch by batch from `position.batch`; false when `shouldStop` interrupted it
    /// (after a checkpoint).
    func trainEpoch(_ loader: DataLoader, epochs: Int) throws -> Bool {
        let epoch = position.epoch
        let batches = loader.batchIndices(epoch: epoch)
        let epochStart = ProcessInfo.processInfo.systemUptime
        var samplesSeen = 0
        guard position.batch <= batches.count else {
            throw TrainingError.badCheckpoint(
                path: checkpointDirectory?.path ?? "checkpoint",
                problem: "resumes at batch \(position.batch) of an epoch of \(batches.count) batches")
        }
        // Each rank loads only the samples of its own shards.
        let plan = shardPlan
        let local = plan.ranks > 1 ? batches.map { Array($0[plan.localRows(count: $0.count)]) } : batches
        let prefetcher = BatchPrefetcher(loader, batches: local, epoch: epoch)
        defer { prefetcher.finish() }
        for b in position.batch..<batches.count {
            // Ranks stop together: a rank asked to stop says so in the step's exchange, and all stop after it.
            if plan.ranks == 1 && shouldStop() {
                wasInterrupted = true
                try saveCheckpoint()
                return false
            }
            let started = ProcessInfo.processInfo.systemUptime  // the iteration's time includes loading its batch
            let (record, stop) = try step(prefetcher.batch(b), count: batches[b].count, epoch: epoch, iteration: b, started: started)
            if stop {
                wasInterrupted = true
                try saveCheckpoint()
                return false
            }
            samplesSeen += record.batchSize
            for callback in callbacks { callback.iterationEnded(record, trainer: self) }
            let elapsed = ProcessInfo.processInfo.systemUptime - epochStart
            progress.iteration(
                epoch: epoch, epochs: epochs, batch: b, batches: loader.batchesPerEpoch, loss: record.loss,
                accuracy: record.accuracy, samplesPerSecond: Double(samplesSeen) / max(elapsed, 1e-9))
            let due =
                (checkpointEvery > 0 && position.globalStep % checkpointEvery == 0)
                || (checkpointSeconds > 0 && ProcessInfo.processInfo.systemUptime - lastCheckpoint >= checkpointSeconds)
            if due && b + 1 < batches.count { try saveCheckpoint() }
        }
        return true
    }

    /// The shards of an update and this rank's part of them.
    public var shardPlan: ShardPlan {
        ShardPlan(shards: max(shards, 1) * max(accumulationSteps, 1), ranks: communicator.size, rank: communicator.rank)
    }

    /// One iteration: forward, loss, backward, update — refused before the update when the loss is not finite.
    /// `batch` holds this rank's samples of a batch of `count`; the second result says whether some rank was asked to
    /// stop (then all stop after this update).
    func step(_ batch: Batch, count: Int, epoch: Int, iteration: Int, started: Double) throws -> (IterationRecord, Bool) {
        let learningRate = optimizer.currentLearningRate
        model.train()
        optimizer.zeroGrad()
        let plan = shardPlan
        let shardRows = plan.shardRanges(count: count)
        let offset = shardRows[plan.localShards.lowerBound].lowerBound
        // Shard k draws its dropout masks as the k-th forward pass of the update, whichever rank computes it.
        let randomized = randomizedModules
        let draws = randomized.map(\.randomDraws)
        if plan.isSharded && (cachedReducer == nil || cachedReducer!.communicator !== communicator) {
            cachedReducer = GradientReducer(parameters: model.parameters, communicator: communicator)
        }
        let reducer = plan.isSharded ? cachedReducer : nil
        reducer?.begin()
        var shardValues: [Float] = []  // per local shard: weighted loss, weighted accuracy
        if plan.isSharded && batch.labels.isEmpty {
            // This rank's shards are all empty (a batch smaller than the shards): its part of the sum is zeros.
            reducer?.addEmptyShard()
            shardValues = Array(repeating: 0, count: 2 * plan.localShards.count)
        } else if plan.isSharded && fusesShards && shardedForwardPass {
            // One forward and backward pass over this rank's samples; the ops sum over the batch shard by shard and
            // add the partials by the tree (`BatchShards`) — the bits of one pass per shard, in far fewer calls.
            let local = plan.localShards.map { k in (shardRows[k].lowerBound - offset)..<(shardRows[k].upperBound - offset) }
            try BatchShards.with(local, firstIndex: plan.localShards.lowerBound) {
                let output = model(batch.inputs)
                var total: Tensor?
                for rows in local {
                    guard !rows.isEmpty else {
                        shardValues += [0, 0]
                        continue
                    }
                    let micro = batch.rows(rows)
                    let (value, accuracy, loss) = try shardLoss(output[rows: rows], micro, count: count)
                    shardValues += [value, accuracy]
                    total = total.map { $0 + loss } ?? loss
                }
                total?.backward()
            }
            reducer?.addShard()
        } else {
            let replay = plan.ranks > 1 && !batchNorms.isEmpty ? BatchNormReplay(batchNorms) : nil
            defer { replay?.stopRecording() }
            for k in plan.localShards {
                let rows = shardRows[k]
                for (module, start) in zip(randomized, draws) { module.randomDraws = start + UInt64(k) }
                guard !rows.isEmpty else {
                    reducer?.addEmptyShard()
                    shardValues += [0, 0]
                    continue
                }
                let micro = plan.isSharded ? batch.rows((rows.lowerBound - offset)..<(rows.upperBound - offset)) : batch
                if plan.isSharded { optimizer.zeroGrad() }
                let output = model(micro.inputs)
                let (value, accuracy, loss) = try shardLoss(output, micro, count: count)
                if !plan.isSharded { try checkFinite(value, epoch: epoch, iteration: iteration) }
                loss.backward()
                reducer?.addShard()
                shardValues += [value, accuracy]
            }
            try replay?.synchronize(shards: plan.localShards.map { !shardRows[$0].isEmpty }, communicator: communicator)
        }
        for (module, start) in zip(randomized, draws) { module.randomDraws = start + UInt64(plan.shards) }
        var stop = false
        if let reducer {
            // One exchange of the small values: every shard's loss and accuracy, stop requests, which parameters got
            // gradients. Then the gradients, summed by the tree.
            let local = shardValues + [plan.ranks > 1 && shouldStop() ? 1 : 0] + reducer.present.map { $0 ? 1 : 0 }
            let all = try communicator.allGather(local)
            var presentAnywhere = Array(repeating: false, count: reducer.parameters.count)
            var values: [Float] = []
            for r in 0..<plan.ranks {
                let part = all[(r * local.count)..<((r + 1) * local.count)]
                values += part.prefix(shardValues.count)
                stop = stop || part[part.startIndex + shardValues.count] != 0
                for (i, flag) in part.suffix(presentAnywhere.count).enumerated() where flag != 0 { presentAnywhere[i] = true }
            }
            shardValues = values
            // A weighted loss is non-finite exactly when the loss is (weights are in (0, 1]).
            for k in 0..<plan.shards { try checkFinite(values[2 * k], epoch: epoch, iteration: iteration) }
            try reducer.finish(presentAnywhere: presentAnywhere)
        }
        var (lossValue, correct) = (Float(0), Float(0))
        for k in 0..<(shardValues.count / 2) {
            lossValue += shardValues[2 * k]
            correct += shardValues[2 * k + 1]
        }
        if let gradientClipNorm { clipGradientNorm(model.parameters, maxNorm: gradientClipNorm) }
        optimizer.step()
        let record = IterationRecord(
            epoch: epoch, iteration: iteration, globalStep: position.globalStep, loss: lossValue, accuracy: correct,
            learningRate: learningRate, batchSize: count, seconds: ProcessInfo.processInfo.systemUptime - started)
        history.iterations.append(record)
        position.globalStep += 1
        position.batch = iteration + 1
        return (record, stop)
    }

    /// A shard's loss weighted by its share of the batch of `count` (so the summed gradients are the batch's mean),
    /// with its weighted value and accuracy (NaN for regression, written as an empty cell / null).
    private func shardLoss(_ output: Tensor, _ micro: Batch, count: Int) throws -> (value: Float, accuracy: Float, loss: Tensor) {
        let weight = Float(micro.labels.count) / Float(count)
        let loss = micro.targets.map { regressionLoss(output, $0) } ?? lossFunction(output, micro.labels)
        let value = loss.scalar
        let accuracy = micro.targets == nil ? withoutGradients { Metrics.accuracy(output, micro.labels) } : .nan
        return weight == 1 ? (value, accuracy, loss) : (value * weight, accuracy * weight, loss * weight)
    }

    /// Throws `TrainingError.nonFiniteLoss` for a NaN or infinite loss, first making the state before this batch the
    /// checkpoint when its weights are still finite (else the last good one stays): the run can be inspected and resumed.
    private func checkFinite(_ value: Float, epoch: Int, iteration: Int) throws {
        guard !value.isFinite else { return }
        if model.namedParameters.allSatisfy({ $0.parameter.value.scalars.allSatisfy(\.isFinite) }) { try? saveCheckpoint() }
        throw TrainingError.nonFiniteLoss(value: value, epoch: epoch, iteration: iteration, globalStep: position.globalStep)
    }

    /// The epoch's record, from all of its iterations (also those before a resume) and the validation set; moves
    /// the position to the next epoch.
    func finishEpoch(validation: (any Dataset)?) -> EpochRecord {
        let epoch = position.epoch
        let records = history.iterations.filter { $0.epoch == epoch }
        let samples = Float(max(records.reduce(0) { $0 + $1.batchSize }, 1))
        let result = validation.map { evaluate($0) }
        let record = EpochRecord(
            epoch: epoch, globalStep: position.globalStep, trainLoss: records.reduce(Float(0)) { $0 + $1.loss * Float($1.batchSize) } / samples,
            trainAccuracy: records.reduce(Float(0)) { $0 + $1.accuracy * Float($1.batchSize) } / samples, validationLoss: result?.loss,
            validationAccuracy: result?.accuracy, learningRate: records.last?.learningRate ?? 0,
            seconds: records.reduce(0) { $0 + $1.seconds })
        history.epochs.append(record)
        position.epoch += 1
        position.batch = 0
        return record
    }

    /// Trains on `dataset` in shuffled batches of `batchSize` (order from `seed`): `fit(DataLoader(…), …)` in one call.
    @discardableResult
    public func fit(
        _ dataset: any Dataset, batchSize: Int = 64, seed: UInt64 = 0, validation: (any Dataset)? = nil,
        epochs: Int
    ) throws -> History {
        try fit(DataLoader(dataset, batchSize: batchSize, shuffle: true, seed: seed), validation: validation, epochs: epochs)
    }

    /// Mean loss and accuracy over a dataset, in evaluation mode, without recording gradients.
    public func evaluate(_ dataset: any Dataset, batchSize: Int? = nil, outputs: ((Tensor) -> Void)? = nil) -> (loss: Float, accuracy: Float) {
        Metrics.evaluate(model, on: dataset, batchSize: batchSize, loss: lossFunction, regressionLoss: regressionLoss, outputs: outputs)
    }

    /// Mean loss and accuracy over the samples a loader gives (its dataset, in its batches, unshuffled).
    public func evaluate(_ loader: DataLoader) -> (loss: Float, accuracy: Float) {
        Metrics.evaluate(model, on: loader.dataset, batchSize: loader.batchSize, loss: lossFunction, regressionLoss: regressionLoss)
    }

    /// The checkpoint state of this run now.
    public var checkpointState: CheckpointState {
        var shapes: [String: [Int]] = [:]
        for (name, tensor) in model.stateDict() { shapes[name] = tensor.shape }
        var randomStates: [String: [UInt64]] = [:]
        for (name, module) in model.namedModules {
            if let randomized = module as? any RandomizedModule { randomStates[name] = [randomized.seed, randomized.randomDraws] }
        }
        return CheckpointState(
            modelName: modelName, shapes: shapes, position: position,
            optimizerStepCount: optimizer.stepCount, randomStates: randomStates, normalizer: normalizer,
            history: history, configuration: configuration)
    }

    /// Makes every rank's weights and buffers (batch-norm statistics) rank 0's: at the start of a data-parallel run
    /// and after a resume. Nothing to do for one process.
    public func synchronizeModel() throws {
        guard communicator.size > 1 else { return }
        for (_, parameter) in model.namedParameters.map({ ($0.name, $0.parameter) }) + model.namedBuffers.map({ ($0.name, $0.buffer) }) {
            var values = parameter.value.scalars
            try communicator.broadcast(&values, from: 0)
            parameter.value = Tensor(shape: parameter.shape, scalars: values)
        }
    }

    /// Writes a checkpoint now (no-op without a checkpoint directory).
    public func saveCheckpoint() throws {
        lastCheckpoint = ProcessInfo.processInfo.systemUptime
        guard let checkpointDirectory else { return }
        try CheckpointStore.save(model: model, optimizer: optimizer, state: checkpointState, to: checkpointDirectory)
    }

    /// Restores weights, optimizer state, position, history, random draws and normalizer from the latest
    /// checkpoint in `directory`. Fails, changing nothing, if it was written for another model.
    public func resume(from directory: URL) throws {
        try restore(from: CheckpointStore.load(from: directory))
    }

    /// Restores this run from a checkpoint already read (see `resume(from:)`).
    public func restore(from checkpoint: SavedCheckpoint) throws {
        let (state, weights, slots, directory) = (checkpoint.state, checkpoint.model, checkpoint.optimizer, checkpoint.directory)
        guard state.modelName == modelName else {
            throw TrainingError.badCheckpoint(
                path: directory.path,
                problem: "written for model '\(state.modelName)', not '\(modelName)'")
        }
        do {
            try model.loadStateDict(weights)
        } catch {
            throw TrainingError.badCheckpoint(path: directory.path, problem: error.description)
        }
        let known = Set(optimizer.parameters.map(\.name))
        for key in slots.keys where !known.contains(where: { key.hasPrefix($0 + ".") }) {
            throw TrainingError.badCheckpoint(path: directory.path, problem: "optimizer state '\(key)' belongs to no parameter")
        }
        // Every slot must have its parameter's shape (a scalar for the step count): the update reads them in full.
        let shapes = Dictionary(optimizer.parameters.map { ($0.name, $0.parameter.shape) }, uniquingKeysWith: { a, _ in a })
        for (key, tensor) in slots {
            guard let name = shapes.keys.filter({ key.hasPrefix($0 + ".") }).max(by: { $0.count < $1.count }) else { continue }
            let expected = key == name + ".step" ? [] : shapes[name]!
            guard tensor.shape == expected else {
                throw TrainingError.badCheckpoint(
                    path: directory.path,
                    problem: "optimizer state '\(key)' has shape \(tensor.shape), expected \(expected)")
            }
            if expected.isEmpty, let step = tensor.scalars.first, !(step >= 0 && step <= 1e12 && step == step.rounded()) {
                throw TrainingError.badCheckpoint(path: directory.path, problem: "optimizer state '\(key)' is \(step), not a step count")
            }
        }
        optimizer.state.restore(stepCount: state.optimizerStepCount, slots: slots)
        for (name, module) in model.namedModules {
            guard let randomized = module as? any RandomizedModule else { continue }
            guard let saved = state.randomStates[name], saved.count == 2 else {
                throw TrainingError.badCheckpoint(path: directory.path, problem: "no random state for module '\(name)'")
            }
            randomized.seed = saved[0]
            randomized.randomDraws = saved[1]
        }
        position = state.position
        history = state.history
        normalizer = state.normalizer
        configuration = configuration ?? state.configuration
    }
}

/// Accuracy and evaluation helpers.
public enum Metrics {
    /// The batch size evaluation uses by default: 500 samples, fewer for large samples (at most 2²⁰ input values a
    /// batch, at least 16 samples), so that evaluating 224×224 images does not hold hundreds of MB of activations.
    public static func evaluationBatchSize(_ dataset: any Dataset) -> Int {
        min(500, max(16, (1 << 20) / max(dataset.sampleSize, 1)))
    }

    /// Fraction of rows of `logits` [N, C] whose argmax equals the label.
    public static func accuracy(_ logits: Tensor, _ labels: [Int32]) -> Float {
        guard !labels.isEmpty else { return 0 }
        let predictions = logits.argmax(axis: 1).scalars
        var correct = 0
        for (p, l) in zip(predictions, labels) where Int32(p) == l { correct += 1 }
        return Float(correct) / Float(labels.count)
    }

    /// Mean loss (default: cross-entropy from logits) and accuracy of `model` over `dataset` in evaluation mode
    /// (the mode is restored after). A regression dataset (with `targets`) gives `regressionLoss` and accuracy NaN.
    /// `outputs`, when given, receives the model's output for each batch, in order (for scores beyond the loss).
    public static func evaluate(
        _ model: any Module, on dataset: any Dataset, batchSize: Int? = nil,
        loss: (Tensor, [Int32]) -> Tensor = { crossEntropy(logits: $0, labels: $1) },
        regressionLoss: (Tensor, Tensor) -> Tensor = { meanSquaredError($0, $1) }, outputs: ((Tensor) -> Void)? = nil
    )
        -> (loss: Float, accuracy: Float)
    {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var totalLoss = 0.0
        var correct = 0.0
        // Evaluation's sizes differ from training's: the buffers kept for one would stay resident beside the other's.
        Tensor.releaseCachedBuffers()
        defer { Tensor.releaseCachedBuffers() }
        let loader = DataLoader(dataset, batchSize: batchSize ?? evaluationBatchSize(dataset), shuffle: false)
        withoutGradients {
            for batch in loader.batches(epoch: 0) {
                let output = model(batch.inputs)
                outputs?(output)
                let n = Double(batch.labels.count)
                if let targets = batch.targets {
                    totalLoss += Double(regressionLoss(output, targets).scalar) * n
                    correct = .nan
                } else {
                    totalLoss += Double(loss(output, batch.labels).scalar) * n
                    correct += Double(accuracy(output, batch.labels)) * n
                }
            }
        }
        let n = Double(max(dataset.count, 1))
        return (Float(totalLoss / n), Float(correct / n))
    }
}
