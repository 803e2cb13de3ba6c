import Foundation

extension LearningRateLabStudy {
    /// The range tests, the loss curves at the suggestion, 10× and 0.1×, validation accuracy against the rate, a table.
    public func render(_ m: Measurement) -> StudyFigures {
        let tests = m.rangeTests.enumerated().map { ("seed \($0.offset)", $0.element) }
        var curves = LineChart(title: "Training loss per epoch at the suggestion, 10× and 0.1× of it", xLabel: "epoch", yLabel: "training loss")
        curves.logY = true
        curves.series = ["0.1× suggested", "suggested", "10× suggested"].enumerated().compactMap { i, label in
            m.named(label).map { t in
                .init(
                    name: String(format: "%@ (%.3g)", label, t.learningRate),
                    points: t.trainingLoss.enumerated().map { (Double($0.offset + 1), Double($0.element)) },
                    color: LineChart.palette[i])
            }
        }
        var sweep = LineChart(
            title: "Validation accuracy after \(m.epochs) epochs against a fixed learning rate", xLabel: "learning rate",
            yLabel: "validation accuracy (%)")
        sweep.logX = true
        sweep.series = [
            .init(
                name: "sweep (mean over \(m.seeds) seeds)",
                points: m.sweep.map { (Double($0.learningRate), $0.accuracy.mean.isFinite ? $0.accuracy.mean * 100 : .nan) },
                color: LineChart.palette[0], spread: m.sweep.map { $0.accuracy.std * 100 }),
            .init(
                name: String(format: "range-test suggestion %.3g", m.suggestion), points: [(Double(m.suggestion), 0), (Double(m.suggestion), 100)],
                color: LineChart.palette[1], dashed: true),
        ]
        let rows = m.trainings.map { t in
            [
                t.label, String(format: "%.3g", t.learningRate), t.accuracy.formatted(digits: 2, scale: 100, unit: " %"),
                t.diverged > 0 ? "diverged (\(t.diverged) seeds)" : String(format: "%.4f", t.finalLoss), String(format: "%.2f", t.oscillation),
            ]
        }
        let steepest = m.rangeTests.compactMap(\.steepest)
        let spread = steepest.isEmpty ? "—" : String(format: "%.3g – %.3g over %d seeds", steepest.min()!, steepest.max()!, steepest.count)
        let suggestions = m.rangeTests.enumerated().map { i, r in
            String(
                format: "seed %d: steepest %@, minimum/10 %@", i, r.steepest.map { String(format: "%.3g", $0) } ?? "—",
                r.minimumOver10.map { String(format: "%.3g", $0) } ?? "—")
        }
        return StudyFigures(
            charts: [LearningRateFigures.rangeTest(tests), curves.svg(), sweep.svg()],
            tables: [htmlTable(["training", "learning rate", "validation accuracy", "final training loss", "last-epoch jumps (std/mean)"], rows)],
            notes: [
                "Range test: 100 updates from 10⁻⁶ to 10, exponentially, loss smoothed (β = 0.98) and stopped at 4× its minimum; "
                    + suggestions.joined(separator: "; ") + ". Steepest-descent suggestions span \(spread); their geometric mean "
                    + String(format: "%.3g", m.suggestion) + " is the suggestion trained.",
                "Ready to use: keel train --model mlp \(m.oneCycle) (or --lr \(String(format: "%.3g", m.suggestion)) for a constant rate).",
                "Every training: the MLP 784-256-128-10 on z-scored MNIST-5k (20 % of the training images for validation), SGD with "
                    + "momentum 0.9, batch 64, \(m.epochs) epochs, constant rate, \(m.seeds) seed(s).",
            ],
            printed: [
                "ready to use: keel train --model mlp \(m.oneCycle)   (range-test suggestion \(String(format: "%.3g", m.suggestion)); spread \(spread))"
            ])
    }
}
