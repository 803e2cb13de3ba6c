import Foundation
import Keel

/// The normalization study's contour maps, curves and tables, drawn from its measurement.
extension NormalizationLabStudy {
    /// The contour maps and loss gaps, the validation curves and tables per table and the batch-norm comparison.
    public func render(_ m: Measurement) -> StudyFigures {
        var figures = StudyFigures(charts: descentCharts(m))
        for comparison in m.inputs {
            figures.charts.append(inputChart(comparison))
            figures.tables.append(inputTable(comparison))
        }
        figures.charts.append(batchNormChart(m))
        figures.tables.append(batchNormTable(m))
        figures.notes.append(
            "Input normalization: statistics fitted on the training split only; the same network, optimizer, learning rate "
                + "and seeds for every method; a run that diverges (NaN loss) never reaches the target. Batch norm: MLP 784-128×6-10, "
                + "ReLU, PyTorch's default initialization, SGD momentum 0.9, batch 64, z-scored inputs, BatchNorm1d after every hidden "
                + "Linear layer.")
        return figures
    }

    /// The two-feature least-squares picture: contours with the raw and standardized trajectories, and the loss gaps.
    func descentCharts(_ m: Measurement) -> [String] {
        let raw = ConvergenceExperiment.seedProblem()
        let standardized = raw.standardized
        func path(_ d: Descent) -> (String, [(Double, Double)], String) {
            ("gradient descent, \(d.iterations.map(String.init) ?? "no") iterations", d.trajectory.map { ($0[0], $0[1]) }, "#D55E00")
        }
        // Axes to the same scale (404 × 316 px plot for 180 × 140 units), so the contours keep their true, elongated shape.
        var rawMap = HeatmapChart(
            title: "Raw features: loss over (w₁, w₂), axes to scale", xLabel: "w₁", yLabel: "w₂", xRange: -90...90,
            yRange: -100...40, values: raw.lossGrid(w1: -90...90, w2: -100...40, resolution: 61))
        rawMap.paths = [path(m.raw)]
        let v = standardized.optimum
        let span = 1.3 * max(abs(v.0), abs(v.1), 10)
        var standardMap = HeatmapChart(
            title: "Standardized features: loss over (w₁, w₂)", xLabel: "w₁", yLabel: "w₂", xRange: -span...span, yRange: -span...span,
            values: standardized.lossGrid(w1: -span...span, w2: -span...span, resolution: 40))
        standardMap.paths = [path(m.standardized)]
        var curves = LineChart(title: "Loss gap to the optimum per iteration", xLabel: "iteration", yLabel: "loss − minimum")
        curves.logY = true
        curves.series = [
            .init(
                name: String(format: "raw (lr %.3g)", m.raw.learningRate), points: m.raw.gaps.enumerated().map { (Double($0.offset), $0.element) },
                color: LineChart.palette[1]),
            .init(
                name: String(format: "standardized (lr %.3g)", m.standardized.learningRate),
                points: m.standardized.gaps.enumerated().map { (Double($0.offset), $0.element) }, color: LineChart.palette[0]),
        ]
        return [rawMap.svg(), standardMap.svg(), curves.svg()]
    }

    func inputChart(_ c: InputComparison) -> String {
        var chart = LineChart(
            title: "\(c.title): validation accuracy per epoch (mean ± std over seeds)", xLabel: "epoch", yLabel: "validation accuracy")
        chart.yDomain = 0...1
        chart.series = c.methods.enumerated().map { i, runs in
            .init(
                name: runs.method.rawValue, xs: (1...c.maxEpochs).map(Double.init),
                runs: runs.validationAccuracy.map { $0.map(Double.init) }, color: LineChart.palette[i])
        }
        return chart.svg()
    }

    func inputTable(_ c: InputComparison) -> String {
        let rows = c.methods.map { runs -> [String] in
            let reached = runs.epochsToTarget.compactMap { $0 }.count
            let diverged = runs.validationAccuracy.filter { $0.count < c.maxEpochs }.count
            let final = MeanStd(runs.validationAccuracy.map { Double($0.count == c.maxEpochs ? $0.last! : .nan) })
            return [
                runs.method.rawValue, runs.epochsToTarget.map { $0.map(String.init) ?? "—" }.joined(separator: ", "),
                runs.meanEpochs?.formatted(digits: 1) ?? "not every seed (\(reached)/\(runs.epochsToTarget.count))",
                diverged > 0 ? "diverged (\(diverged)/\(runs.epochsToTarget.count))" : final.formatted(digits: 2, scale: 100, unit: " %"),
            ]
        }
        let header = [
            "input normalization", "epochs to 95 % validation accuracy per seed", "mean ± std", "validation accuracy after \(c.maxEpochs) epochs",
        ]
        return "<h3>\(escape(c.title))</h3>" + htmlTable(header, rows)
    }

    func batchNormChart(_ m: Measurement) -> String {
        var chart = LineChart(title: "6 hidden layers (MNIST-5k): validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        chart.yDomain = 0...1
        chart.series = m.batchNorm.enumerated().map { k, runs in
            .init(
                name: runs.label, xs: (1...m.batchNormEpochs).map(Double.init), runs: runs.validationAccuracy,
                color: LineChart.palette[k / 2], dashed: !runs.batchNorm)
        }
        return chart.svg()
    }

    func batchNormTable(_ m: Measurement) -> String {
        let rows = m.batchNorm.map { runs -> [String] in
            let final = MeanStd(runs.validationAccuracy.map { $0.count == m.batchNormEpochs ? $0.last! : .nan })
            return [
                runs.label, runs.epochsToTarget.map { $0.map(String.init) ?? "—" }.joined(separator: ", "),
                runs.meanEpochs?.formatted(digits: 1) ?? "not every seed", final.formatted(digits: 2, scale: 100, unit: " %"),
                MeanStd(runs.seconds).formatted(digits: 2, unit: " s"),
            ]
        }
        let target = Int(m.batchNormTarget * 100)
        return "<h3>Batch norm in a deeper network</h3>"
            + htmlTable(["network", "epochs to \(target) % per seed", "mean ± std", "final validation accuracy", "training time"], rows)
    }
}
