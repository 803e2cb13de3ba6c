import Foundation
import Keel
import KeelData
import KeelTrain

/// A trained model's folder: `model.safetensors` (PyTorch state_dict names), `model.json` (architecture,
/// input shape, normalizer), plus the training outputs.
struct ModelDescription: Codable {
    var model: String
    var inputShape: [Int]
    var classes: Int
    var normalizer: Normalizer
    var dataset: String
    /// The hidden activation ("relu", "leaky_relu:0.5", …).
    var activation: String
    /// A CSV dataset's label column, and the seed of its train/test split (so `evaluate` finds the same test rows).
    var labelColumn: String?
    var seed: UInt64
    var classNames: [String]?
    /// Dropout before the last layer (changes the layer indices of the state dict).
    var dropout: Float

    enum CodingKeys: String, CodingKey {
        case model, classes, normalizer, dataset, activation, seed, dropout
        case inputShape = "input_shape"
        case labelColumn = "label_column"
        case classNames = "class_names"
    }

    init(model: String, inputShape: [Int], classes: Int, normalizer: Normalizer, dataset: String, activation: String,
         labelColumn: String?, seed: UInt64, classNames: [String]?, dropout: Float) {
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

    /// The model's test split (raw and normalized with its saved normalizer).
    func testData() throws -> PreparedData {
        let data = try PreparedData.prepare(DataSource.named(dataset, labelColumn: labelColumn), normalize: normalizer.method,
                                            validationFraction: 0, seed: seed, normalizer: normalizer)
        guard data.test.sampleShape == inputShape else {
            throw CLIError("the dataset's samples have shape \(data.test.sampleShape) but the model expects \(inputShape)")
        }
        return data
    }

    init(from decoder: Decoder) throws {
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
    }

    static let fileName = "model.json"

    func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Reads `model.json` and the weights of a model folder, building the model.
    static func load(from directory: URL) throws -> (ModelDescription, Sequential) {
        let url = directory.appendingPathComponent(fileName)
        guard InputFile.kind(atPath: url.path) != nil else {
            throw CLIError("\(url.path): not found — is \(directory.path) a folder written by `keel train`?")
        }
        let data = try InputFile.read(url, maxBytes: 1 << 26)
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: data)
        } catch {
            throw CLIError("\(url.path): not a valid model description (\(DecodingProblem.describe(error)))")
        }
        guard let kind = ReferenceModel(rawValue: description.model) else {
            throw CLIError("\(url.path): unknown model '\(description.model)'")
        }
        if let problem = kind.problem(inputShape: description.inputShape, classes: description.classes) {
            throw CLIError("\(url.path): \(problem)")
        }
        guard description.dropout >= 0 && description.dropout < 1 else {
            throw CLIError("\(url.path): dropout must be in [0, 1), got \(description.dropout)")
        }
        if let problem = description.normalizer.problem { throw CLIError("\(url.path): \(problem)") }
        if let names = description.classNames, names.count != description.classes {
            throw CLIError("\(url.path): \(names.count) class names for \(description.classes) classes")
        }
        let activation: Activation
        do { activation = try Activation.parse(description.activation) } catch {
            throw CLIError("\(url.path): \(error)")
        }
        var generator = KeelRandom(seed: 0)
        let model = kind.make(inputShape: description.inputShape, classes: description.classes, activation: activation,
                              dropout: description.dropout, generator: &generator)
        let weights = try SafeTensors.read(directory.appendingPathComponent("model.safetensors")).tensors
        do {
            try model.loadStateDict(weights)
        } catch {
            throw CLIError("\(directory.appendingPathComponent("model.safetensors").path): \(error)")
        }
        model.eval()
        let nonFinite = model.namedParameters.reduce(0) { $0 + $1.parameter.value.scalars.filter { !$0.isFinite }.count }
        if nonFinite > 0 {
            FileHandle.standardError.write(Data(("warning: \(directory.appendingPathComponent("model.safetensors").path) holds " +
                "\(nonFinite) non-finite weights (a diverged run?); its outputs are meaningless\n").utf8))
        }
        return (description, model)
    }
}

/// An error for the user: printed as is, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}


