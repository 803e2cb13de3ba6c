import Foundation

/// The augmentation study's previews, table and charts, drawn from its measurement.
extension AugmentationLabStudy {
    /// The preview grids, the table, the test-accuracy curves and the accuracy and gap bars.
    public func render(_ m: Measurement) -> StudyFigures {
        var figures = StudyFigures()
        do { figures.charts = try previews() } catch { figures.notes.append("The preview grids could not be drawn: \(error).") }
        figures.tables.append(table(m))
        figures.charts += [curves(m), accuracyChart(m), gapChart(m)]
        figures.notes.append(
            "Every run: the reference CNN, SGD momentum 0.9 with one-cycle to lr 0.05, batch \(m.batchSize), \(m.epochs) epochs, "
                + "\(m.trainingImages) training images of MNIST-5k (z-scored after augmentation) and the \(m.testImages)-image test split, "
                + "\(m.seeds) seed(s) per condition (mean ± std). Training accuracy is measured on the un-augmented training images in "
                + "evaluation mode. PCA (AlexNet) lighting and hue/saturation need colour images: they are shown in the photo preview only.")
        return figures
    }

    func table(_ m: Measurement) -> String {
        let rows = m.outcomes.map { o in
            [
                o.name, o.specs.isEmpty ? "—" : o.specs.joined(separator: " + "), o.testAccuracy.formatted(digits: 2, scale: 100, unit: " %"),
                MeanStd(o.train).formatted(digits: 2, scale: 100, unit: " %"), o.gap.formatted(digits: 2, scale: 100, unit: " points"),
                MeanStd(o.seconds).formatted(digits: 1, unit: " s") + (o.diverged > 0 ? " (NaN loss in \(o.diverged) seeds: stopped early)" : ""),
            ]
        }
        let header = ["training augmentation", "specs", "test accuracy", "training accuracy (un-augmented)", "train − test gap", "training time"]
        return htmlTable(header, rows)
    }

    /// None, every third family and the full recipe.
    func curves(_ m: Measurement) -> String {
        var curves = LineChart(title: "Test accuracy per epoch: none, each family, full recipe", xLabel: "epoch", yLabel: "test accuracy")
        for (i, o) in m.outcomes.enumerated() where i == 0 || i == m.outcomes.count - 1 || i % 3 == 1 {
            curves.series.append(
                .init(
                    name: o.name, xs: (1...m.epochs).map(Double.init), runs: o.testCurves,
                    color: LineChart.palette[curves.series.count % LineChart.palette.count]))
        }
        return curves.svg()
    }

    func accuracyChart(_ m: Measurement) -> String {
        var chart = BarChart(
            title: "Test accuracy per training condition (mean ± std over seeds)", valueLabel: "test accuracy (%)",
            categories: m.outcomes.map(\.name))
        let means = m.outcomes.map { $0.testAccuracy.mean * 100 }
        chart.domain = max(0, floor((means.min() ?? 0) / 5) * 5 - 5)...100
        chart.valueFormat = "%.2f"
        chart.series = [
            .init(name: "test accuracy", values: means, errors: m.outcomes.map { $0.testAccuracy.std * 100 }, color: LineChart.palette[0])
        ]
        return chart.svg()
    }

    func gapChart(_ m: Measurement) -> String {
        var chart = BarChart(
            title: "Overfitting: training − test accuracy", valueLabel: "gap (percentage points)", categories: m.outcomes.map(\.name))
        chart.valueFormat = "%.2f"
        chart.series = [
            .init(name: "gap", values: m.outcomes.map { $0.gap.mean * 100 }, errors: m.outcomes.map { $0.gap.std * 100 }, color: LineChart.palette[1])
        ]
        return chart.svg()
    }
}
