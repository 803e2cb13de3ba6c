import Foundation
import Keel
import KeelData

/// A trained model's `model.json`: which reference model, its input shape and classes, the normalizer
/// fitted on the training split, the dataset and settings needed to rebuild it; with `model.safetensors`
/// beside it, everything `keel evaluate` and `keel predict` need. Every field is validated on load.
public struct ModelDescription: Codable, Sendable {
    /// The reference model's name ("cnn", "mlp").
    public var model: String
    /// One sample's shape ([1, 28, 28], [13]).
    public var inputShape: [Int]
    /// The number of classes.
    public var classes: Int
    /// The normalizer fitted on the training split, applied to every input.
    public var normalizer: Normalizer
    /// The dataset the model was trained on.
    public var dataset: String
    /// The hidden activation ("relu", "leaky_relu:0.5", …).
    public var activation: String
    /// A CSV dataset's label column, and the seed of its train/test split (so `evaluate` finds the same test rows).
    public var labelColumn: String?
    /// The seed of the data split.
    public var seed: UInt64
    /// Names of the classes, when the data had them.
    public var classNames: [String]?
    /// Dropout before the last layer (changes the layer indices of the state dict).
    public var dropout: Float
    /// The network, when it came from a model file (then `model` is only its name).
    public var network: ModelFile?
    /// Classification (`classes` classes) or regression (`classes` target columns).
    public var task: LearningTask
    /// Regression: the standardization of the targets (outputs are mapped back through it).
    public var targetScaler: TargetScaler?
    /// The fraction of the training split held out for validation (so `keel evaluate --split validation` finds it).
    public var validationFraction: Double

    enum CodingKeys: String, CodingKey {
        case model, classes, normalizer, dataset, activation, seed, dropout, network, task
        case targetScaler = "target_scaler"
        case validationFraction = "validation_fraction"
        case inputShape = "input_shape"
        case labelColumn = "label_column"
        case classNames = "class_names"
    }

    /// A description from its fields.
    public init(
        model: String, inputShape: [Int], classes: Int, normalizer: Normalizer, dataset: String, activation: String,
        labelColumn: String?, seed: UInt64, classNames: [String]?, dropout: Float, network: ModelFile? = nil,
        task: LearningTask = .classification, targetScaler: TargetScaler? = nil, validationFraction: Double = 0
    ) {
        self.validationFraction = validationFraction
        (self.network, self.task, self.targetScaler) = (network, task, targetScaler)
        self.model = model
        self.inputShape = inputShape
        self.classes = classes
        self.normalizer = normalizer
        self.dataset = dataset
        self.activation = activation
        self.labelColumn = labelColumn
        self.seed = seed
        self.classNames = classNames
        self.dropout = dropout
    }

    /// Reads a description; optional fields take their defaults (relu, seed 0, no dropout).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        inputShape = try c.decode([Int].self, forKey: .inputShape)
        classes = try c.decode(Int.self, forKey: .classes)
        normalizer = try c.decode(Normalizer.self, forKey: .normalizer)
        dataset = try c.decode(String.self, forKey: .dataset)
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? "relu"
        labelColumn = try c.decodeIfPresent(String.self, forKey: .labelColumn)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        classNames = try c.decodeIfPresent([String].self, forKey: .classNames)
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
        network = try c.decodeIfPresent(ModelFile.self, forKey: .network)
        task = try c.decodeIfPresent(LearningTask.self, forKey: .task) ?? .classification
        targetScaler = try c.decodeIfPresent(TargetScaler.self, forKey: .targetScaler)
        validationFraction = try c.decodeIfPresent(Double.self, forKey: .validationFraction) ?? 0
    }

    /// The network this description builds.
    public var architecture: Architecture? { network.map { .file($0) } ?? ReferenceModel(rawValue: model).map { .zoo($0) } }

    /// The description's file name in a run folder.
    public static let fileName = "model.json"

    /// Writes `model.json` into `directory` (atomically).
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Reads and validates `model.json` (bytes from `data`), naming `path` in errors.
    public static func decode(_ data: Data, path: String) throws -> ModelDescription {
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: data)
        } catch {
            throw DataError(path: path, problem: "not a valid model description (\(DecodingProblem.describe(error)))")
        }
        if let problem = description.problem { throw DataError(path: path, problem: problem) }
        return description
    }

    /// What makes this description unusable (an unknown model or activation, sizes the model cannot take,
    /// a dropout outside [0, 1), unusable normalizer statistics), or nil.
    public var problem: String? {
        guard let architecture else { return "unknown model '\(FileError.oneLine(model))'" }
        if let problem = architecture.problem(inputShape: inputShape, classes: classes) { return problem }
        do { _ = try Activation.parse(activation) } catch { return "\(error)" }
        guard dropout >= 0 && dropout < 1 else { return "dropout must be in [0, 1), got \(dropout)" }
        guard validationFraction >= 0 && validationFraction < 1 else { return "validation_fraction must be in [0, 1), got \(validationFraction)" }
        if let problem = normalizer.problem { return problem }
        if let names = classNames, names.count != classes { return "\(names.count) class names for \(classes) classes" }
        if task == .regression {
            guard let targetScaler else { return "a regression model needs its target_scaler" }
            if let problem = targetScaler.problem { return problem }
            guard targetScaler.mean.count == classes else { return "target_scaler has \(targetScaler.mean.count) columns for \(classes) outputs" }
        }
        return nil
    }

    /// The model in `directory` (model.json and model.safetensors), in evaluation mode.
    public static func load(from directory: URL) throws -> (ModelDescription, Sequential) {
        let url = directory.appendingPathComponent(fileName)
        guard InputFile.kind(atPath: url.path) != nil else {
            throw DataError(path: url.path, problem: "not found — is \(directory.path) a folder written by `keel train`?")
        }
        let description = try decode(try InputFile.read(url, maxBytes: 1 << 26), path: url.path)
        var generator = KeelRandom(seed: 0)
        let model = try description.architecture!.make(
            inputShape: description.inputShape, classes: description.classes, activation: try Activation.parse(description.activation),
            dropout: description.dropout, generator: &generator)
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        let weights = try SafeTensors.read(weightsURL).tensors
        do {
            try model.loadStateDict(weights)
        } catch {
            throw DataError(path: weightsURL.path, problem: "\(error)")
        }
        model.eval()
        let nonFinite = model.namedParameters.reduce(0) { $0 + $1.parameter.value.scalars.filter { !$0.isFinite }.count }
        if nonFinite > 0 {
            FileHandle.standardError.write(
                Data(
                    ("warning: \(directory.appendingPathComponent("model.safetensors").path) holds "
                        + "\(nonFinite) non-finite weights (a diverged run?); its outputs are meaningless\n").utf8))
        }
        return (description, model)
    }
}

/// An error for the user: printed as is, exit status 1.
