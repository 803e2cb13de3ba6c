import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

/// The learning-rate range test: the exponential ramp, the named suggestions, divergence, and the model put back.
struct LearningRateFinderTests {
    @Test func theRampIsExponentialFromStartToEnd() {
        let finder = LearningRateFinder(start: 1e-6, end: 1, iterations: 7)
        #expect(abs(finder.learningRate(at: 0) - 1e-6) < 1e-12 && abs(finder.learningRate(at: 6) - 1) < 1e-6)
        #expect(abs(finder.learningRate(at: 3) - 1e-3) < 1e-8, "the midpoint is the geometric mean")
        #expect(LearningRateFinder(start: 1, end: 0.1).problem != nil && LearningRateFinder(iterations: 1).problem != nil)
    }

    @Test func suggestionsFollowTheirRules() {
        // A valley in log lr: falls fastest around 10⁻³, bottoms out at 10⁻², rises after.
        let rates = (0..<41).map { pow(10, -5 + Double($0) / 10) }
        let points = rates.map { lr -> LearningRateFinder.Point in
            let x = log10(lr)
            let loss = x < -2 ? 2 - 1 / (1 + exp(-3 * (x + 3))) : 1 + (x + 2) * (x + 2)
            return .init(learningRate: Float(lr), loss: Float(loss), smoothedLoss: loss)
        }
        let result = LearningRateFinder.suggest(points, diverged: true)
        #expect(abs(log10(Double(result.minimumOver10!)) + 3) < 0.11, "minimum 10⁻² / 10")
        #expect(abs(log10(Double(result.steepest!)) + 3) < 0.11, "steepest at 10⁻³")
        #expect(LearningRateFinder.suggest([], diverged: false).steepest == nil)
    }

    @Test func theTestRunsOnTheModelAndPutsItBack() throws {
        let data = try PreparedData.prepare(DataSource.named("iris"), normalize: .standard, validationFraction: 0, seed: 0)
        var g = KeelRandom(seed: 1)
        let model = ReferenceModel.mlp.make(inputShape: [4], classes: 3, generator: &g)
        let before = model.stateDict().map(\.tensor.scalars)
        let result = try LearningRateFinder(start: 1e-5, end: 100, iterations: 80).run(
            model: model, loader: DataLoader(data.train, batchSize: 16, seed: 2),
            optimizer: { SGD(model.namedParameters, learningRate: $0, momentum: 0.9) })
        #expect(model.stateDict().map(\.tensor.scalars) == before, "weights and buffers restored")
        #expect(result.diverged && result.points.count < 80, "a rate of 100 diverges before the end")
        #expect(zip(result.points, result.points.dropFirst()).allSatisfy { $0.learningRate < $1.learningRate })
        let steepest = try #require(result.steepest)
        #expect(steepest > 1e-4 && steepest < 10 && result.minimumOver10! > 1e-5)
    }
}
