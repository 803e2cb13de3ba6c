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
            commandName: "show", abstract: "A model's layers: names (PyTorch's state_dict prefixes), output shapes, parameters.")

        @Argument(help: "The model's name.") var name: ReferenceModel
        @Option(help: "One sample's shape, C,H,W (default: 1,28,28 for mlp, cnn and lenet5; 3,32,32 otherwise).") var inputShape: String?
        @Option(help: "The number of classes.") var classes = 10

        func run() throws {
            try reportingErrors {
                let shape = try inputShape.map(Self.parseShape) ?? name.typicalInputShape
                if let problem = name.problem(inputShape: shape, classes: classes) { throw CLIError(problem) }
                var g = KeelRandom(seed: 0)
                let model = name.make(inputShape: shape, classes: classes, generator: &g)
                model.eval()
                for line in Self.layerTable(model, input: Tensor.zeros([1] + shape)) { print(line) }
                print("\(name.rawValue): \(model.parameterCount) parameters for input \(shape) and \(classes) classes")
            }
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
