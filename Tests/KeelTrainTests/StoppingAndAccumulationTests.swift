import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

/// Early stopping, the best model kept, gradient clipping in a run and gradient accumulation.
struct StoppingAndAccumulationTests {
    /// A run that overfits: a wide MLP on a tenth of the digits, validated on the rest.
    static func overfitting() throws -> RunConfiguration {
        var c = RunConfiguration()
        (c.data.dataset, c.data.validationFraction, c.epochs, c.batchSize, c.seed) = ("digits", 0.9, 300, 64, 3)
        c.model.network = try ModelFile.decode(yaml: "input: [64]\nlayers:\n- linear: {in: 64, out: 128}\n- relu\n- linear: {in: 128, out: 10}\n")
        (c.earlyStopping, c.keepBest) = (8, true)
        return c
    }

    @Test func earlyStoppingStopsAndTheBestModelEvaluatesToItsRecordedValue() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = TrainingRun(try Self.overfitting(), directory: root)
        run.progressStyle = .silent
        guard case .finished(let metrics) = try run.run() else {
            Issue.record("not finished")
            return
        }
        let epochs = metrics.epochs
        #expect(metrics.stoppedEarly == true && epochs < 300 && metrics.bestEpoch == epochs - 8 && metrics.monitor == "val_loss")
        let history = run.history!.epochs
        #expect(Float(metrics.bestValue!) == history.map { $0.validationLoss! }.min())
        // best/ holds that epoch's model: its validation loss is the recorded best value, bit for bit.
        let (description, best) = try ModelDescription.load(from: root.appendingPathComponent("best"))
        let data = try PreparedData.prepare(
            DataSource.named("digits"), normalize: description.normalizer.method, validationFraction: description.validationFraction,
            seed: description.seed, normalizer: description.normalizer)
        #expect(Metrics.evaluate(best, on: data.validation!).loss == Float(metrics.bestValue!))
        let note = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("best/best.json"))) as! [String: Any]
        #expect(note["epoch"] as? Int == metrics.bestEpoch)
    }

    @Test func anInterruptedRunWithEarlyStoppingResumesToTheSameStop() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = TrainingRun(try Self.overfitting(), directory: root.appendingPathComponent("whole"))
        whole.progressStyle = .silent
        try whole.run()
        let interrupted = TrainingRun(try Self.overfitting(), directory: root.appendingPathComponent("parts"))
        interrupted.progressStyle = .silent
        var iterations = 0
        interrupted.shouldStop = {
            iterations += 1
            return iterations > 25  // mid-epoch 13 of 2 iterations each
        }
        guard case .interrupted = try interrupted.run() else {
            Issue.record("not interrupted")
            return
        }
        let resumed = try TrainingRun(resuming: root.appendingPathComponent("parts"))
        resumed.progressStyle = .silent
        try resumed.run()
        let bytes = { (name: String) in try Data(contentsOf: root.appendingPathComponent(name)) }
        #expect(try bytes("whole/model.safetensors") == bytes("parts/model.safetensors"))
        #expect(try bytes("whole/best/model.safetensors") == bytes("parts/best/model.safetensors"))
        #expect(resumed.metrics?.epochs == whole.metrics?.epochs && resumed.metrics?.bestEpoch == whole.metrics?.bestEpoch)
        // Resuming a run that stopped early trains nothing more.
        let again = try TrainingRun(resuming: root.appendingPathComponent("whole"))
        again.progressStyle = .silent
        try again.run()
        #expect(again.metrics?.epochs == whole.metrics?.epochs && again.metrics?.globalStep == whole.metrics?.globalStep)
    }

    @Test func accumulatingTwoHalfBatchesIsOneWholeBatchUpToRounding() throws {
        func weights(batchSize: Int, accumulate: Int, clip: Float? = nil) throws -> [Float] {
            var c = RunConfiguration()
            (c.data.dataset, c.epochs, c.batchSize, c.accumulate, c.seed, c.clipGradNorm) = ("wine", 5, batchSize, accumulate, 2, clip)
            let run = TrainingRun(c, directory: nil)
            run.progressStyle = .silent
            try run.run()
            #expect(run.history?.iterations.first?.batchSize == 64, "an iteration is one update of 64 samples")
            return run.model?.parameters.flatMap { $0.value.scalars } ?? []
        }
        let whole = try weights(batchSize: 64, accumulate: 1)
        let halves = try weights(batchSize: 32, accumulate: 2)
        let quarters = try weights(batchSize: 16, accumulate: 4)
        for other in [halves, quarters] {
            #expect(whole.count == other.count && whole != other, "different rounding, same update")
            let worst = zip(whole, other).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 1
            #expect(worst < 1e-4, "largest relative difference \(worst)")
        }
        #expect(try weights(batchSize: 64, accumulate: 1, clip: 0.01) != whole, "clipping at 0.01 changes the updates")
    }

    @Test func aBatchOfOneBeforeBatchNormIsRefusedBeforeTraining() throws {
        #expect(RunSession.microBatchSizes(samples: 120, batchSize: 7, accumulate: 1) == [7, 1])
        #expect(RunSession.microBatchSizes(samples: 100, batchSize: 16, accumulate: 2) == [16, 2])
        #expect(RunSession.microBatchSizes(samples: 97, batchSize: 16, accumulate: 2) == [16, 1])
        var c = RunConfiguration()
        (c.data.dataset, c.epochs, c.batchSize) = ("iris", 1, 7)
        c.model.network = try ModelFile.decode(
            yaml: "input: [4]\nlayers:\n- linear: {in: 4, out: 8}\n- batchnorm1d: {features: 8}\n- relu\n- linear: {in: 8, out: 3}\n")
        expectError(["leave a batch of one sample", "batch norm 1"]) { try TrainingRun(c, directory: nil).run() }
        c.batchSize = 8
        let run = TrainingRun(c, directory: nil)
        run.progressStyle = .silent
        try run.run()
        #expect(run.history?.epochs.count == 1)
    }
}
