import Foundation
import Keel

/// How a classifier does on labelled samples, as scikit-learn reports it: the confusion matrix, precision, recall,
/// F1 and support per class (over all `classes` classes, 0 where a ratio's denominator is 0 — scikit-learn's
/// `zero_division=0`), their macro and support-weighted means, top-k accuracy, and the expected calibration error.
public struct ClassificationReport: Equatable, Sendable {
    /// One class's scores.
    public struct ClassScores: Equatable, Sendable {
        /// TP / (TP + FP): of the samples predicted as this class, the share that are.
        public var precision: Double
        /// TP / (TP + FN): of the samples of this class, the share found.
        public var recall: Double
        /// 2·P·R / (P + R).
        public var f1: Double
        /// Samples of this class.
        public var support: Int
    }

    /// counts[true][predicted].
    public var confusionMatrix: [[Int]]
    /// Scores per class, in class order.
    public var perClass: [ClassScores]
    /// Fraction of samples whose prediction (the most probable class) is right.
    public var accuracy: Double
    /// Mean F1 over the classes.
    public var macroF1: Double
    /// F1 averaged with the classes' supports as weights.
    public var weightedF1: Double
    /// k → fraction of samples whose true class is among the k most probable, for k in 1, 3, 5 below the class count.
    public var topKAccuracy: [Int: Double]
    /// Expected calibration error over `calibrationBins` equal-width bins of confidence (the top probability):
    /// Σ_b (n_b / N) · |accuracy_b − mean confidence_b| (Guo et al. 2017).
    public var expectedCalibrationError: Double
    /// Per confidence bin: (mean confidence, accuracy, samples) — the reliability diagram.
    public var calibration: [(confidence: Double, accuracy: Double, count: Int)]
    /// The number of confidence bins (15).
    public static let calibrationBins = 15

    /// The report for `probabilities` [N, classes] (rows summing to 1) and N true `labels`.
    public init(probabilities: Tensor, labels: [Int32]) {
        let (n, classes) = (probabilities.shape[0], probabilities.shape[1])
        let p = probabilities.scalars
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var topHits: [Int: Int] = [:]
        let ks = [1, 3, 5].filter { $0 < classes || $0 == 1 }
        var bins = [(confidence: Double, correct: Int, count: Int)](repeating: (0, 0, 0), count: Self.calibrationBins)
        for i in 0..<n {
            let row = p[(i * classes)..<((i + 1) * classes)]
            // Ranked by probability, ties by class index (as argmax picks the first).
            let ranked = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.map { $0 - i * classes }
            let (truth, predicted) = (Int(labels[i]), ranked[0])
            matrix[truth][predicted] += 1
            for k in ks where ranked.prefix(k).contains(truth) { topHits[k, default: 0] += 1 }
            let confidence = Double(row[ranked[0] + i * classes])
            let bin = Swift.min(Self.calibrationBins - 1, Swift.max(0, Int((confidence * Double(Self.calibrationBins)).rounded(.up)) - 1))
            bins[bin].confidence += confidence
            bins[bin].correct += truth == predicted ? 1 : 0
            bins[bin].count += 1
        }
        confusionMatrix = matrix
        perClass = (0..<classes).map { c in
            let tp = Double(matrix[c][c])
            let predicted = Double((0..<classes).reduce(0) { $0 + matrix[$1][c] })
            let support = matrix[c].reduce(0, +)
            let precision = predicted > 0 ? tp / predicted : 0
            let recall = support > 0 ? tp / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScores(precision: precision, recall: recall, f1: f1, support: support)
        }
        let total = Double(Swift.max(n, 1))
        accuracy = Double((0..<classes).reduce(0) { $0 + matrix[$1][$1] }) / total
        macroF1 = perClass.reduce(0) { $0 + $1.f1 } / Double(Swift.max(classes, 1))
        weightedF1 = perClass.reduce(0) { $0 + $1.f1 * Double($1.support) } / total
        topKAccuracy = Dictionary(uniqueKeysWithValues: ks.map { ($0, Double(topHits[$0] ?? 0) / total) })
        calibration = bins.map { b in
            b.count > 0 ? (b.confidence / Double(b.count), Double(b.correct) / Double(b.count), b.count) : (0, 0, 0)
        }
        expectedCalibrationError = calibration.reduce(0) { $0 + Double($1.count) / total * abs($1.accuracy - $1.confidence) }
    }

    /// Reports are equal when their numbers are.
    public static func == (a: ClassificationReport, b: ClassificationReport) -> Bool {
        a.confusionMatrix == b.confusionMatrix && a.perClass == b.perClass && a.topKAccuracy == b.topKAccuracy
            && a.expectedCalibrationError == b.expectedCalibrationError
    }

    /// The report as JSON-ready values: `confusion_matrix`, `per_class` (objects with `class`, `precision`, `recall`,
    /// `f1`, `support`; `class` is the name when `classNames` are given, else the index), `macro_f1`, `weighted_f1`,
    /// `top_k_accuracy` ({"1": …, "3": …, "5": …}), `ece`.
    public func jsonObject(classNames: [String]?) -> [String: Any] {
        [
            "confusion_matrix": confusionMatrix,
            "per_class": perClass.enumerated().map { c, s -> [String: Any] in
                [
                    "class": classNames.flatMap { $0.indices.contains(c) ? $0[c] : nil } ?? "\(c)", "index": c,
                    "precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support,
                ]
            },
            "macro_f1": macroF1, "weighted_f1": weightedF1,
            "top_k_accuracy": Dictionary(uniqueKeysWithValues: topKAccuracy.map { ("\($0.key)", $0.value) }),
            "ece": expectedCalibrationError,
        ]
    }
}
