import Foundation
import Keel
import KeelData
import KeelTrain

/// The seed's activation claims: ReLU for hidden layers, saturating functions vanish gradients in deep
/// networks, a linear stack stays linear, sigmoid for a binary output, and "try them all and compare on
/// validation data".
public struct ActivationsLabStudy: Study {
    public let name = "activations"
    public let title = "Activation functions"
    public let claim =
        "Use ReLU (or a relative) in hidden layers: saturating functions such as sigmoid make gradients "
        + "vanish in deep networks, and without a non-linearity a deep network is just one linear layer. "
        + "Sigmoid belongs on a binary output. Try several and compare on validation data."
    public init() {}

    static let candidates: [Activation] = [.sigmoid, .tanh, .relu, .leakyReLU(), .elu(), .gelu, .silu, .mish, .identity]

    /// One activation's runs over seeds.
    struct Comparison {
        var activation: Activation
        var validationCurves: [[Double]] = []
        var lossCurves: [[Double]] = []
        var dead: [Double] = []
        var saturated: [Double] = []
        /// Mean gradient norm of each Linear layer in the last epoch, one array per seed.
        var gradientNorms: [[Double]] = []
        /// Seeds whose loss became NaN/Inf (training stopped there; the last good weights are evaluated).
        var diverged = 0
        var finalValidation: MeanStd { MeanStd(validationCurves.compactMap(\.last)) }
    }

    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult {
        var result = emptyResult(quick: quick)
        let data = try LabNetwork.mnistWithValidation()
        let epochs = quick ? 10 : 20
        let seedCount = quick ? min(seeds, 2) : seeds
        let comparisons = try compare(data, epochs: epochs, seeds: seedCount) { progress(0.6 * $0, $1) }
        report(comparisons, epochs: epochs, into: &result)
        progress(0.6, "deep networks")
        try deepNetworks(data, epochs: quick ? 5 : 10, into: &result)
        progress(0.8, "linearity")
        try linearity(data, epochs: epochs, seeds: seedCount, into: &result)
        progress(0.9, "binary output")
        try binaryOutput(data, epochs: epochs, into: &result)
        result.notes.append(
            "Every run: SGD with momentum 0.9 (lr 0.05), batch 64, z-scored inputs, \(data.train.count) training and "
                + "\(data.validation?.count ?? 0) validation images of MNIST-5k, \(epochs) epochs, \(seedCount) seed(s) "
                + "(mean ± std); the initialization seed is the same for every activation (PyTorch's default initialization; the "
                + "8-hidden-layer networks use Glorot/Xavier for sigmoid and He/Kaiming for ReLU, each the one designed for it). Dead units: outputs that are zero for every "
                + "sample of a batch; saturated: activations with |f′(x)| < \(ActivationStatistics.saturationThreshold) (for ReLU, its "
                + "inactive side); both averaged over the hidden layers and the last epoch's recorded batches.")
        result.numbers["setup"] =
            [
                "epochs": epochs, "seeds": seedCount, "training_images": data.train.count,
                "validation_images": data.validation?.count ?? 0,
            ] as [String: any Sendable]
        progress(1, "done")
        return result
    }

    /// The same MLP 784-128-64-10 with each hidden activation.
    func compare(_ data: PreparedData, epochs: Int, seeds: Int, progress: (Double, String) -> Void) throws -> [Comparison] {
        var comparisons: [Comparison] = []
        for (i, activation) in Self.candidates.enumerated() {
            var c = Comparison(activation: activation)
            for seed in 0..<seeds {
                progress(Double(i * seeds + seed) / Double(Self.candidates.count * seeds), "MLP with \(activation.name), seed \(seed)")
                let model = LabNetwork.mlp([784, 128, 64, 10], activation, seed: UInt64(seed + 1))
                let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.05, momentum: 0.9))
                let recorder = DiagnosticsRecorder(model: model, every: 5)
                trainer.callbacks = [recorder]
                let finished = try LabNetwork.unlessDiverged {
                    try trainer.fit(DataLoader(data.train, batchSize: 64, seed: UInt64(seed + 1)), validation: data.validation, epochs: epochs)
                }
                var curve = trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init)
                if !finished {
                    c.diverged += 1
                    curve.append(Double(trainer.evaluate(data.validation!).accuracy))  // the weights before the NaN step
                }
                c.validationCurves.append(curve)
                c.lossCurves.append(trainer.history.epochs.map { Double($0.trainLoss) })
                let summary = recorder.epochSummary(trainer.history.epochs.count - 1)
                let hidden = summary.filter { $0.deadFraction != nil }
                c.dead.append(MeanStd(hidden.compactMap(\.deadFraction)).mean)
                c.saturated.append(MeanStd(hidden.compactMap(\.saturatedFraction)).mean)
                c.gradientNorms.append(summary.compactMap(\.gradientNorm).map(Double.init))
            }
            comparisons.append(c)
        }
        return comparisons
    }

    func report(_ comparisons: [Comparison], epochs: Int, into result: inout StudyResult) {
        var rows: [[String]] = []
        var numbers: [String: any Sendable] = [:]
        var validation = LineChart(title: "MLP 784-128-64-10: validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        var loss = LineChart(title: "MLP 784-128-64-10: training loss per epoch", xLabel: "epoch", yLabel: "training loss")
        loss.logY = true
        let xs = (1...epochs).map(Double.init)
        for (i, c) in comparisons.enumerated() {
            let color = LineChart.palette[i % LineChart.palette.count]
            let dashed = i >= LineChart.palette.count
            validation.series.append(.init(name: c.activation.name, xs: xs, runs: c.validationCurves, color: color, dashed: dashed))
            loss.series.append(.init(name: c.activation.name, xs: xs, runs: c.lossCurves, color: color, dashed: dashed))
            let norms = (0..<(c.gradientNorms.first?.count ?? 0)).map { layer in MeanStd(c.gradientNorms.map { $0[layer] }).mean }
            rows.append([
                c.activation.name,
                c.finalValidation.formatted(digits: 2, scale: 100, unit: " %")
                    + (c.diverged > 0 ? " (NaN loss in \(c.diverged) of \(c.validationCurves.count) seeds: stopped early)" : ""),
                MeanStd(c.lossCurves.compactMap(\.last)).formatted(digits: 4),
                MeanStd(c.dead).formatted(digits: 1, scale: 100, unit: " %"), MeanStd(c.saturated).formatted(digits: 1, scale: 100, unit: " %"),
                norms.map { String(format: "%.3g", $0) }.joined(separator: " / "),
            ])
            numbers[c.activation.name] =
                [
                    "final_validation_accuracy": c.finalValidation.json, "validation_accuracy": c.validationCurves,
                    "training_loss": c.lossCurves, "dead_fraction": MeanStd(c.dead).json,
                    "saturated_fraction": MeanStd(c.saturated).json, "gradient_norm_per_layer": norms,
                    "diverged_seeds": c.diverged,
                ] as [String: any Sendable]
        }
        var bars = BarChart(
            title: "Final validation accuracy by hidden activation (mean ± std)", valueLabel: "validation accuracy (%)",
            categories: comparisons.map(\.activation.name))
        let low = comparisons.map { $0.finalValidation.mean * 100 }.min() ?? 0
        bars.domain = max(0, floor(low) - 2)...100
        bars.valueFormat = "%.2f"
        bars.series = [
            .init(
                name: "validation accuracy", values: comparisons.map { $0.finalValidation.mean * 100 },
                errors: comparisons.map { $0.finalValidation.std * 100 }, color: LineChart.palette[0])
        ]
        result.charts += [bars.svg(), validation.svg(), loss.svg()]
        result.tables.append(
            htmlTable(
                [
                    "hidden activation", "final validation accuracy", "final training loss", "dead units",
                    "saturated units", "‖∇W‖ per Linear layer (input → output), last epoch",
                ], rows))
        result.numbers["mlp"] = numbers

        func final(_ name: String) -> MeanStd { comparisons.first { $0.activation.name == name }!.finalValidation }
        let relu = final("relu")
        let sigmoid = final("sigmoid")
        let best = comparisons.max { $0.finalValidation.mean < $1.finalValidation.mean }!
        result.verdicts.append(
            Verdict(
                "ReLU hidden layers reach a better validation accuracy than sigmoid ones",
                supported: relu.mean > sigmoid.mean,
                evidence:
                    "relu \(relu.formatted(digits: 2, scale: 100, unit: " %")), sigmoid \(sigmoid.formatted(digits: 2, scale: 100, unit: " %")); "
                    + "best: \(best.activation.name) \(best.finalValidation.formatted(digits: 2, scale: 100, unit: " %"))"))
        let reluFamily = comparisons.filter { ["relu", "leaky_relu", "elu", "gelu", "silu", "mish"].contains($0.activation.name) }
        let familyBest = reluFamily.map(\.finalValidation.mean).max() ?? 0
        let saturating = comparisons.filter { ["sigmoid", "tanh"].contains($0.activation.name) }.map(\.finalValidation.mean).max() ?? 0
        result.verdicts.append(
            Verdict(
                "The ReLU family (ReLU, Leaky ReLU, ELU, GELU, SiLU, Mish) beats the saturating sigmoid and tanh",
                supported: familyBest > saturating,
                evidence: String(format: "best of the ReLU family %.2f %%, best of sigmoid/tanh %.2f %%", familyBest * 100, saturating * 100)))
    }

    /// A 9-layer (8 hidden) network with sigmoid and with ReLU: gradient norm of each Linear layer, and learning.
    func deepNetworks(_ data: PreparedData, epochs: Int, into result: inout StudyResult) throws {
        var depthSeries: [LineChart.Series] = []
        var curves: [LineChart.Series] = []
        var ratios: [String: Double] = [:]
        var finals: [String: Double] = [:]
        var numbers: [String: any Sendable] = [:]
        // Each with the initialization designed for it: Glorot/Xavier for sigmoid, He/Kaiming for ReLU.
        for (i, (activation, initializer)) in [(Activation.sigmoid, Initializer.xavierUniform()), (.relu, .kaimingUniform())].enumerated() {
            let model = LabNetwork.mlp([784] + Array(repeating: 64, count: 8) + [10], activation, seed: 2, initializer: initializer)
            let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.01, momentum: 0.9))
            let recorder = DiagnosticsRecorder(model: model, every: 1)
            trainer.callbacks = [recorder]
            _ = try LabNetwork.unlessDiverged {
                try trainer.fit(DataLoader(data.train, batchSize: 64, seed: 2), validation: data.validation, epochs: epochs)
            }
            // Gradient norms over the first epoch (when the difference decides whether the network learns at all).
            let norms = recorder.epochSummary(0).compactMap(\.gradientNorm).map(Double.init)
            ratios[activation.name] = norms.first! / max(norms.last!, 1e-30)
            depthSeries.append(
                .init(
                    name: activation.name, points: norms.enumerated().map { (Double($0.offset + 1), max($0.element, 1e-12)) },
                    color: LineChart.palette[i]))
            let accuracy = trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init)
            curves.append(
                .init(
                    name: activation.name, points: accuracy.enumerated().map { (Double($0.offset + 1), $0.element) },
                    color: LineChart.palette[i]))
            finals[activation.name] = accuracy.last ?? 0
            numbers[activation.name] = ["gradient_norm_per_layer": norms, "validation_accuracy": accuracy] as [String: any Sendable]
        }
        var depth = LineChart(title: "8 hidden layers: mean ‖∇W‖ of each Linear layer in epoch 1", xLabel: "layer (1 = input side)", yLabel: "‖∇W‖")
        depth.series = depthSeries
        depth.logY = true
        var learning = LineChart(title: "8 hidden layers: validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        learning.series = curves
        learning.yDomain = 0...1
        result.charts += [depth.svg(), learning.svg()]
        let sigmoid = ratios["sigmoid"] ?? 1
        let relu = ratios["relu"] ?? 1
        result.verdicts.append(
            Verdict(
                "In a deep sigmoid network the gradients vanish toward the input layers (far more than with ReLU)",
                supported: sigmoid < 0.1 && sigmoid < relu / 10,
                evidence: String(format: "first-layer ÷ last-layer gradient norm in epoch 1: sigmoid %.2e, relu %.2e", sigmoid, relu)))
        let sigmoidFinal = finals["sigmoid"] ?? 0
        let reluFinal = finals["relu"] ?? 0
        result.verdicts.append(
            Verdict(
                "So the deep sigmoid network learns far more slowly than the deep ReLU network",
                supported: reluFinal - sigmoidFinal > 0.2,
                evidence: String(
                    format: "validation accuracy after %d epochs: sigmoid %.2f %%, relu %.2f %% (chance: 10 %%)", epochs,
                    sigmoidFinal * 100, reluFinal * 100)))
        result.numbers["deep"] = numbers
        result.numbers["deep_gradient_ratio"] = ratios
    }

    /// A linear stack is one affine map: the superposition residual, and its accuracy against one Linear layer.
    func linearity(_ data: PreparedData, epochs: Int, seeds: Int, into result: inout StudyResult) throws {
        var residuals: [String: Double] = [:]
        for activation in [Activation.identity, .relu] {
            let model = LabNetwork.mlp([784, 64, 64, 64, 10], activation, seed: 3)
            model.eval()
            let x = data.test.samples([0])
            let y = data.test.samples([1])
            let zero = Tensor.zeros(x.shape)
            let residual = withoutGradients { model(x + y) - model(x) - model(y) + model(zero) }
            let scale = withoutGradients { model(x + y).abs().mean().scalar }
            residuals[activation.name] = Double(residual.abs().max().scalar / max(scale, 1e-12))
        }
        result.verdicts.append(
            Verdict(
                "A deep network without non-linearity is a single linear (affine) map",
                supported: (residuals["identity"] ?? 1) < 1e-4 && (residuals["relu"] ?? 0) > 1e-2,
                evidence: String(
                    format: "relative |f(x+y) − f(x) − f(y) + f(0)| at initialization: identity %.1e, relu %.1e",
                    residuals["identity"] ?? 0, residuals["relu"] ?? 0)))
        // Trained at a learning rate where the linear stack is stable (at 0.05 it can diverge): one Linear layer
        // (multinomial logistic regression), the same 784-128-64-10 stack with identity, and with ReLU.
        var accuracy: [String: [Double]] = [:]
        let models: [(String, [Int], Activation)] = [
            ("one Linear layer", [784, 10], .identity),
            ("identity MLP", [784, 128, 64, 10], .identity),
            ("relu MLP", [784, 128, 64, 10], .relu),
        ]
        for (label, sizes, activation) in models {
            for seed in 0..<seeds {
                let model = LabNetwork.mlp(sizes, activation, seed: UInt64(seed + 1))
                let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.01, momentum: 0.9))
                _ = try LabNetwork.unlessDiverged {
                    try trainer.fit(DataLoader(data.train, batchSize: 64, seed: UInt64(seed + 1)), epochs: epochs)
                }
                accuracy[label, default: []].append(Double(trainer.evaluate(data.validation!).accuracy))
            }
        }
        let one = MeanStd(accuracy["one Linear layer"]!)
        let identity = MeanStd(accuracy["identity MLP"]!)
        let relu = MeanStd(accuracy["relu MLP"]!)
        result.verdicts.append(
            Verdict(
                "A 3-layer network with identity activations does no better than one Linear layer, and worse than ReLU",
                supported: identity.mean <= one.mean + 0.01 && identity.mean < relu.mean,
                evidence: "validation accuracy at lr 0.01: identity MLP \(identity.formatted(digits: 2, scale: 100, unit: " %")), one Linear layer "
                    + "\(one.formatted(digits: 2, scale: 100, unit: " %")), relu MLP \(relu.formatted(digits: 2, scale: 100, unit: " %"))"))
        result.numbers["linear_stack_validation_accuracy"] =
            [
                "one_linear_layer": one.json, "identity_mlp": identity.json,
                "relu_mlp": relu.json, "learning_rate": 0.01,
            ] as [String: any Sendable]
        result.numbers["linearity_residual"] = residuals
    }

    /// Sigmoid as the output of a binary classifier (is the digit odd?), trained with binary cross-entropy.
    func binaryOutput(_ data: PreparedData, epochs: Int, into result: inout StudyResult) throws {
        let model = LabNetwork.mlp([784, 64, 1], .relu, seed: 4)
        let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.05, momentum: 0.9))
        func targets(_ labels: [Int32]) -> Tensor { Tensor(shape: [labels.count, 1], scalars: labels.map { Float($0 % 2) }) }
        trainer.lossFunction = { logits, labels in binaryCrossEntropyWithLogits(logits: logits, targets: targets(labels)) }
        _ = try LabNetwork.unlessDiverged { try trainer.fit(DataLoader(data.train, batchSize: 64, seed: 4), epochs: epochs) }
        let validation = data.validation!
        model.eval()
        let probabilities = withoutGradients { model(validation.samples(Array(0..<validation.count))).sigmoid() }.scalars
        let truth = validation.labels.map { Int($0 % 2) }
        let accuracy = Double(zip(probabilities, truth).filter { ($0 >= 0.5 ? 1 : 0) == $1 }.count) / Double(truth.count)
        // Reliability: in each probability bin, the observed frequency of "odd".
        var binCount = [Int](repeating: 0, count: 10)
        var binPositive = [Int](repeating: 0, count: 10)
        var binMean = [Double](repeating: 0, count: 10)
        for (p, t) in zip(probabilities, truth) {
            let b = min(Int(p * 10), 9)
            binCount[b] += 1
            binPositive[b] += t
            binMean[b] += Double(p)
        }
        let used = (0..<10).filter { binCount[$0] >= 10 }  // bins with too few images say nothing
        let ece = (0..<10).filter { binCount[$0] > 0 }.map { abs(binMean[$0] - Double(binPositive[$0])) / Double(truth.count) }.reduce(0, +)
        var reliability = LineChart(
            title: "Sigmoid output (is the digit odd?): reliability on validation images",
            xLabel: "predicted probability (bin mean)", yLabel: "observed frequency of odd")
        reliability.xDomain = 0...1
        reliability.yDomain = 0...1
        reliability.series = [  // bins with at least 10 images
            .init(name: "perfectly calibrated", points: [(0, 0), (1, 1)], color: "#999999", dashed: true, width: 1),
            .init(
                name: "sigmoid + binary cross-entropy",
                points: used.map { (binMean[$0] / Double(binCount[$0]), Double(binPositive[$0]) / Double(binCount[$0])) },
                color: LineChart.palette[0]),
        ]
        result.charts.append(reliability.svg())
        // σ(z) is the two-class softmax with logits (z, 0).
        let z = Tensor(shape: [7], scalars: [-30, -5, -1, 0, 1, 5, 30])
        let viaSoftmax = Tensor.concatenate([z.reshaped([7, 1]), Tensor.zeros([7, 1])], axis: 1).softmax(axis: 1).scalars.enumerated()
            .filter { $0.offset % 2 == 0 }.map(\.element)
        let difference = zip(z.sigmoid().scalars, viaSoftmax).map { abs($0 - $1) }.max() ?? 0
        let inside = probabilities.allSatisfy { $0 >= 0 && $0 <= 1 }
        result.verdicts.append(
            Verdict(
                "A sigmoid output unit trained with binary cross-entropy is a binary classifier whose output reads as a probability",
                supported: inside && accuracy > 0.9 && ece < 0.05,
                evidence: String(
                    format: "odd-vs-even validation accuracy %.2f %%, expected calibration error %.3f, every output in [0, 1]: %@; "
                        + "σ(z) equals the two-class softmax of (z, 0) to %.1e", accuracy * 100, ece, inside ? "yes" : "no", difference)))
        result.numbers["binary_output"] =
            [
                "validation_accuracy": accuracy, "expected_calibration_error": ece,
                "outputs_in_unit_interval": inside, "sigmoid_vs_softmax_max_difference": Double(difference),
                "reliability_bins": used.map {
                    [
                        "count": binCount[$0], "mean_probability": binMean[$0] / Double(binCount[$0]),
                        "observed": Double(binPositive[$0]) / Double(binCount[$0]),
                    ] as [String: any Sendable]
                },
            ] as [String: any Sendable]
    }
}
