import ArgumentParser
import Foundation
import KeelData
import KeelLab

/// `keel normalization`: epochs to a validation accuracy with each input normalization, and the
/// two-feature gradient-descent picture (iterations to tolerance, raw vs standardized).
struct NormalizationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalization", abstract: "How input normalization speeds up training (epochs to a target, GD iterations).")

    @Option(help: "Dataset (a table): wine, iris, digits or a CSV file.") var dataset = "wine"
    @Option(help: "Seeds.") var seeds = 5
    @Option(help: "Target validation accuracy.") var target: Float = 0.95
    @Option(help: "Largest number of epochs.") var maxEpochs = 100
    @Option(help: "Learning rate of SGD with momentum 0.9.") var lr: Float = 0.01
    @Option(help: "Methods, comma-separated.") var methods = "none,minmax,standard"
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var kernels: KernelOptions

    func validate() throws {
        guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100, got \(seeds)") }
        guard (1...100_000).contains(maxEpochs) else { throw ValidationError("--max-epochs must be in 1…100000, got \(maxEpochs)") }
        guard target > 0 && target <= 1 else { throw ValidationError("--target must be in (0, 1], got \(target)") }
        guard lr > 0 && lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
    }

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            let source = try DataSource.named(dataset)
            var rows: [[String: Any]] = []
            for name in methods.split(separator: ",") {
                guard let method = Normalizer.Method(rawValue: String(name)) else { throw CLIError("unknown method '\(name)'") }
                var epochs: [Int?] = []
                for seed in 0..<UInt64(seeds) {
                    epochs.append(
                        try NormalizationStudy.run(
                            source, method: method, seed: seed, target: target,
                            maxEpochs: maxEpochs, learningRate: lr
                        ).epochsToTarget)
                }
                let reached = epochs.compactMap { $0 }
                let mean = reached.isEmpty ? nil : Double(reached.reduce(0, +)) / Double(reached.count)
                rows.append([
                    "method": method.rawValue, "epochs": epochs.map { $0 as Any? ?? NSNull() },
                    "reached": reached.count, "mean_epochs": mean as Any? ?? NSNull(),
                ])
                if !json {
                    let text = epochs.map { $0.map(String.init) ?? "—" }.joined(separator: ", ")
                    print(
                        "\(method.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) epochs to \(Int(target * 100)) %: [\(text)]"
                            + (mean.map { String(format: "  mean %.1f over %d/%d seeds", $0, reached.count, seeds) } ?? "  never"))
                }
            }
            let raw = ConvergenceExperiment.seedProblem()
            let rawRun = raw.bestRun()
            let standardRun = raw.standardized.bestRun()
            let gd: [String: Any] = [
                "raw_iterations": rawRun.iterationsToTolerance as Any? ?? NSNull(),
                "raw_learning_rate": rawRun.learningRate,
                "standardized_iterations": standardRun.iterationsToTolerance as Any? ?? NSNull(),
                "standardized_learning_rate": standardRun.learningRate,
            ]
            if json {
                let object: [String: Any] = ["dataset": dataset, "target": Double(target), "methods": rows, "gradient_descent": gd]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(
                    String(
                        format: "gradient descent to 1e-6 of the loss gap: raw %@ iterations (best stable lr %.3g), standardized %@ (lr %.3g)",
                        rawRun.iterationsToTolerance.map(String.init) ?? "no convergence", rawRun.learningRate,
                        standardRun.iterationsToTolerance.map(String.init) ?? "no convergence", standardRun.learningRate))
            }
        }
    }
}
