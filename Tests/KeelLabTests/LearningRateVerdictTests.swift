import Foundation
import Testing

@testable import KeelLab
@testable import KeelTrain

/// The learning-rate study's verdicts, judged from hand-made measurements.
struct LearningRateVerdictTests {
    typealias Study = LearningRateLabStudy

    static func training(_ rate: Float, _ label: String = "sweep", accuracy: Float, losses: [Float], jumps: Double = 0.1, diverged: Int = 0)
        -> Study.Training
    {
        Study.Training(
            learningRate: rate, label: label, validationAccuracy: [accuracy, accuracy], trainingLoss: losses, oscillation: jumps, diverged: diverged)
    }

    static func measurement(suggestion: Float, largeDiverges: Bool, smallLoss: Float) -> Study.Measurement {
        let sweep = [
            training(1e-4, accuracy: 0.6, losses: [2.3, smallLoss]), training(1e-3, accuracy: 0.85, losses: [1.5, 0.6]),
            training(0.01, accuracy: 0.93, losses: [0.6, 0.2]), training(0.03, accuracy: 0.935, losses: [0.5, 0.15]),
            training(0.1, accuracy: 0.90, losses: [0.7, 0.3], jumps: 0.3),
            largeDiverges
                ? training(1, accuracy: .nan, losses: [2.5], jumps: .infinity, diverged: 2)
                : training(1, accuracy: 0.9, losses: [0.4, 0.16], jumps: 0.12),
        ]
        return Study.Measurement(
            epochs: 2, seeds: 2, rangeTests: [], suggestion: suggestion,
            trainings: [training(suggestion, "suggested", accuracy: 0.93, losses: [0.6, 0.2])] + sweep)
    }

    @Test func theClaimsFollowTheNumbers() {
        let good = Study().verdicts(Self.measurement(suggestion: 0.02, largeDiverges: true, smallLoss: 2.0))
        #expect(good.map(\.supported) == [true, true, true])
        // The best range is 0.01…0.03 (within one point of 93.5 %), widened to 0.0058…0.052.
        #expect(good[2].evidence.contains("0.00577–0.052"))
        let bad = Study().verdicts(Self.measurement(suggestion: 0.2, largeDiverges: false, smallLoss: 0.25))
        #expect(bad.map(\.supported) == [false, false, false])
        #expect(Self.measurement(suggestion: 0.02, largeDiverges: true, smallLoss: 2).oneCycle == "--schedule one_cycle:max_lr=0.02")
    }
}
