import Foundation
import Keel
import KeelData
import KeelTrain

/// The seed's activation claims: ReLU for hidden layers, saturating functions vanish gradients in deep
/// networks, a linear stack stays linear, and "try them all and compare on validation data".
public struct ActivationsLabStudy: Study {
    public let name = "activations"
    public init() {}

    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult {
        var result = StudyResult(name: name, title: "Activation functions",
                                 claim: "Use ReLU (or a relative) in hidden layers: saturating functions such as sigmoid make gradients " +
                                    "vanish in deep networks, and without a non-linearity a deep network is just one linear layer. " +
                                    "Try several and compare on validation data.", quick: quick)
        let data = try PreparedData.prepare(.named("mnist-5k"), normalize: .standard, validationFraction: 0.2, seed: 0)
        let epochs = quick ? 2 : 10
        let candidates: [Activation] = [.sigmoid, .tanh, .relu, .leakyReLU(), .elu(), .gelu, .silu, .mish, .identity]
        var accuracySeries: [LineChart.Series] = [], rows: [[String]] = [], numbers: [String: any Sendable] = [:]
        var finals: [String: Float] = [:]
        for (i, activation) in candidates.enumerated() {
            progress(0.7 * Double(i) / Double(candidates.count), "MLP with \(activation.name)")
            let model = LabNetwork.mlp([784, 128, 64, 10], activation, seed: 1)
            let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.05, momentum: 0.9))
            let recorder = DiagnosticsRecorder(model: model, every: 5)
            trainer.callbacks = [recorder]
            try trainer.fit(DataLoader(data.train, batchSize: 64, seed: 1), validation: data.validation, epochs: epochs)
            let accuracy = trainer.history.epochs.map { $0.validationAccuracy ?? 0 }
            finals[activation.name] = accuracy.last ?? 0
            accuracySeries.append(.init(name: activation.name, points: accuracy.enumerated().map { (Double($0.offset + 1), Double($0.element)) },
                                        color: LineChart.palette[i % LineChart.palette.count], dashed: i >= LineChart.palette.count))
            let summary = recorder.epochSummary(epochs - 1)
            let hidden = summary.filter { $0.deadFraction != nil }
            let dead = hidden.compactMap(\.deadFraction).reduce(0, +) / Float(max(hidden.count, 1))
            let saturated = hidden.compactMap(\.saturatedFraction).reduce(0, +) / Float(max(hidden.count, 1))
            let firstGradient = summary.first { $0.gradientNorm != nil }?.gradientNorm ?? 0
            rows.append([activation.name, String(format: "%.2f %%", (accuracy.last ?? 0) * 100), String(format: "%.1f %%", dead * 100),
                         String(format: "%.1f %%", saturated * 100), String(format: "%.3g", firstGradient)])
            numbers[activation.name] = ["validation_accuracy": accuracy.map(Double.init), "dead_fraction": Double(dead),
                                        "saturated_fraction": Double(saturated), "first_layer_gradient_norm": Double(firstGradient)] as [String: any Sendable]
        }
        var chart = LineChart(title: "MNIST-5k, MLP 784-128-64-10: validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        chart.series = accuracySeries
        result.charts.append(chart.svg())
        result.tables.append(htmlTable(["hidden activation", "validation accuracy", "dead units", "saturated", "‖∇‖ first layer"], rows))
        let relu = finals["relu"] ?? 0, sigmoid = finals["sigmoid"] ?? 0, identity = finals["identity"] ?? 0
        let best = finals.max { $0.value < $1.value }!
        result.verdicts.append(Verdict("ReLU hidden layers reach a better validation accuracy than sigmoid ones",
                                       supported: relu > sigmoid,
                                       evidence: String(format: "relu %.2f %%, sigmoid %.2f %%; best: %@ %.2f %%", relu * 100, sigmoid * 100,
                                                        best.key, best.value * 100)))
        result.verdicts.append(Verdict("Without a non-linearity (identity) the network does worse than with ReLU",
                                       supported: identity < relu,
                                       evidence: String(format: "identity %.2f %%, relu %.2f %%", identity * 100, relu * 100)))

        // Deep networks: gradient norm per layer after a few updates, sigmoid vs ReLU.
        var depthSeries: [LineChart.Series] = [], ratios: [String: Double] = [:]
        for (i, activation) in [Activation.sigmoid, .relu].enumerated() {
            progress(0.75 + 0.1 * Double(i), "deep network with \(activation.name)")
            let model = LabNetwork.mlp([784] + Array(repeating: 64, count: 8) + [10], activation, seed: 2)
            let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.01, momentum: 0.9))
            let recorder = DiagnosticsRecorder(model: model, every: 1)
            trainer.callbacks = [recorder]
            try trainer.fit(DataLoader(data.train.subset(Array(0..<640)), batchSize: 64, seed: 2), epochs: 1)
            let norms = recorder.records.last!.layers.compactMap(\.gradientNorm)
            ratios[activation.name] = Double(norms.first! / max(norms.last!, 1e-30))
            depthSeries.append(.init(name: activation.name, points: norms.enumerated().map { (Double($0.offset + 1), Double(max($0.element, 1e-12))) },
                                     color: LineChart.palette[i]))
        }
        var depth = LineChart(title: "9-layer network: gradient norm of each Linear layer (input → output)", xLabel: "layer",
                              yLabel: "‖∇W‖")
        depth.series = depthSeries
        depth.logY = true
        result.charts.append(depth.svg())
        let sigmoidRatio = ratios["sigmoid"] ?? 1, reluRatio = ratios["relu"] ?? 1
        result.verdicts.append(Verdict("In a deep sigmoid network the gradients vanish toward the input layers (far more than with ReLU)",
                                       supported: sigmoidRatio < 0.1 && sigmoidRatio < reluRatio / 10,
                                       evidence: String(format: "first-layer ÷ last-layer gradient norm: sigmoid %.2e, relu %.2e", sigmoidRatio, reluRatio)))

        // A linear stack stays linear: f(x + y) − f(x) − f(y) + f(0) is zero for identity, not for ReLU.
        progress(0.95, "linearity")
        var linearity: [String: Double] = [:]
        for activation in [Activation.identity, .relu] {
            let model = LabNetwork.mlp([784, 64, 64, 64, 10], activation, seed: 3)
            model.eval()
            let x = data.test.samples([0]), y = data.test.samples([1]), zero = Tensor.zeros(x.shape)
            let residual = withoutGradients { model(x + y) - model(x) - model(y) + model(zero) }
            let scale = withoutGradients { model(x + y).abs().mean().scalar }
            linearity[activation.name] = Double(residual.abs().max().scalar / max(scale, 1e-12))
        }
        result.verdicts.append(Verdict("A deep network without non-linearity is a single linear (affine) map",
                                       supported: (linearity["identity"] ?? 1) < 1e-4 && (linearity["relu"] ?? 0) > 1e-2,
                                       evidence: String(format: "relative |f(x+y) − f(x) − f(y) + f(0)|: identity %.1e, relu %.1e",
                                                        linearity["identity"] ?? 0, linearity["relu"] ?? 0)))
        result.numbers["mlp"] = numbers
        result.numbers["deep_gradient_ratio"] = ratios
        result.numbers["linearity_residual"] = linearity
        result.notes.append("Every run: same initialization seed, SGD with momentum 0.9, batch 64, z-scored inputs, " +
                            "\(data.train.count) training and \(data.validation?.count ?? 0) validation images.")
        progress(1, "done")
        return result
    }
}
