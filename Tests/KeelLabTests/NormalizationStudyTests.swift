import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelLab

struct ConvergenceExperimentTests {
    @Test func standardizedFeaturesConvergeInFarFewerIterations() {
        let raw = ConvergenceExperiment.seedProblem(samples: 60)
        let standardized = raw.standardized
        // The optimum solves the normal equations: the gradient vanishes there.
        let w = raw.optimum
        #expect(Swift.abs(w.0 - 2) < 0.05 && Swift.abs(w.1 - 30) < 0.2)
        // A few rates around each problem's largest stable step keep this fast in debug builds.
        let rawRun = raw.bestRun(rates: [0.004, 0.008, 0.012, 0.016, 0.019], maxIterations: 5000)
        let standardRun = standardized.bestRun(rates: [0.25, 0.5, 0.75, 1.0], maxIterations: 5000)
        let rawIterations = try! #require(rawRun.iterationsToTolerance)
        let standardIterations = try! #require(standardRun.iterationsToTolerance)
        #expect(standardIterations * 20 < rawIterations, "raw \(rawIterations), standardized \(standardIterations)")
        // Past the largest stable step the raw problem diverges.
        #expect(raw.descend(learningRate: 0.05).diverged)
        #expect(rawRun.losses.last! <= rawRun.losses.first!)
        let grid = raw.lossGrid(w1: -10...10, w2: -100...100, resolution: 11)
        #expect(grid.count == 11 && grid[0].count == 11)
        // Elongated contours: moving w₁ by 10 costs far more than moving w₂ by 10.
        #expect(raw.loss((w.0 + 10, w.1)) > 50 * raw.loss((w.0, w.1 + 10)))
    }
}

struct NormalizationStudyTests {
    @Test func standardizationReachesTheTargetSooner() throws {
        let source = try DataSource.named("wine")
        let standard = try NormalizationStudy.run(source, method: .standard, seed: 1, target: 0.9, maxEpochs: 30)
        let none = try NormalizationStudy.run(source, method: .none, seed: 1, target: 0.9, maxEpochs: 30)
        let standardEpochs = try #require(standard.epochsToTarget)
        #expect(none.epochsToTarget == nil || standardEpochs <= none.epochsToTarget!)
        #expect(standard.validationAccuracy.count == standardEpochs)
    }
}
