import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

/// Regression on tables: the metrics equal scikit-learn's definitions, targets are standardized on the training
/// split only, and the default run on the embedded diabetes table beats R² 0.45 (scikit-learn's linear regression
/// gets 0.45–0.5 on a random split).
struct RegressionTests {
    @Test func metricsFollowScikitLearnsDefinitions() {
        // sklearn: mean_absolute_error 0.5, mean_squared_error 0.375, r2_score 0.9486081370449679.
        let m = RegressionMetrics(predictions: Tensor([[2.5], [0.0], [2], [8]]), targets: Tensor([[3], [-0.5], [2], [7]]))
        #expect(abs(m.meanAbsoluteError - 0.5) < 1e-12)
        #expect(abs(m.rootMeanSquaredError - 0.375.squareRoot()) < 1e-12)
        #expect(abs(m.r2 - 0.9486081370449679) < 1e-12)
        let constant = RegressionMetrics(predictions: Tensor([[1], [1]]), targets: Tensor([[1], [1]]))
        #expect(constant.r2 == 1)
    }

    @Test func targetsAreStandardizedOnTheTrainingSplitAndMappedBack() throws {
        let data = try PreparedData.prepare(
            DataSource.named("diabetes"), normalize: .standard, validationFraction: 0.1, seed: 3, task: .regression)
        let scaler = try #require(data.targetScaler)
        let train = try #require(data.train.targets).scalars.map(Double.init)
        let mean = train.reduce(0, +) / Double(train.count)
        let variance = train.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(train.count)
        #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4, "the training targets are z-scored")
        #expect(data.train.count + data.validation!.count + data.test.count == 442)
        let raw = try #require(data.rawTest.targets)
        let back = scaler.invert(data.test.targets!).scalars
        #expect(zip(back, raw.scalars).allSatisfy { abs($0 - $1) <= 1e-4 * abs($1) })
        #expect(raw.scalars.allSatisfy { (25...346).contains($0) })
        #expect(data.outputCount == 1 && data.train.sampleShape == [10])
    }

    @Test func badTargetsAreNamedByRowAndColumn() {
        expectError(["t.csv", "row 3, y: the regression target must be a finite number, got 'high'"]) {
            _ = try CSVTable.parseRegression("a,y\n1,2\n2,high\n", path: "t.csv")
        }
        expectError(["regression needs a CSV table"]) {
            _ = try PreparedData.prepare(
                .images(directory: MNIST.embeddedDirectory.path), normalize: .standard, validationFraction: 0, seed: 0, task: .regression)
        }
        var c = RunConfiguration()
        (c.data.dataset, c.loss) = ("iris", "huber")
        expectError(["loss: only regression runs choose a loss"]) { try c.validate() }
        (c.data.task, c.loss) = (.regression, "huber:-1")
        expectError(["loss: huber:DELTA needs δ in (0, 10⁶]"]) { try c.validate() }
        (c.loss, c.model.architecture) = ("huber:2", .cnn)
        expectError(["model.architecture: regression on a table needs the mlp or a model file"]) { try c.validate() }
    }

    @Test func theDefaultRunOnDiabetesBeatsR2OfPoint45() throws {
        var c = RunConfiguration()
        (c.data.dataset, c.data.task) = ("diabetes", .regression)
        let run = TrainingRun(c, directory: nil)
        run.progressStyle = .silent
        guard case .finished(let metrics) = try run.run() else {
            Issue.record("not finished")
            return
        }
        let resolved = run.configuration.resolved(architecture: .zoo(.mlp), trainingSamples: 354)
        #expect(resolved.epochs == 100 && resolved.optimizer.weightDecay == 0.1 && resolved.optimizer.learningRate == 0.01)
        #expect((metrics.testR2 ?? 0) >= 0.45, "R² \(metrics.testR2 ?? .nan)")
        #expect(metrics.testAccuracy == nil && metrics.task == "regression")
        #expect((metrics.testMAE ?? 0) > 0 && (metrics.testRMSE ?? 0) >= (metrics.testMAE ?? 0))
    }
}
