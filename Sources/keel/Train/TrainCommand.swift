import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelTrain
import Synchronization

/// Set by SIGINT/SIGTERM; the trainer checkpoints and stops at the next iteration.
let stopRequested = Atomic<Bool>(false)

enum OptimizerName: String, ExpressibleByArgument, CaseIterable {
    case sgd, adam, adamw, rmsprop, adagrad
}

extension ReferenceModel: ExpressibleByArgument {}
extension Normalizer.Method: ExpressibleByArgument {}

/// `keel train`: trains a model on MNIST-format data and writes weights, checkpoints, history and metrics.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (default: the reference CNN on the embedded MNIST-5k).",
        discussion: """
        Writes DIR/model.safetensors (PyTorch state_dict names), DIR/model.json, DIR/checkpoint/, \
        DIR/history.csv (one row per epoch), DIR/iterations.csv and DIR/metrics.json. Ctrl-C checkpoints \
        and stops; `--resume DIR` continues bit-identically.
        """)

    @Option(help: "mnist-5k (embedded) or a path to an MNIST-format folder (MNIST, Fashion-MNIST).")
    var dataset = "mnist-5k"
    @Option(help: "Model: \(ReferenceModel.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: ReferenceModel = .cnn
    @Option(help: "Epochs (passes over the training set).") var epochs = 10
    @Option(help: "Samples per batch (per parameter update).") var batchSize = 64
    @Option(help: "Optimizer: \(OptimizerName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer: OptimizerName = .sgd
    @Option(help: "Learning rate (default: 0.05 for sgd, 0.01 for adagrad, 0.001 otherwise).")
    var lr: Float?
    @Option(help: "Momentum (sgd, rmsprop).") var momentum: Float = 0.9
    @Option(help: "Weight decay (L2; decoupled for adamw).") var weightDecay: Float = 0
    @Option(help: "Random seed (initialization, batch order, dropout).") var seed: UInt64 = 0
    @Option(help: "Input normalization fitted on the training split: none, standard (z-score).")
    var normalize: Normalizer.Method = .standard
    @Option(help: "Fraction of the training split held out for validation each epoch.") var validationFraction: Double = 0
    @Option(help: "Output folder.") var out: String?
    @Option(help: "Resume the run in this folder from its checkpoint.") var resume: String?
    @Option(help: "Also checkpoint every N iterations (0: at epoch ends only).") var checkpointEvery = 20
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Flag(help: "No progress output.") var quiet = false

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
        guard momentum >= 0 && momentum < 1 else { throw ValidationError("--momentum must be in [0, 1), got \(momentum)") }
        guard weightDecay >= 0 else { throw ValidationError("--weight-decay must be ≥ 0, got \(weightDecay)") }
        guard validationFraction >= 0 && validationFraction < 1 else {
            throw ValidationError("--validation-fraction must be in [0, 1), got \(validationFraction)")
        }
        guard checkpointEvery >= 0 else { throw ValidationError("--checkpoint-every must be ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    var learningRate: Float {
        lr ?? [.sgd: 0.05, .adagrad: 0.01][optimizer] ?? 0.001
    }

    func makeOptimizer(_ parameters: NamedParameters) -> any Optimizer {
        let schedule = ConstantLearningRate(learningRate)
        switch optimizer {
        case .sgd: return SGD(parameters, learningRate: schedule, momentum: momentum, weightDecay: weightDecay)
        case .adam: return Adam(parameters, learningRate: schedule, weightDecay: weightDecay)
        case .adamw: return AdamW(parameters, learningRate: schedule, weightDecay: weightDecay)
        case .rmsprop: return RMSprop(parameters, learningRate: schedule, weightDecay: weightDecay, momentum: momentum)
        case .adagrad: return Adagrad(parameters, learningRate: schedule, weightDecay: weightDecay)
        }
    }

    /// The run's settings, recorded in checkpoints and compared on resume.
    var settings: [String: String] {
        ["dataset": dataset, "model": model.rawValue, "epochs": "\(epochs)", "batch_size": "\(batchSize)",
         "optimizer": optimizer.rawValue, "lr": "\(learningRate)", "momentum": "\(momentum)",
         "weight_decay": "\(weightDecay)", "seed": "\(seed)", "normalize": normalize.rawValue,
         "validation_fraction": "\(validationFraction)"]
    }

    func run() throws { try reportingErrors(train) }

    func train() throws {
        if let threads { Parallel.threadCount = threads }
        let outDirectory = URL(fileURLWithPath: out ?? resume ?? "runs/\(model.rawValue)")
        let checkpointDirectory = outDirectory.appendingPathComponent("checkpoint")
        if let resume {
            let from = URL(fileURLWithPath: resume).appendingPathComponent("checkpoint")
            guard CheckpointStore.exists(at: from) else { throw CLIError("\(from.path): no checkpoint to resume from") }
        } else if CheckpointStore.exists(at: checkpointDirectory) {
            throw CLIError("\(outDirectory.path) already holds a run; resume it with --resume \(outDirectory.path) " +
                           "or choose another --out")
        }

        // Data: normalization is fitted on the training split only.
        let fullTrain = try loadImageDataset(dataset, split: .train)
        let test = try loadImageDataset(dataset, split: .test)
        var trainSet = fullTrain
        var validationSet: TensorDataset?
        if validationFraction > 0 {
            let order = DataLoader(fullTrain, batchSize: 1, shuffle: true, seed: seed ^ 0x7A11).order(epoch: 0)
            let held = Int((Double(fullTrain.count) * validationFraction).rounded())
            validationSet = fullTrain.subset(Array(order.prefix(held)))
            trainSet = fullTrain.subset(Array(order.dropFirst(held)))
        }
        var normalizer = Normalizer.fit(normalize, on: trainSet.features)

        var generator = KeelRandom(seed: seed)
        let network = model.make(inputShape: trainSet.sampleShape, classes: fullTrain.classCount, generator: &generator)
        let trainer = Trainer(model: network, optimizer: makeOptimizer(network.namedParameters),
                              modelName: model.rawValue, normalizer: normalizer)
        trainer.settings = settings
        if let resume {
            try trainer.resume(from: URL(fileURLWithPath: resume).appendingPathComponent("checkpoint"))
            normalizer = trainer.normalizer
        }
        trainer.checkpointDirectory = checkpointDirectory
        trainer.checkpointEvery = checkpointEvery
        trainer.progress = ProgressReporter(style: quiet ? .silent : nil)
        trainer.shouldStop = { stopRequested.load(ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }

        let normalizedTrain = trainSet.mapFeatures(normalizer.apply)
        let normalizedTest = test.mapFeatures(normalizer.apply)
        let loader = DataLoader(normalizedTrain, batchSize: batchSize, shuffle: true, seed: seed)
        if !quiet {
            trainer.progress.message("keel train: \(model.rawValue) (\(network.parameterCount) parameters) on \(dataset): " +
                "\(trainSet.count) training / \(test.count) test samples, batch size \(batchSize) → " +
                "\(loader.batchesPerEpoch) iterations per epoch, \(epochs) epochs, \(optimizer.rawValue) lr \(learningRate), " +
                "\(Parallel.threadCount) threads")
        }
        let started = ProcessInfo.processInfo.systemUptime
        try trainer.fit(loader, validation: validationSet?.mapFeatures(normalizer.apply), epochs: epochs)
        let wall = ProcessInfo.processInfo.systemUptime - started
        if trainer.wasInterrupted {
            trainer.progress.message("interrupted at epoch \(trainer.position.epoch + 1), iteration \(trainer.position.batch) " +
                "(global step \(trainer.position.globalStep)); checkpoint saved. Resume with: keel train --resume \(outDirectory.path)")
            throw ExitCode(130)
        }

        let result = trainer.evaluate(normalizedTest)
        try SafeTensors.write(network.stateDict(), metadata: ["format": "pt", "keel_model": model.rawValue],
                              to: outDirectory.appendingPathComponent("model.safetensors"))
        try ModelDescription(model: model.rawValue, inputShape: trainSet.sampleShape, classes: fullTrain.classCount,
                             normalizer: normalizer, dataset: dataset).write(to: outDirectory)
        let history = trainer.history
        try AtomicFile.write(Data(history.epochsCSV().utf8), to: outDirectory.appendingPathComponent("history.csv"))
        try AtomicFile.write(Data(history.iterationsCSV().utf8), to: outDirectory.appendingPathComponent("iterations.csv"))
        let trainSeconds = history.iterations.reduce(0) { $0 + $1.seconds }
        let samples = history.iterations.reduce(0) { $0 + $1.batchSize }
        let metrics: [String: Any] = [
            "test_accuracy": Double(result.accuracy), "test_loss": Double(result.loss),
            "train_seconds": trainSeconds, "wall_seconds_this_session": wall,
            "epochs": history.epochs.count, "batch_size": batchSize, "iterations": history.iterations.count,
            "iterations_per_epoch": loader.batchesPerEpoch, "samples_per_second": Double(samples) / max(trainSeconds, 1e-9),
            "final_train_loss": Double(history.epochs.last?.trainLoss ?? .nan),
            "final_train_accuracy": Double(history.epochs.last?.trainAccuracy ?? .nan),
            "model": model.rawValue, "parameters": network.parameterCount, "optimizer": optimizer.rawValue,
            "learning_rate": Double(learningRate), "seed": seed, "dataset": dataset, "threads": Parallel.threadCount,
            "normalize": normalize.rawValue,
        ]
        let json = try JSONSerialization.data(withJSONObject: metrics, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(json, to: outDirectory.appendingPathComponent("metrics.json"))
        print(String(format: "test accuracy %.2f%%, test loss %.4f, %d epochs, %d iterations, %.1f s training (%.0f samples/s) → %@",
                     result.accuracy * 100, result.loss, history.epochs.count, history.iterations.count, trainSeconds,
                     Double(samples) / max(trainSeconds, 1e-9), outDirectory.path))
    }
}
