import Foundation
import Keel

/// The activation study's table and charts, drawn from its measurement.
extension ActivationsLabStudy {
    /// The comparison table, the accuracy bars, the training curves, the deep networks' gradients and the reliability diagram.
    public func render(_ m: Measurement) -> StudyFigures {
        let note =
            "Every run: SGD with momentum 0.9 (lr 0.05), batch 64, z-scored inputs, \(m.trainingImages) training and "
            + "\(m.validationImages) validation images of MNIST-5k, \(m.epochs) epochs, \(m.seeds) seed(s) "
            + "(mean ± std); the initialization seed is the same for every activation (PyTorch's default initialization; the "
            + "8-hidden-layer networks use Glorot/Xavier for sigmoid and He/Kaiming for ReLU, each the one designed for it). Dead units: "
            + "outputs that are zero for every sample of a batch; saturated: activations with |f′(x)| < \(ActivationStatistics.saturationThreshold) "
            + "(for ReLU, its inactive side); both averaged over the hidden layers and the last epoch's recorded batches."
        return StudyFigures(
            charts: [accuracyBars(m)] + curves(m) + deepCharts(m) + [reliabilityChart(m.binary)], tables: [table(m)], notes: [note])
    }

    func table(_ m: Measurement) -> String {
        let rows = m.mlp.map { c -> [String] in
            let diverged = c.diverged > 0 ? " (NaN loss in \(c.diverged) of \(c.validationCurves.count) seeds: stopped early)" : ""
            return [
                c.activation, c.finalValidation.formatted(digits: 2, scale: 100, unit: " %") + diverged,
                MeanStd(c.lossCurves.compactMap(\.last)).formatted(digits: 4), MeanStd(c.dead).formatted(digits: 1, scale: 100, unit: " %"),
                MeanStd(c.saturated).formatted(digits: 1, scale: 100, unit: " %"),
                c.meanGradientNorms.map { String(format: "%.3g", $0) }.joined(separator: " / "),
            ]
        }
        let header = [
            "hidden activation", "final validation accuracy", "final training loss", "dead units", "saturated units",
            "‖∇W‖ per Linear layer (input → output), last epoch",
        ]
        return htmlTable(header, rows)
    }

    func accuracyBars(_ m: Measurement) -> String {
        var bars = BarChart(
            title: "Final validation accuracy by hidden activation (mean ± std)", valueLabel: "validation accuracy (%)",
            categories: m.mlp.map(\.activation))
        let means = m.mlp.map { $0.finalValidation.mean * 100 }
        bars.domain = max(0, floor(means.min() ?? 0) - 2)...100
        bars.valueFormat = "%.2f"
        bars.series = [
            .init(name: "validation accuracy", values: means, errors: m.mlp.map { $0.finalValidation.std * 100 }, color: LineChart.palette[0])
        ]
        return bars.svg()
    }

    /// Validation accuracy and training loss per epoch, one band per activation.
    func curves(_ m: Measurement) -> [String] {
        var validation = LineChart(title: "MLP 784-128-64-10: validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        var loss = LineChart(title: "MLP 784-128-64-10: training loss per epoch", xLabel: "epoch", yLabel: "training loss")
        loss.logY = true
        let xs = (1...m.epochs).map(Double.init)
        for (i, c) in m.mlp.enumerated() {
            let (color, dashed) = (LineChart.palette[i % LineChart.palette.count], i >= LineChart.palette.count)
            validation.series.append(.init(name: c.activation, xs: xs, runs: c.validationCurves, color: color, dashed: dashed))
            loss.series.append(.init(name: c.activation, xs: xs, runs: c.lossCurves, color: color, dashed: dashed))
        }
        return [validation.svg(), loss.svg()]
    }

    func deepCharts(_ m: Measurement) -> [String] {
        var depth = LineChart(title: "8 hidden layers: mean ‖∇W‖ of each Linear layer in epoch 1", xLabel: "layer (1 = input side)", yLabel: "‖∇W‖")
        depth.logY = true
        var learning = LineChart(title: "8 hidden layers: validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        learning.yDomain = 0...1
        for (i, run) in m.deep.enumerated() {
            depth.series.append(
                .init(
                    name: run.activation, points: run.gradientNorms.enumerated().map { (Double($0.offset + 1), max($0.element, 1e-12)) },
                    color: LineChart.palette[i]))
            learning.series.append(
                .init(
                    name: run.activation, points: run.validationAccuracy.enumerated().map { (Double($0.offset + 1), $0.element) },
                    color: LineChart.palette[i]))
        }
        return [depth.svg(), learning.svg()]
    }

    func reliabilityChart(_ b: BinaryOutput) -> String {
        var reliability = LineChart(
            title: "Sigmoid output (is the digit odd?): reliability on validation images", xLabel: "predicted probability (bin mean)",
            yLabel: "observed frequency of odd")
        reliability.xDomain = 0...1
        reliability.yDomain = 0...1
        reliability.series = [  // bins with at least 10 images
            .init(name: "perfectly calibrated", points: [(0, 0), (1, 1)], color: "#999999", dashed: true, width: 1),
            .init(name: "sigmoid + binary cross-entropy", points: b.bins.map { ($0.meanProbability, $0.observed) }, color: LineChart.palette[0]),
        ]
        return reliability.svg()
    }
}
