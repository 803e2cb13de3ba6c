import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

/// Three Gaussian blobs in 4-D: a small, learnable classification problem.
func blobs(count: Int, seed: UInt64) -> TensorDataset {
    var g = KeelRandom(seed: seed)
    let centres: [[Float]] = [[2, 0, 0, 1], [-2, 1, 0, -1], [0, -2, 2, 0]]
    var features: [Float] = []
    var labels: [Int32] = []
    for i in 0..<count {
        let c = i % 3
        for d in 0..<4 { features.append(centres[c][d] + Float(g.nextNormal()) * 0.7) }
        labels.append(Int32(c))
    }
    return TensorDataset(features: Tensor(shape: [count, 4], scalars: features), labels: labels, classCount: 3)
}

/// A small MLP with dropout (so that resuming must restore random draws too) and its optimizer.
func makeRun(seed: UInt64 = 1) -> Trainer {
    var g = KeelRandom(seed: seed)
    let model = Sequential {
        Linear(4, 16, generator: &g)
        ReLU()
        Dropout(0.2, seed: seed)
        Linear(16, 3, generator: &g)
    }
    // A decaying schedule, so that resuming must continue it at the saved global step.
    let optimizer = Adam(model.namedParameters, learningRate: Schedule.exponential(base: 0.01, gamma: 0.97))
    return Trainer(model: model, optimizer: optimizer, modelName: "blob-mlp")
}

struct TrainerTests {
    let train = blobs(count: 150, seed: 1)
    let validation = blobs(count: 60, seed: 2)

    @Test func learnsAndRecordsTheVocabulary() throws {
        let trainer = makeRun()
        let loader = DataLoader(train, batchSize: 32, seed: 3)
        let history = try trainer.fit(loader, validation: validation, epochs: 4)
        #expect(loader.batchesPerEpoch == 5)
        #expect(history.iterations.count == 4 * 5)  // iterations = epochs × ⌈N/B⌉
        #expect(history.iterations.map(\.globalStep) == Array(0..<20))
        #expect(history.iterations.map(\.iteration) == (0..<4).flatMap { _ in Array(0..<5) })
        #expect(history.iterations.map(\.batchSize) == (0..<4).flatMap { _ in [32, 32, 32, 32, 22] })
        #expect(history.epochs.map(\.globalStep) == [5, 10, 15, 20])
        #expect(trainer.optimizer.stepCount == 20)
        #expect(history.epochs.last!.validationAccuracy! > 0.9)
        #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss)
        let csv = history.epochsCSV().split(separator: "\n")
        #expect(csv.count == 5)
        #expect(csv[0] == "epoch,global_step,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds")
        #expect(history.iterationsCSV().split(separator: "\n").count == 21)
    }

    @Test func resumingMidEpochEndsBitIdentical() throws {
        let loader = DataLoader(train, batchSize: 16, seed: 4)
        // Uninterrupted.
        let reference = makeRun()
        try reference.fit(loader, epochs: 3)
        // Interrupted mid-epoch 2 (after 13 iterations), then resumed by a fresh process-like trainer.
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = makeRun()
        first.checkpointDirectory = directory
        var calls = 0
        first.shouldStop = {
            calls += 1
            return calls > 13
        }
        try first.fit(loader, epochs: 3)
        #expect(first.wasInterrupted)
        #expect(first.position.epoch == 1 && first.position.batch == 3 && first.position.globalStep == 13)
        let second = makeRun(seed: 99)  // different initial weights: everything must come from the checkpoint
        second.checkpointDirectory = directory
        try second.resume(from: directory)
        try second.fit(loader, epochs: 3)
        #expect(!second.wasInterrupted)
        #expect(second.model.stateDict().map(\.tensor.scalars) == reference.model.stateDict().map(\.tensor.scalars))
        #expect(second.history.iterations.map(\.loss) == reference.history.iterations.map(\.loss))
        #expect(second.history.epochs.map(\.trainLoss) == reference.history.epochs.map(\.trainLoss))
        #expect(second.optimizer.stepCount == reference.optimizer.stepCount)
    }

    @Test func sameSeedSameWeights() throws {
        let a = makeRun()
        let b = makeRun()
        try a.fit(DataLoader(train, batchSize: 20, seed: 5), epochs: 2)
        _ = try withThreads(1) { try b.fit(DataLoader(train, batchSize: 20, seed: 5), epochs: 2) }
        #expect(a.model.stateDict().map(\.tensor.scalars) == b.model.stateDict().map(\.tensor.scalars))
    }

    @Test func nonFiniteLossStopsBeforeTheUpdateAndKeepsTheCheckpoint() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var features = train.features
        features[100, 0] = .nan  // sample 100 poisons the batch that holds it
        let poisoned = TensorDataset(features: features, labels: train.labels, classCount: 3)
        let trainer = makeRun()
        trainer.checkpointDirectory = directory
        trainer.checkpointEvery = 1
        let loader = DataLoader(poisoned, batchSize: 50, shuffle: false)
        do {
            try trainer.fit(loader, epochs: 2)
            Issue.record("expected a non-finite loss error")
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(let value, let epoch, let iteration, let globalStep) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(value.isNaN && epoch == 0 && iteration == 2 && globalStep == 2)
            #expect(error.description.contains("epoch 1, iteration 3"))
        }
        #expect(trainer.model.parameters.allSatisfy { !$0.value.scalars.contains(where: \.isNaN) })
        #expect(trainer.optimizer.stepCount == 2)
        // The last good checkpoint (after update 2) is intact and resumable.
        let restored = makeRun(seed: 5)
        try restored.resume(from: directory)
        #expect(restored.position.globalStep == 2)
        #expect(restored.model.stateDict().map(\.tensor.scalars) == trainer.model.stateDict().map(\.tensor.scalars))
    }

    @Test func checkpointsSurviveCrashesAndRejectOtherModels() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = makeRun()
        trainer.checkpointDirectory = directory
        try trainer.fit(DataLoader(train, batchSize: 50, seed: 1), epochs: 1)
        // A crash while writing the next checkpoint leaves a temporary folder behind: `latest` is untouched.
        let leftover = directory.appendingPathComponent(".tmp-step-00000099-1")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: leftover.appendingPathComponent("model.safetensors"))
        let restored = makeRun(seed: 7)
        try restored.resume(from: directory)
        #expect(restored.position.globalStep == 3)
        #expect(restored.model.stateDict().map(\.tensor.scalars) == trainer.model.stateDict().map(\.tensor.scalars))

        // Another architecture: refused with the reason, nothing loaded.
        var g = KeelRandom(seed: 1)
        let other = Trainer(
            model: Sequential { Linear(4, 3, generator: &g) },
            optimizer: SGD(Sequential { Linear(4, 3, generator: &g) }.namedParameters, learningRate: 0.1),
            modelName: "blob-mlp")
        do {
            try other.resume(from: directory)
            Issue.record("expected a bad checkpoint error")
        } catch let error as TrainingError {
            #expect(error.description.contains("missing") || error.description.contains("shape mismatch"))
        }
        let renamed = makeRun()
        renamed.modelName = "cnn"
        #expect(throws: TrainingError.self) { try renamed.resume(from: directory) }

        // A damaged weights file is reported with its path.
        let latest = try String(contentsOf: directory.appendingPathComponent("latest"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let weights = directory.appendingPathComponent(latest).appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 10).write(to: weights)
        do {
            try makeRun().resume(from: directory)
            Issue.record("expected a bad checkpoint error")
        } catch let error as TrainingError {
            #expect(error.description.contains("model.safetensors"))
        }
        #expect(throws: TrainingError.self) { try makeRun().resume(from: directory.appendingPathComponent("nothing")) }
    }

    @Test func normalizerRoundTripsThroughACheckpointExactly() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = makeRun()
        trainer.normalizer = try Normalizer.fit(.standard, on: blobs(count: 33, seed: 9).features)
        trainer.checkpointDirectory = directory
        try trainer.fit(DataLoader(blobs(count: 30, seed: 1), batchSize: 10), epochs: 1)
        let restored = makeRun()
        try restored.resume(from: directory)
        #expect(restored.normalizer == trainer.normalizer)
        #expect(restored.normalizer.shift.map(\.bitPattern) == trainer.normalizer.shift.map(\.bitPattern))
    }

    @Test func earlyStoppingStopsAfterPatience() throws {
        let trainer = makeRun()
        let stopper = EarlyStopping(patience: 1, minimumDelta: 10)  // no improvement can be this large
        trainer.callbacks = [stopper]
        var iterations = 0
        trainer.callbacks.append(ClosureCallback(iteration: { _, _ in iterations += 1 }))
        try trainer.fit(DataLoader(train, batchSize: 50), epochs: 10)
        #expect(trainer.history.epochs.count == 2)
        #expect(iterations == 6)
    }
}

struct DiagnosticsTests {
    @Test func recordsDeadUnitsAndGradientNorms() throws {
        var g = KeelRandom(seed: 3)
        let model = Sequential {
            Linear(4, 8, generator: &g)
            ReLU()
            Linear(8, 3, generator: &g)
        }
        // Kill unit 0 of the first layer: a large negative bias keeps its ReLU at 0 for every input.
        let first = model.layers[0] as! Linear
        var bias = first.bias!.value.detached()
        bias[0] = -100
        first.bias!.value = bias
        let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.01), modelName: "m")
        let recorder = DiagnosticsRecorder(model: model)
        trainer.callbacks = [recorder]
        try trainer.fit(DataLoader(blobs(count: 60, seed: 1), batchSize: 20), epochs: 2)
        #expect(recorder.records.count == 6)
        let layers = recorder.records[0].layers
        #expect(layers.map(\.layer) == ["0", "1", "2"])
        #expect(layers[1].kind == "relu")
        #expect(layers[1].deadFraction! >= 1.0 / 8)
        #expect(layers[0].gradientNorm! > 0 && layers[2].gradientNorm! > 0)
        let summary = recorder.epochSummary(1)
        #expect(summary.count == 3)
        #expect(recorder.csv().split(separator: "\n").count == 1 + 6 * 3)
    }
}

struct ReduceLROnPlateauTests {
    @Test func reducesAfterPatienceAndCooldown() throws {
        let trainer = makeRun()
        let plateau = ReduceLROnPlateau(factor: 0.5, patience: 1, threshold: 10)  // no epoch can improve by 1000 %
        trainer.callbacks = [plateau]
        try trainer.fit(DataLoader(blobs(count: 60, seed: 1), batchSize: 30), epochs: 5)
        // Epoch 1 sets the best; epochs 2–3 are bad → reduce after epoch 3; epochs 4–5 → reduce after epoch 5.
        #expect(plateau.scale == 0.25)
        let rates = trainer.history.epochs.map(\.learningRate)
        let base = Schedule.exponential(base: 0.01, gamma: 0.97)
        #expect(Swift.abs(rates[3] - 0.5 * base.learningRate(at: 7)) < 1e-9)
        #expect(Swift.abs(trainer.optimizer.currentLearningRate - 0.25 * base.learningRate(at: 10)) < 1e-9)
    }
}
