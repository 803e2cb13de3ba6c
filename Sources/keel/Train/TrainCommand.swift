import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelTrain
import Synchronization

/// Set by SIGINT/SIGTERM; the trainer checkpoints and stops at the next iteration.
let stopRequested = Atomic<Bool>(false)

enum Recipe: String, ExpressibleByArgument, CaseIterable { case `default`, plain }

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

    @Option(help: "mnist-5k (default), wine, iris, digits (embedded), an MNIST-format folder, a folder of PNG/JPEG images with one sub-folder per class, or a CSV file.")
    var dataset: String?
    @Option(help: "The label column of a CSV file: a header name or a 0-based index (default: the last column).")
    var labelColumn: String?
    @Option(help: "Model: \(ReferenceModel.allCases.map(\.rawValue).joined(separator: ", ")) (default cnn for images, mlp for tables).")
    var model: ReferenceModel?
    @Option(help: "Hidden-layer activation, NAME or NAME:PARAMETER, e.g. relu (default), gelu, leaky_relu:0.5.")
    var activation: String?
    @Option(help: "Epochs, passes over the training set (default: 25 in the default CNN recipe, else 10). Giving it turns the recipe off.")
    var epochs: Int?
    @Option(help: "Samples per batch, i.e. per parameter update (default 64).") var batchSize: Int?
    @Option(help: "Optimizer: \(OptimizerName.allCases.map(\.rawValue).joined(separator: ", ")) (default sgd).")
    var optimizer: OptimizerName?
    @Option(help: "Learning rate (default: 0.05 for sgd, 0.01 for adagrad, 0.001 otherwise).")
    var lr: Float?
    @Option(help: ArgumentHelp("Learning-rate schedule read at the global step: NAME or NAME:key=value,… with TensorFlow's or PyTorch's " +
        "parameter names, lists with '/', e.g. cosine_decay:decay_steps=630 or " +
        "piecewise_constant:boundaries=300/500,values=0.05/0.01/0.002 (its learning_rate defaults to --lr). See `keel schedule`."))
    var schedule: String?
    @Option(help: "Reduce the learning rate by this factor when the validation (or training) loss stops improving.")
    var plateauFactor: Float?
    @Option(help: "Epochs without improvement before reducing (with --plateau-factor).") var plateauPatience = 2
    @Option(help: ArgumentHelp("Random augmentation of each training image, in order (repeatable), e.g. " +
        "random-affine:degrees=15,translate=0.1,scale=0.9/1.1, random-hflip:p=0.5, " +
        "color-jitter:brightness=0.4,contrast=0.4,saturation=0.4,hue=0.1, noise:sigma=0.05. It must keep the sample size."))
    var augment: [String] = []
    @Option(help: "Dropout probability before the last layer (default: 0.5 in the default CNN recipe, else 0).") var dropout: Float?
    @Option(help: "Momentum for sgd and rmsprop (default 0.9).") var momentum: Float?
    @Option(help: "Weight decay: L2, decoupled for adamw (default 0).") var weightDecay: Float?
    @Option(help: "Random seed for initialization, batch order and dropout (default 0).") var seed: UInt64?
    @Option(help: "Input normalization fitted on the training split: none, minmax, minmax-symmetric, standard (default), log, signed-log.")
    var normalize: Normalizer.Method?
    @Option(help: "Fraction of the training split held out for validation each epoch (default 0).")
    var validationFraction: Double?
    @Option(help: "Output folder (default: runs/MODEL, or runs/MODEL-2, … if taken; the resumed run's folder with --resume).")
    var out: String?
    @Option(help: "Resume the run in this folder from its checkpoint, with its settings (only --epochs may change).")
    var resume: String?
    @Option(help: "Besides epoch ends, checkpoint every N iterations (0: not by count).") var checkpointEvery = 0
    @Option(help: "Besides epoch ends, checkpoint after this many seconds since the last checkpoint (0: not by time).")
    var checkpointSeconds: Double = 60
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @OptionGroup var kernels: KernelOptions
    @OptionGroup var imageLimits: ImageLimitOptions
    @Option(help: ArgumentHelp("default (when omitted): the CNN on images trains with random-affine:degrees=12,translate=0.1,scale=0.9/1.1, " +
        "dropout 0.5 and one_cycle to --lr over 25 epochs, unless --augment, --schedule, --dropout or --epochs is given; " +
        "plain: only what the flags say."))
    var recipe: Recipe?
    @Flag(help: "Record per-layer dead/saturated fractions and gradient norms (printed per epoch, DIR/diagnostics.csv).")
    var diagnostics = false
    @Flag(help: "No progress output.") var quiet = false

    func validate() throws {
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive, got \(epochs)") }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
        if let momentum, !(momentum >= 0 && momentum < 1) { throw ValidationError("--momentum must be in [0, 1), got \(momentum)") }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) {
            throw ValidationError("--weight-decay must be a finite number ≥ 0, got \(weightDecay)")
        }
        if let validationFraction, !(validationFraction >= 0 && validationFraction < 1) {
            throw ValidationError("--validation-fraction must be in [0, 1), got \(validationFraction)")
        }
        if let out, out.isEmpty { throw ValidationError("--out must name a folder, got ''") }
        if let resume, resume.isEmpty { throw ValidationError("--resume must name a run folder, got ''") }
        if let epochs, epochs > 1_000_000 { throw ValidationError("--epochs must be at most 1,000,000, got \(epochs)") }
        if let batchSize, batchSize > 1 << 20 { throw ValidationError("--batch-size must be at most 1048576, got \(batchSize)") }
        if let threads, threads > 1024 { throw ValidationError("--threads must be at most 1024, got \(threads)") }
        guard checkpointEvery >= 0 else { throw ValidationError("--checkpoint-every must be ≥ 0") }
        guard checkpointSeconds >= 0 && checkpointSeconds.isFinite else {
            throw ValidationError("--checkpoint-seconds must be a finite number ≥ 0, got \(checkpointSeconds)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let dropout, !(dropout >= 0 && dropout < 1) { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
        do { _ = try AugmentationPipeline.parse(augment) } catch let error as DataError { throw ValidationError("--augment: \(error)") }
        if !(1...1000).contains(plateauPatience) { throw ValidationError("--plateau-patience must be in 1…1000, got \(plateauPatience)") }
        if let plateauFactor, !(plateauFactor > 0 && plateauFactor < 1) {
            throw ValidationError("--plateau-factor must be in (0, 1), got \(plateauFactor)")
        }
        if let schedule {
            do { _ = try Schedule.parse(schedule, defaultLearningRate: lr ?? 0.05) } catch let error as ScheduleError {
                throw ValidationError("--schedule: \(error)")
            }
        }
        if let activation {
            do { _ = try Activation.parse(activation) } catch let error as ActivationSpecError { throw ValidationError("--activation: \(error)") }
        }
    }

    /// Defaults, then the resumed run's settings, then the flags given. A resumed run refuses changed
    /// settings other than the number of epochs.
    func effectiveSettings(resuming saved: TrainSettings?) throws -> TrainSettings {
        var s = saved ?? TrainSettings()
        var conflicts: [String] = []
        func apply<T: Equatable>(_ flag: String, _ value: T?, _ keyPath: WritableKeyPath<TrainSettings, T>) {
            guard let value else { return }
            if saved != nil && s[keyPath: keyPath] != value { conflicts.append("--\(flag) \(value) (the run has \(s[keyPath: keyPath]))") }
            s[keyPath: keyPath] = value
        }
        apply("dataset", dataset, \.dataset)
        apply("label-column", labelColumn, \.labelColumn)
        apply("model", model?.rawValue, \.model)
        apply("batch-size", batchSize, \.batchSize)
        apply("optimizer", optimizer?.rawValue, \.optimizer)
        if let lr {
            if saved != nil && s.learningRate != lr { conflicts.append("--lr \(lr) (the run has \(s.effectiveLearningRate))") }
            s.learningRate = lr
        }
        apply("momentum", momentum, \.momentum)
        apply("weight-decay", weightDecay, \.weightDecay)
        apply("seed", seed, \.seed)
        apply("normalize", normalize?.rawValue, \.normalize)
        apply("validation-fraction", validationFraction, \.validationFraction)
        apply("activation", activation, \.activation)
        apply("dropout", dropout, \.dropout)
        if !augment.isEmpty {
            if saved != nil && s.augment != augment { conflicts.append("--augment (the run has \(s.augment))") }
            s.augment = augment
        }
        if let schedule {
            if saved != nil && s.schedule != schedule { conflicts.append("--schedule \(schedule) (the run has \(s.schedule ?? "none"))") }
            s.schedule = schedule
        }
        if let epochs { s.epochs = epochs }
        if !conflicts.isEmpty {
            throw CLIError("a resumed run keeps its settings; these flags differ: \(conflicts.joined(separator: ", "))")
        }
        return s
    }

    /// runs/MODEL, or runs/MODEL-2, -3, … when it is taken (so that running `keel train` again never clobbers a run).
    static func freshRunDirectory(for model: String) -> String {
        var candidate = "runs/\(model)", n = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "runs/\(model)-\(n)"
            n += 1
        }
        return candidate
    }

    /// cnn for image folders, mlp for tables, when --model is not given.
    static func defaultModel(_ s: TrainSettings) -> ReferenceModel? {
        guard s.model == "auto" else { return nil }
        return ((try? DataSource.named(s.dataset, labelColumn: s.labelColumn))?.isTable ?? false) ? .mlp : .cnn
    }

    static func makeOptimizer(_ s: TrainSettings, _ parameters: NamedParameters) throws -> any Optimizer {
        let schedule: any LearningRateSchedule
        do {
            schedule = try s.learningRateSchedule()
        } catch let error as ScheduleError {
            throw CLIError("--schedule: \(error)")
        }
        switch OptimizerName(rawValue: s.optimizer) ?? .sgd {
        case .sgd: return SGD(parameters, learningRate: schedule, momentum: s.momentum, weightDecay: s.weightDecay)
        case .adam: return Adam(parameters, learningRate: schedule, weightDecay: s.weightDecay)
        case .adamw: return AdamW(parameters, learningRate: schedule, weightDecay: s.weightDecay)
        case .rmsprop: return RMSprop(parameters, learningRate: schedule, weightDecay: s.weightDecay, momentum: s.momentum)
        case .adagrad: return Adagrad(parameters, learningRate: schedule, weightDecay: s.weightDecay)
        }
    }

    func run() throws { try reportingErrors(train) }

    func train() throws {
        try kernels.apply()
        imageLimits.apply()
        if let threads { Parallel.threadCount = threads }
        var saved: TrainSettings?
        if let resume {
            let from = URL(fileURLWithPath: resume).appendingPathComponent("checkpoint")
            guard CheckpointStore.exists(at: from) else { throw CLIError("\(from.path): no checkpoint to resume from") }
            let state = try CheckpointStore.load(from: from).state
            guard let text = state.settings[TrainSettings.checkpointKey], let decoded = TrainSettings.decode(text) else {
                throw CLIError("\(from.path): the checkpoint was not written by `keel train` (no run settings)")
            }
            saved = decoded
        }
        var settings = try effectiveSettings(resuming: saved)
        guard let model = ReferenceModel(rawValue: settings.model) ?? Self.defaultModel(settings),
              let normalize = Normalizer.Method(rawValue: settings.normalize) else {
            throw CLIError("unknown model '\(settings.model)' or normalization '\(settings.normalize)'")
        }
        let hiddenActivation = try TrainSettings.parseActivation(settings.activation)
        let (dataset, batchSize, seed) = (settings.dataset, settings.batchSize, settings.seed)
        let learningRate = settings.effectiveLearningRate
        let outDirectory = URL(fileURLWithPath: out ?? resume ?? Self.freshRunDirectory(for: model.rawValue))
        let checkpointDirectory = outDirectory.appendingPathComponent("checkpoint")
        // One run per folder at a time; a run that fails before writing anything leaves no folder behind.
        let lock = try RunLock(directory: outDirectory)
        defer { lock.release() }
        if resume == nil && CheckpointStore.exists(at: checkpointDirectory) {
            throw CLIError("\(outDirectory.path) already holds a run; resume it with --resume \(outDirectory.path) " +
                           "or choose another --out")
        }

        // Data: normalization is fitted on the training split only (a resumed run keeps its saved normalizer).
        let source = try DataSource.named(dataset, labelColumn: settings.labelColumn)
        var resumedNormalizer: Normalizer?
        if let resume {
            resumedNormalizer = try CheckpointStore.load(from: URL(fileURLWithPath: resume).appendingPathComponent("checkpoint")).state.normalizer
        }
        let data = try PreparedData.prepare(source, normalize: normalize, validationFraction: settings.validationFraction,
                                            seed: seed, normalizer: resumedNormalizer)
        let normalizer = data.normalizer
        if model == .cnn && data.train.sampleShape.count != 3 {
            throw CLIError("the cnn model needs images [C, H, W]; \(dataset) has samples of shape \(data.train.sampleShape) — use --model mlp")
        }
        // The default recipe for the CNN on images, unless a flag of its own was given: random affine
        // augmentation, dropout 0.5 and a one-cycle schedule over 25 epochs.
        if saved == nil && (recipe ?? .default) == .default && model == .cnn && augment.isEmpty && schedule == nil && dropout == nil && self.epochs == nil {
            settings.epochs = 25
            settings.dropout = 0.5
            settings.augment = ["random-affine:degrees=12,translate=0.1,scale=0.9/1.1"]
            let steps = settings.epochs * ((data.train.count + batchSize - 1) / batchSize)
            settings.schedule = "one_cycle:max_lr=\(learningRate),total_steps=\(steps)"
        } else if saved == nil && recipe == nil && model == .cnn && !quiet {
            let given = [("--epochs", self.epochs != nil), ("--augment", !augment.isEmpty), ("--schedule", schedule != nil),
                         ("--dropout", dropout != nil)].filter(\.1).map(\.0)
            FileHandle.standardError.write(Data(("note: \(given.joined(separator: ", ")) given, so the default recipe (augmentation, " +
                "dropout 0.5, one-cycle over 25 epochs) is off; only the flags apply (--recipe plain says so explicitly)\n").utf8))
        }
        let epochs = settings.epochs

        if let problem = model.problem(inputShape: data.train.sampleShape, classes: data.train.classCount) {
            throw CLIError("\(dataset): \(problem)")
        }
        var generator = KeelRandom(seed: seed)
        let network = model.make(inputShape: data.train.sampleShape, classes: data.train.classCount, activation: hiddenActivation,
                                 dropout: settings.dropout, dropoutSeed: seed, generator: &generator)
        let trainer = Trainer(model: network, optimizer: try Self.makeOptimizer(settings, network.namedParameters),
                              modelName: model.rawValue, normalizer: normalizer)
        trainer.settings = [TrainSettings.checkpointKey: try settings.encoded()]
        if let resume {
            try trainer.resume(from: URL(fileURLWithPath: resume).appendingPathComponent("checkpoint"))
        }
        trainer.checkpointDirectory = checkpointDirectory
        trainer.checkpointEvery = checkpointEvery
        trainer.checkpointSeconds = checkpointSeconds
        trainer.progress = ProgressReporter(style: quiet ? .silent : nil)
        trainer.shouldStop = { stopRequested.load(ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }

        if let plateauFactor {
            trainer.callbacks.append(ReduceLROnPlateau(factor: plateauFactor, patience: plateauPatience))
        }
        var recorder: DiagnosticsRecorder?
        if diagnostics {
            let r = DiagnosticsRecorder(model: network)
            trainer.callbacks.append(r)
            trainer.callbacks.append(ClosureCallback(epoch: { [quiet] record, trainer in
                guard !quiet else { return false }
                for l in r.epochSummary(record.epoch) {
                    var parts = ["  layer \(l.layer) (\(l.kind))"]
                    if let d = l.deadFraction { parts.append(String(format: "dead %.1f%%", d * 100)) }
                    if let s = l.saturatedFraction { parts.append(String(format: "saturated %.1f%%", s * 100)) }
                    if let m = l.meanDerivative { parts.append(String(format: "mean |f′| %.3f", m)) }
                    if let g = l.gradientNorm { parts.append(String(format: "‖∇‖ %.4g", g)) }
                    trainer.progress.message(parts.joined(separator: "  "))
                }
                return false
            }))
            recorder = r
        }
        let augmentation = try AugmentationPipeline.parse(settings.augment)
        if !settings.augment.isEmpty {
            let shape = data.rawTrain.sampleShape
            guard shape.count == 3 else { throw CLIError("--augment needs image data; \(dataset) has samples of shape \(shape)") }
            // Checked before any worker runs: every augmented sample must keep the model's input size.
            let size: (height: Int, width: Int)
            do { size = try augmentation.outputSize(height: shape[1], width: shape[2]) } catch let error as DataError {
                throw CLIError("--augment: \(error) (the samples are \(shape[2])×\(shape[1]))")
            }
            guard size == (shape[1], shape[2]) else {
                throw CLIError("--augment \(settings.augment.joined(separator: " ")) turns \(shape[2])×\(shape[1]) samples into " +
                               "\(size.width)×\(size.height); augmentation must keep the model's input size")
            }
        }
        // With augmentation, raw images are augmented first and normalized per batch (torchvision's order).
        let loader = settings.augment.isEmpty
            ? DataLoader(data.train, batchSize: batchSize, shuffle: true, seed: seed)
            : DataLoader(data.rawTrain, batchSize: batchSize, shuffle: true, seed: seed, augmentation: augmentation, normalizer: normalizer)
        if !quiet {
            trainer.progress.message("keel train: \(model.rawValue) (\(network.parameterCount) parameters) on \(dataset): " +
                "\(data.train.count) training / \(data.validation?.count ?? 0) validation / \(data.test.count) test samples, batch size \(batchSize) → " +
                "\(loader.batchesPerEpoch) iterations per epoch, \(epochs) epochs, \(settings.optimizer) lr \(learningRate), " +
                "\(Parallel.threadCount) threads, kernel level \(KernelLevel.current.name)")
        }
        let started = ProcessInfo.processInfo.systemUptime
        do {
            try trainer.fit(loader, validation: data.validation, epochs: epochs)
        } catch let error as TrainingError {
            // A diverged run still leaves its history and metrics (the checkpoint holds its last finite state).
            if case .nonFiniteLoss = error {
                let history = trainer.history
                try AtomicFile.write(Data(history.epochsCSV().utf8), to: outDirectory.appendingPathComponent("history.csv"))
                try AtomicFile.write(Data(history.iterationsCSV().utf8), to: outDirectory.appendingPathComponent("iterations.csv"))
                let metrics: [String: Any] = [
                    "diverged": true, "stopped": error.description, "global_step": trainer.position.globalStep,
                    "epochs": history.epochs.count, "iterations": history.iterations.count, "batch_size": batchSize,
                    "model": model.rawValue, "optimizer": settings.optimizer, "learning_rate": Double(learningRate), "seed": seed,
                    "dataset": dataset, "final_train_loss": Double(history.epochs.last?.trainLoss ?? .nan),
                    "last_loss": Double(history.iterations.last?.loss ?? .nan),
                    "cpu_level": KernelLevel.current.name, "cpu": MachineDescription.cpuModel,
                ]
                try AtomicFile.write(try FiniteJSON.data(metrics), to: outDirectory.appendingPathComponent("metrics.json"))
            }
            throw error
        }
        let wall = ProcessInfo.processInfo.systemUptime - started
        if trainer.wasInterrupted {
            trainer.progress.message("interrupted at epoch \(trainer.position.epoch + 1), iteration \(trainer.position.batch) " +
                "(global step \(trainer.position.globalStep)); checkpoint saved. Resume with: keel train --resume \(outDirectory.path)")
            throw ExitCode(130)
        }

        let result = trainer.evaluate(data.test)
        try SafeTensors.write(network.stateDict(), metadata: ["format": "pt", "keel_model": model.rawValue],
                              to: outDirectory.appendingPathComponent("model.safetensors"))
        try ModelDescription(model: model.rawValue, inputShape: data.train.sampleShape, classes: data.train.classCount,
                             normalizer: normalizer, dataset: dataset, activation: settings.activation,
                             labelColumn: settings.labelColumn, seed: seed, classNames: data.train.classNames,
                             dropout: settings.dropout).write(to: outDirectory)
        if let recorder {
            try AtomicFile.write(Data(recorder.csv().utf8), to: outDirectory.appendingPathComponent("diagnostics.csv"))
        }
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
            "model": model.rawValue, "parameters": network.parameterCount, "optimizer": settings.optimizer,
            "learning_rate": Double(learningRate), "seed": seed, "dataset": dataset, "threads": Parallel.threadCount,
            "normalize": normalize.rawValue, "activation": settings.activation, "schedule": settings.schedule ?? "constant",
            "cpu_level": KernelLevel.current.name, "cpu": MachineDescription.cpuModel,
        ]
        try AtomicFile.write(try FiniteJSON.data(metrics), to: outDirectory.appendingPathComponent("metrics.json"))
        if !result.loss.isFinite {
            FileHandle.standardError.write(Data("warning: the test loss is \(result.loss): the model's outputs are not finite\n".utf8))
        }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        print(String(format: "test accuracy %.2f%%, test loss %.4f, %@, %@, %.1f s training (%.0f samples/s) → %@",
                     result.accuracy * 100, result.loss, count(history.epochs.count, "epoch"), count(history.iterations.count, "iteration"),
                     trainSeconds, Double(samples) / max(trainSeconds, 1e-9), outDirectory.path))
    }
}
