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
        @Flag(help: "Print the layer table of `keel summary` (state_dict names, output shapes, parameters, MACs) instead of the model file.")
        var table = false

        func run() throws {
            try reportingErrors {
                let (file, network) = try model()
                if table {
                    SummaryCommand.printTable(ModelSummary(network, inputShape: file.input), name: file.displayName)
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
    }
}
