import Foundation

/// The batch-size study's table, six charts and notes, drawn from its measurement.
extension BatchSizeLabStudy {
    /// The table, throughput, epochs and time to target, final accuracy, and the loss and validation curves.
    public func render(_ m: Measurement) -> StudyFigures {
        let charts = [
            chart(m, "Throughput: training samples per second", "samples / s", logY: true) { $0.samplesPerSecond },
            chart(m, "Epochs to \(target(m)) validation accuracy", "epochs") { $0.epochsToTarget },
            chart(m, "Training time to \(target(m)) validation accuracy", "seconds", logY: true) { $0.secondsToTarget },
            chart(m, "Final validation accuracy after \(m.setup.epochs) epochs", "validation accuracy") { $0.finalValidation },
            lossCurves(m), validationCurves(m),
        ]
        return StudyFigures(charts: charts, tables: [table(m)], notes: collapseNote(m) + [scalingNote(m), setupNote(m)])
    }

    func table(_ m: Measurement) -> String {
        let rows = m.summaries.map { s -> [String] in
            let diverged = s.runs.count - s.live.count
            return [
                s.batch == m.trainingSamples ? "\(s.batch) (full)" : "\(s.batch)", s.scaled ? "linear" : "constant",
                String(format: "%.4g", s.learningRate), "\(s.runs[0].iterationsPerEpoch)", s.secondsPerEpoch.formatted(digits: 3, unit: " s"),
                s.samplesPerSecond.formatted(digits: 0), s.epochsToTarget?.formatted(digits: 1) ?? "not reached (\(s.reached.count)/\(s.runs.count))",
                s.secondsToTarget?.formatted(digits: 2, unit: " s") ?? "—",
                diverged > 0 ? "diverged (\(diverged)/\(s.runs.count))" : s.finalValidation.formatted(digits: 2, scale: 100, unit: " %"),
                diverged > 0 ? "—" : s.finalTest.formatted(digits: 2, scale: 100, unit: " %"),
                s.lossNoise.formatted(digits: 3), s.validationJitter.formatted(digits: 2, scale: 100, unit: " %"),
            ]
        }
        let header = [
            "batch size", "lr scaling", "learning rate", "iterations / epoch", "time / epoch", "samples / s", "epochs to \(target(m))",
            "training time to \(target(m))", "final validation accuracy", "final test accuracy", "loss-curve noise", "validation jitter",
        ]
        return htmlTable(header, rows)
    }

    /// One value against batch size, a line for the constant and one for the scaled learning rate.
    func chart(_ m: Measurement, _ title: String, _ y: String, logY: Bool = false, _ value: (Summary) -> MeanStd?) -> String {
        func series(_ list: [Summary], _ name: String, _ color: Int) -> LineChart.Series {
            let kept = list.compactMap { s in value(s).flatMap { $0.hasValue ? (Double(s.batch), $0) : nil } }
            return .init(
                name: name, points: kept.map { ($0.0, $0.1.mean) }, color: LineChart.palette[color], dashed: color == 1,
                spread: kept.map { $0.1.std })
        }
        var c = LineChart(title: title, xLabel: "batch size (log scale)", yLabel: y)
        c.logX = true
        c.logY = logY
        c.series = [series(m.constant, "constant lr \(m.setup.learningRate)", 0), series(m.scaled, "lr × batch/\(m.setup.referenceBatch)", 1)]
        return c.svg()
    }

    /// Four sizes, linear axis (single-sample losses reach 0): the band's width is the noise.
    func lossCurves(_ m: Measurement) -> String {
        var curves = LineChart(title: "Training loss of each iteration (seed 0, constant lr)", xLabel: "epoch", yLabel: "training loss")
        curves.yDomain = 0...2.5
        let constant = m.constant
        let shown = Set([0, 2, 4, constant.count - 1].filter { $0 < constant.count })
        for (i, s) in constant.enumerated() where shown.contains(i) {
            guard let losses = s.runs[0].lossCurve, !losses.isEmpty else { continue }
            let step = s.runs[0].lossCurveStep
            let per = Double(s.runs[0].iterationsPerEpoch)
            curves.series.append(
                .init(
                    name: "batch \(s.batch)", points: losses.indices.map { (Double($0 * step + 1) / per, Double(losses[$0])) },
                    color: LineChart.palette[curves.series.count], width: 1))
        }
        return curves.svg()
    }

    func validationCurves(_ m: Measurement) -> String {
        var validation = LineChart(
            title: "Validation accuracy per epoch (mean of seeds, constant lr)", xLabel: "epoch", yLabel: "validation accuracy")
        for (i, s) in m.constant.enumerated() {
            validation.series.append(
                .init(
                    name: "batch \(s.batch)", xs: (1...m.setup.epochs).map(Double.init),
                    runs: s.live.map { $0.validationAccuracy.map(Double.init) }, color: LineChart.palette[i % LineChart.palette.count]))
        }
        return validation.svg()
    }

    /// Runs that learned and then fell back to chance (10 classes): the extreme form of "erratic".
    func collapseNote(_ m: Measurement) -> [String] {
        let collapsed = m.summaries.compactMap { s -> String? in
            let count = s.live.filter { run in (run.validationAccuracy.max() ?? 0) > 0.5 && run.finalValidation < 0.15 }.count
            return count > 0 ? "batch \(s.batch)\(s.scaled ? " (scaled lr)" : "") in \(count) of \(s.runs.count) seeds" : nil
        }
        guard !collapsed.isEmpty else { return [] }
        return [
            "Collapsed — learned (over 50 % validation accuracy), then fell back to chance level (under 15 %) without a NaN loss: "
                + collapsed.joined(separator: "; ") + "."
        ]
    }

    /// Linear scaling, reported beside the constant rate.
    func scalingNote(_ m: Measurement) -> String {
        let best = Self.highest(m.scaled, \.finalValidation)
        let diverged = m.scaled.filter { $0.live.count < $0.runs.count }.map { "\($0.batch)" }
        return "Linear learning-rate scaling (lr = \(m.setup.learningRate) × batch / \(m.setup.referenceBatch)): best final validation "
            + "accuracy \(best.finalValidation.formatted(digits: 2, scale: 100, unit: " %")) at batch \(best.batch)"
            + (diverged.isEmpty
                ? "; no run diverged."
                : "; diverged (NaN loss) at batch \(diverged.joined(separator: ", ")) — the rule needs a warm-up or a cap at large batches.")
    }

    func setupNote(_ m: Measurement) -> String {
        let momentum = m.setup.momentum == 0 ? "" : " with momentum \(m.setup.momentum)"
        return "Every run: MLP 784-128-64-10 (ReLU), plain mini-batch SGD\(momentum), z-scored inputs, \(m.trainingSamples) training and "
            + "\(m.validationSamples) validation images from MNIST-5k, \(m.setup.epochs) epochs, \(m.setup.seeds) seed(s) per setting "
            + "(mean ± std), \(m.ranks > 1 ? "\(m.ranks) data-parallel ranks × " : "")\(m.threads) threads. Time per epoch is the median over the run's epochs (training steps only, validation "
            + "excluded); time to target = epochs to target × time per epoch. Loss-curve noise = std of the iteration-to-iteration change "
            + "of the training loss ÷ its mean over the second half; validation jitter = mean |change| of validation accuracy between "
            + "consecutive epochs over the second half."
    }
}
