import ArgumentParser
import Foundation
import Keel
import KeelTrain

/// `keel models [show NAME]`: the model zoo — every network `keel train --model` builds, with its parameter count.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the model zoo (the networks `keel train --model NAME` builds).",
        subcommands: [ListModels.self, ShowModel.self], defaultSubcommand: ListModels.self)

    struct ListModels: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every model with its parameter count.")

        func run() {
            for model in ReferenceModel.allCases {
                let shape = model.typicalInputShape
                var g = KeelRandom(seed: 0)
                let count = model.make(inputShape: shape, classes: 10, generator: &g).parameterCount
                let input = shape.map(String.init).joined(separator: "×")
                print(
                    model.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                        + String(format: "%9d parameters on %@, 10 classes  ", count, input) + model.summary)
            }
        }
    }

    struct ShowModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "A model as a model file (YAML that `keel train --model FILE.yaml` builds), with its parameter count.",
            discussion: """
                Prints a zoo model for the given input shape and class count, or checks and prints a model file. \
                Save the output, edit it, and train it: keel models show resnet20 > my.yaml; keel train --model my.yaml …
                """)

        @Argument(help: ArgumentHelp("A zoo model's name, or a model file to check.", valueName: "name|file.yaml")) var name: String
        @Option(help: "One sample's shape, C,H,W (default: 1,28,28 for mlp, cnn and lenet5; 3,32,32 otherwise).") var inputShape: String?
        @Option(help: "The number of classes.") var classes = 10
        @Flag(help: "Print the layer table (state_dict names, output shapes, parameters) instead of the model file.") var table = false

        func run() throws {
            try reportingErrors {
                let (file, network) = try model()
                if table {
                    network.eval()
                    for line in Self.layerTable(network, input: Tensor.zeros([1] + file.input)) { print(line) }
                    print("\(file.displayName): \(network.parameterCount) parameters for input \(file.input)")
                } else {
                    print(try file.yaml(), terminator: "")
                }
            }
        }

        /// The model file and its network: a zoo model built for the shape and classes given, or a file read and checked.
        func model() throws -> (ModelFile, Sequential) {
            var g = KeelRandom(seed: 0)
            guard let zoo = ReferenceModel(rawValue: name) else {
                if inputShape != nil { throw CLIError("--input-shape: a model file states its own input") }
                let file = try ModelOptions.readModelFile(name, flag: "")
                return (file, try file.make(generator: &g))
            }
            let shape = try inputShape.map(Self.parseShape) ?? zoo.typicalInputShape
            if let problem = zoo.problem(inputShape: shape, classes: classes) { throw CLIError(problem) }
            let network = zoo.make(inputShape: shape, classes: classes, generator: &g)
            return (try ModelFile(describing: network, input: shape, name: zoo.rawValue), network)
        }

        static func parseShape(_ text: String) throws -> [Int] {
            let sizes = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 16 }) else {
                throw CLIError("--input-shape: expected sizes like 3,32,32 (each 1…65536), got '\(text)'")
            }
            return sizes.map { $0! }
        }

        /// One line per module of the tree: its name, type, output shape (from a forward pass through hooks) and
        /// own parameter count.
        static func layerTable(_ model: any Module, input: Tensor) -> [String] {
            var shapes: [ObjectIdentifier: [Int]] = [:]
            let modules = model.namedModules.filter { !$0.name.isEmpty }
            let hooks = modules.map { entry in
                entry.module.addForwardHook { module, _, output in shapes[ObjectIdentifier(module)] = output.shape }
            }
            defer { for hook in hooks { hook.remove() } }
            _ = withoutGradients { model(input) }
            return modules.map { name, module in
                let depth = name.split(separator: ".").count - 1
                let own = module.ownParameters.reduce(0) { $0 + $1.parameter.shape.reduce(1, *) }
                let shape = shapes[ObjectIdentifier(module)].map { "\($0.dropFirst())" } ?? ""
                let kind = (module as? ActivationLayer).map { "\(type(of: $0)) (\($0.activation.name))" } ?? "\(type(of: module))"
                let label = String(repeating: "  ", count: depth) + name + "  " + kind
                return label.padding(toLength: 44, withPad: " ", startingAt: 0) + shape.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + (own > 0 ? "\(own)" : "")
            }
        }
    }
}
