import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelTrain

extension ReferenceModel: ExpressibleByArgument {}
extension Normalizer.Method: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Recipe.Name: ExpressibleByArgument {}
extension LearningTask: ExpressibleByArgument {}
extension Monitor: ExpressibleByArgument {}

/// `keel train`'s flags, grouped as the sections of config.yaml. Each group writes the flags given over a
/// configuration (the defaults, a `--config` file or a resumed run's), leaving the rest as they are.
struct DataOptions: ParsableArguments {
    @Option(
        help:
            "mnist-5k (default), wine, iris, digits, diabetes (embedded; diabetes is a regression table), an MNIST-format folder, a CIFAR-10/100 binary folder, a folder of PNG/JPEG images with one sub-folder per class, or a CSV file."
    )
    var dataset: String?
    @Option(help: "The label column of a CSV file: a header name or a 0-based index (default: the last column).")
    var labelColumn: String?
    @Option(help: "Input normalization, fitted on the training split only (default standard).")
    var normalize: Normalizer.Method?
    @Option(help: "Fraction of the training split held out for validation each epoch (default 0).")
    var validationFraction: Double?
    @Option(help: "Resize every image of an image folder to SIZE or HEIGHTxWIDTH pixels on load (needed when they differ in size).")
    var imageSize: String?
    @Option(help: "MiB of decoded images an image folder keeps between epochs (default 0: decode every epoch; results are the same).")
    var imageCache: Int?
    @Option(help: "classification (default) or regression: predict a CSV table's numeric --label-column (standardized on the training split).")
    var task: LearningTask?
    @Option(help: "The loss of a regression run: mse (default), huber or huber:DELTA.")
    var loss: String?

    func validate() throws {
        if let imageSize, Self.size(imageSize) == nil {
            throw ValidationError("--image-size must be SIZE or HEIGHTxWIDTH, e.g. 64 or 64x48, got '\(imageSize)'")
        }
    }

    /// "64" → [64, 64], "64x48" → [64, 48].
    static func size(_ text: String) -> [Int]? {
        let parts = text.lowercased().split(separator: "x").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let sizes = parts.map { $0! }
        return sizes.count == 1 ? [sizes[0], sizes[0]] : sizes
    }

    func apply(to c: inout RunConfiguration) {
        if let dataset { c.data.dataset = dataset }
        if let labelColumn { c.data.labelColumn = labelColumn }
        if let normalize { c.data.normalize = normalize }
        if let validationFraction { c.data.validationFraction = validationFraction }
        if let imageSize { c.data.imageSize = Self.size(imageSize) }
        if let task { c.data.task = task }
        if let imageCache { c.data.imageCacheMiB = imageCache }
        if let loss { c.loss = loss }
    }
}

struct ModelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The network: a zoo model (\(ReferenceModel.allCases.map(\.rawValue).joined(separator: ", "))) or a model file "
                + "(FILE.yaml, the format `keel models show NAME` prints). Default: cnn for images, mlp for tables.",
            valueName: "name|file.yaml"))
    var model: String?
    @Option(help: "Hidden-layer activation of a zoo model, NAME or NAME:PARAMETER, e.g. relu (default), gelu, leaky_relu:0.5.")
    var activation: String?
    @Option(help: "Dropout probability before the last layer of a zoo model (default: 0.5 in the default CNN recipe, else 0).")
    var dropout: Float?

    func apply(to c: inout RunConfiguration) throws {
        if let model {
            if let zoo = ReferenceModel(rawValue: model) {
                (c.model.architecture, c.model.network) = (zoo, nil)
            } else {
                (c.model.architecture, c.model.network) = (nil, try Self.readModelFile(model))
            }
        }
        if let activation { c.model.activation = activation }
        if let dropout { c.model.dropout = dropout }
    }

    /// The model file at `path`, named after the file when it names itself nothing.
    static func readModelFile(_ path: String, flag: String = "--model: ") throws -> ModelFile {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") || FileManager.default.fileExists(atPath: path) else {
            throw CLIError(
                "\(flag)'\(FileError.oneLine(path))' is neither a zoo model (\(ReferenceModel.allCases.map(\.rawValue).joined(separator: ", "))) "
                    + "nor a model file (FILE.yaml)")
        }
        do {
            var file = try ModelFile.read(URL(fileURLWithPath: path))
            if file.name == nil {
                file.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            }
            return file
        } catch {
            throw CLIError("\(flag)\(error)")
        }
    }
}

struct OptimizerOptions: ParsableArguments {
    @Option(help: "The update rule (default sgd).")
    var optimizer: OptimizerKind?
    @Option(help: "Learning rate (default: 0.05 for sgd, 0.01 for adagrad, 0.001 otherwise).")
    var lr: Float?
    @Option(help: "Momentum for sgd and rmsprop (default 0.9).") var momentum: Float?
    @Option(help: "Weight decay: L2, decoupled for adamw (default 0).") var weightDecay: Float?
    @Option(
        help: ArgumentHelp(
            "Learning-rate schedule read at the global step: NAME or NAME:key=value,… with TensorFlow's or PyTorch's "
                + "parameter names, lists with '/', e.g. cosine_decay:decay_steps=630 or "
                + "piecewise_constant:boundaries=300/500,values=0.05/0.01/0.002 (its learning_rate defaults to --lr). See `keel schedule`."))
    var schedule: String?
    @Option(help: "Reduce the learning rate by this factor when the validation (or training) loss stops improving.")
    var plateauFactor: Float?
    @Option(help: "Epochs without improvement before reducing (with --plateau-factor; default 2).") var plateauPatience: Int?

    func apply(to c: inout RunConfiguration) {
        if let optimizer { c.optimizer.name = optimizer }
        if let lr { c.optimizer.learningRate = lr }
        if let momentum { c.optimizer.momentum = momentum }
        if let weightDecay { c.optimizer.weightDecay = weightDecay }
        if let schedule { c.schedule = schedule }
        if let plateauFactor { c.plateau = .init(factor: plateauFactor, patience: plateauPatience ?? c.plateau?.patience ?? 2) }
        if let plateauPatience { c.plateau?.patience = plateauPatience }
    }
}

struct LoopOptions: ParsableArguments {
    @Option(help: "Epochs, passes over the training set (default: 25 in the default CNN recipe, else 10). Giving it turns the recipe off.")
    var epochs: Int?
    @Option(help: "Samples per batch, i.e. per parameter update (default 64).") var batchSize: Int?
    @Option(help: "Random seed for initialization, batch order, dropout and augmentation (default 0).") var seed: UInt64?
    @Option(
        help: ArgumentHelp(
            "Random augmentation of each training image, in order (repeatable), e.g. "
                + "random-affine:degrees=15,translate=0.1,scale=0.9/1.1, random-hflip:p=0.5, "
                + "color-jitter:brightness=0.4,contrast=0.4,saturation=0.4,hue=0.1, noise:sigma=0.05. It must keep the sample size."))
    var augment: [String] = []
    @Option(
        help: ArgumentHelp(
            "default (when omitted): the CNN on images trains with random-affine:degrees=12,translate=0.1,scale=0.9/1.1, "
                + "dropout 0.5 and one_cycle to --lr over 25 epochs, unless --augment, --schedule, --dropout or --epochs is given; "
                + "plain: only what the flags say."))
    var recipe: Recipe.Name?
    @Option(help: "Threads for the kernels (default: all cores; results do not depend on it).") var threads: Int?
    @Flag(help: "Record per-layer dead/saturated fractions and gradient norms (printed per epoch, DIR/diagnostics.csv).")
    var diagnostics = false
    @Option(help: "Stop after this many epochs without an improvement of --monitor (needs --validation-fraction for val_*).")
    var earlyStopping: Int?
    @Option(help: "What --early-stopping and --keep-best watch: val_loss (default), val_accuracy or train_loss.") var monitor: Monitor?
    @Option(help: "The smallest change of --monitor that counts as an improvement (default 0).") var minDelta: Float?
    @Flag(help: "Keep the best epoch's model (by --monitor) in DIR/best/ (keel evaluate --model DIR/best).") var keepBest = false
    @Option(help: "Scale the gradients to this global L2 norm at most before each update (PyTorch's clip_grad_norm_).")
    var clipGradNorm: Float?
    @Option(help: "Gradient accumulation: micro-batches of --batch-size per update (an update sees batch size × N samples).")
    var accumulate: Int?
    @Option(
        help: ArgumentHelp(
            "Shards per batch: micro-batches whose gradients are added by one fixed tree, spread over the ranks of mpirun "
                + "(default: 4 without batch norm, so 1, 2 or 4 ranks train the same bits; one per rank with batch norm)."))
    var shards: Int?

    func apply(to c: inout RunConfiguration) {
        if let earlyStopping { c.earlyStopping = earlyStopping }
        if let monitor { c.monitor = monitor }
        if let minDelta { c.minDelta = minDelta }
        if keepBest { c.keepBest = true }
        if let clipGradNorm { c.clipGradNorm = clipGradNorm }
        if let accumulate { c.accumulate = accumulate }
        if let shards { c.shards = shards }
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let seed { c.seed = seed }
        if !augment.isEmpty { c.augment = augment }
        if let recipe { c.recipe = recipe }
        if let threads { c.threads = threads }
        if diagnostics { c.diagnostics = true }
    }
}

struct RunFolderOptions: ParsableArguments {
    @Option(help: "Run the configuration in this YAML file (a run folder's config.yaml reproduces that run); flags given override its fields.")
    var config: String?
    @Option(help: "Output folder (default: runs/MODEL, or runs/MODEL-2, … if taken; the resumed run's folder with --resume).")
    var out: String?
    @Option(help: "Resume the run in this folder from its checkpoint, with its settings (only --epochs may change).")
    var resume: String?
    @Option(help: "Besides epoch ends, checkpoint every N iterations (default 0: not by count).") var checkpointEvery: Int?
    @Option(help: "Besides epoch ends, checkpoint after this many seconds since the last checkpoint (default 60; 0: not by time).")
    var checkpointSeconds: Double?
    @Flag(help: "No progress output.") var quiet = false
    @Option(help: "Write TensorBoard event files into this folder: train/ and val/ scalars, weight and gradient histograms.")
    var tensorboard: String?

    func validate() throws {
        if let out, out.isEmpty { throw ValidationError("--out must name a folder, got ''") }
        if let resume, resume.isEmpty { throw ValidationError("--resume must name a run folder, got ''") }
        if let config, config.isEmpty { throw ValidationError("--config must name a YAML file, got ''") }
        if config != nil && resume != nil { throw ValidationError("--config and --resume cannot be combined: a resumed run keeps its configuration") }
    }

    func apply(to c: inout RunConfiguration) {
        if let tensorboard { c.tensorboard = tensorboard }
        if let checkpointEvery { c.checkpoint.every = checkpointEvery }
        if let checkpointSeconds { c.checkpoint.seconds = checkpointSeconds }
    }
}

/// The flag that sets each configuration key, to name flags in errors about values the flags gave.
let flagForKey = [
    "data.dataset": "--dataset", "data.label_column": "--label-column", "data.normalize": "--normalize",
    "data.validation_fraction": "--validation-fraction", "data.image_size": "--image-size", "data.task": "--task",
    "data.image_cache_mib": "--image-cache", "loss": "--loss", "early_stopping": "--early-stopping", "monitor": "--monitor",
    "min_delta": "--min-delta", "keep_best": "--keep-best", "clip_grad_norm": "--clip-grad-norm", "accumulate": "--accumulate", "shards": "--shards",
    "tensorboard": "--tensorboard",
    "model.architecture": "--model",
    "model.activation": "--activation",
    "model.dropout": "--dropout", "optimizer.name": "--optimizer", "optimizer.learning_rate": "--lr",
    "optimizer.momentum": "--momentum", "optimizer.weight_decay": "--weight-decay", "schedule": "--schedule",
    "plateau.factor": "--plateau-factor", "plateau.patience": "--plateau-patience", "epochs": "--epochs",
    "batch_size": "--batch-size", "seed": "--seed", "augment": "--augment", "recipe": "--recipe", "threads": "--threads",
    "checkpoint.every": "--checkpoint-every", "checkpoint.seconds": "--checkpoint-seconds",
]
