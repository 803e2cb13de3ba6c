import ArgumentParser
import Foundation
import Keel
import KeelTrain

/// `keel summary --model NAME|FILE.yaml|DIR`: a network's layers with output shapes, parameters, multiply-accumulates
/// and activation memory for one sample, and the totals.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "A model's layers: output shape, parameters, multiply-accumulates and activation memory per sample.",
        discussion: "The parameter count equals PyTorch's sum(p.numel() for p in model.parameters()) for the same network.")

    @Option(
        help: ArgumentHelp("A zoo model's name, a model file, or a folder written by `keel train`.", valueName: "name|file.yaml|dir"))
    var model: String
    @Option(help: "One sample's shape, C,H,W, for a zoo model (default: its typical input).") var inputShape: String?
    @Option(help: "The number of classes, for a zoo model.") var classes = 10
    @Flag(help: "Print one JSON object: layers (one object each) and the totals.") var json = false

    func run() throws {
        try reportingErrors {
            let (name, network, shape) = try resolve()
            let summary = ModelSummary(network, inputShape: shape)
            if json {
                try printJSON(summary, name: name)
            } else {
                Self.printTable(summary, name: name)
            }
        }
    }

    /// The network and its input shape from a zoo name, a model file or a run folder.
    func resolve() throws -> (String, Sequential, [Int]) {
        var g = KeelRandom(seed: 0)
        if let zoo = ReferenceModel(rawValue: model) {
            let shape = try inputShape.map(ModelsCommand.ShowModel.parseShape) ?? zoo.typicalInputShape
            if let problem = zoo.problem(inputShape: shape, classes: classes) { throw CLIError(problem) }
            return (zoo.rawValue, zoo.make(inputShape: shape, classes: classes, generator: &g), shape)
        }
        if inputShape != nil { throw CLIError("--input-shape: only a zoo model takes one (a model file and a run folder state theirs)") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue {
            let (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            return (description.model, network, description.inputShape)
        }
        let file = try ModelOptions.readModelFile(model, flag: "--model: ")
        return (file.displayName, try file.make(generator: &g), file.input)
    }

    /// One line per module (indented by depth) with output shape, parameters, MACs and activations, then the totals.
    static func printTable(_ s: ModelSummary, name: String) {
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        func left(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        print(pad("layer", 40) + pad("output shape", 18) + left("parameters", 12) + left("MACs", 14) + left("activations", 13))
        for layer in s.layers {
            let depth = layer.name.split(separator: ".").count - 1
            let label = String(repeating: "  ", count: depth) + layer.name + "  " + layer.type
            print(
                pad(label, 40) + pad("\(layer.outputShape)", 18) + left(layer.parameters > 0 ? ModelSummary.grouped(layer.parameters) : "", 12)
                    + left(layer.macs > 0 ? ModelSummary.grouped(layer.macs) : "", 14)
                    + left(layer.isContainer ? "" : Self.bytes(layer.activationBytes), 13))
        }
        print(
            "\(name): \(ModelSummary.grouped(s.parameters)) parameters (\(Self.bytes(s.parameterBytes))), \(ModelSummary.grouped(s.macs)) multiply-accumulates and "
                + "\(Self.bytes(s.activationBytes)) of activations per sample of shape \(s.inputShape)")
    }

    func printJSON(_ s: ModelSummary, name: String) throws {
        let layers: [[String: Any]] = s.layers.map { l in
            [
                "name": l.name, "type": l.type, "output_shape": l.outputShape, "parameters": l.parameters, "macs": l.macs,
                "activation_bytes": l.activationBytes, "container": l.isContainer,
            ]
        }
        let object: [String: Any] = [
            "model": name, "input_shape": s.inputShape, "layers": layers, "parameters": s.parameters, "parameter_bytes": s.parameterBytes,
            "macs": s.macs, "activation_bytes": s.activationBytes,
        ]
        print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / Double(1 << 20)) : String(format: "%.1f KiB", Double(n) / 1024)
    }
}
