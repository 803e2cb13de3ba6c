import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelTrain

/// The evaluation report against scikit-learn's documented example and hand-computed calibration.
struct ClassificationReportTests {
    /// Rows that predict `predicted` with probability 0.6 (0.2 for the other two classes).
    static func probabilities(_ predicted: [Int]) -> Tensor {
        Tensor(shape: [predicted.count, 3], scalars: predicted.flatMap { p in (0..<3).map { $0 == p ? Float(0.6) : 0.2 } })
    }

    @Test func matchesScikitLearnsClassificationReportExample() {
        // sklearn's docs: y_true [0, 1, 2, 2, 2], y_pred [0, 0, 2, 2, 1].
        let report = ClassificationReport(probabilities: Self.probabilities([0, 0, 2, 2, 1]), labels: [0, 1, 2, 2, 2])
        #expect(report.confusionMatrix == [[1, 0, 0], [1, 0, 0], [0, 1, 2]])
        let expected: [(Double, Double, Double, Int)] = [(0.5, 1, 2.0 / 3, 1), (0, 0, 0, 1), (1, 2.0 / 3, 0.8, 3)]
        for (scores, (p, r, f1, support)) in zip(report.perClass, expected) {
            #expect(abs(scores.precision - p) < 1e-12 && abs(scores.recall - r) < 1e-12 && abs(scores.f1 - f1) < 1e-12 && scores.support == support)
        }
        #expect(abs(report.macroF1 - 0.48888888888888893) < 1e-12 && abs(report.weightedF1 - 0.6133333333333334) < 1e-12)
        #expect(report.accuracy == 0.6 && report.topKAccuracy.keys.sorted() == [1])
        // Every confidence is 0.6 (as a Float, just above: the bin (0.6, 0.6667]) and the accuracy is 0.6: ECE ≈ 0.
        #expect(abs(report.expectedCalibrationError) < 1e-6 && report.calibration.map(\.count) == (0..<15).map { $0 == 9 ? 5 : 0 })
    }

    @Test func topKAndCalibrationCountWhatTheyShould() {
        // 6 classes: the true class is 2nd most probable in row 0, 4th in row 1, first in row 2.
        let rows: [[Float]] = [
            [0.5, 0.3, 0.1, 0.05, 0.03, 0.02], [0.4, 0.3, 0.2, 0.06, 0.02, 0.02], [0.9, 0.02, 0.02, 0.02, 0.02, 0.02],
        ]
        let report = ClassificationReport(probabilities: Tensor(shape: [3, 6], scalars: rows.flatMap { $0 }), labels: [1, 3, 0])
        #expect(report.topKAccuracy == [1: 1.0 / 3, 3: 2.0 / 3, 5: 1])
        // Confidences 0.5 (wrong), 0.4 (wrong), 0.9 (right): ECE = (0.5 + 0.4 + 0.1) / 3.
        #expect(abs(report.expectedCalibrationError - 1.0 / 3) < 1e-6)
        let json = report.jsonObject(classNames: ["a", "b", "c", "d", "e", "f"])
        #expect((json["per_class"] as? [[String: Any]])?.first?["class"] as? String == "a")
        #expect((json["top_k_accuracy"] as? [String: Double])?["3"] == 2.0 / 3)
    }
}
