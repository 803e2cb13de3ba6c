import Foundation
import KeelTrain

/// Charts of the learning-rate range test.
public enum LearningRateFigures {
    /// The smoothed loss against the learning rate (log axis) of each named test, the suggestions marked.
    public static func rangeTest(_ tests: [(name: String, result: LearningRateFinder.Result)]) -> String {
        var chart = LineChart(
            title: "Learning-rate range test: smoothed loss against the learning rate", xLabel: "learning rate", yLabel: "smoothed loss")
        chart.logX = true
        for (i, test) in tests.enumerated() {
            let color = LineChart.palette[i % LineChart.palette.count]
            chart.series.append(.init(name: test.name, points: test.result.points.map { (Double($0.learningRate), $0.smoothedLoss) }, color: color))
            let losses = test.result.points.map(\.smoothedLoss)
            guard let low = losses.min(), let high = losses.max() else { continue }
            for (label, rate) in [("steepest", test.result.steepest), ("min/10", test.result.minimumOver10)] {
                guard let rate else { continue }
                chart.series.append(
                    .init(name: "\(test.name): \(label)", points: [(Double(rate), low), (Double(rate), high)], color: color, dashed: true, width: 1))
            }
        }
        return chart.svg()
    }
}
