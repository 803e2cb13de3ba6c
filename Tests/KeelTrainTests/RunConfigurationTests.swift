import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

struct RunConfigurationTests {
    /// Every section set, with numbers that are not exact in binary (0.003, 0.9, 0.1).
    static var full: RunConfiguration {
        var c = RunConfiguration()
        (c.data.dataset, c.data.labelColumn, c.data.normalize, c.data.validationFraction) = ("iris", "species", .minmaxSymmetric, 0.1)
        (c.model.architecture, c.model.activation, c.model.dropout) = (.mlp, "leaky_relu:0.1", 0.25)
        (c.optimizer.name, c.optimizer.learningRate, c.optimizer.momentum, c.optimizer.weightDecay) = (.adamw, 0.003, 0.9, 1e-4)
        (c.schedule, c.augment, c.epochs, c.batchSize, c.seed) = ("cosine_decay:decay_steps=100", ["noise:sigma=0.05"], 3, 32, .max)
        (c.threads, c.recipe, c.plateau, c.checkpoint.every, c.checkpoint.seconds, c.diagnostics) =
            (2, .plain, .init(factor: 0.5, patience: 3), 10, 2.5, true)
        return c
    }

    @Test func yamlRoundTripsEveryFieldExactly() throws {
        let text = try Self.full.yaml()
        #expect(text.contains("learning_rate: 0.003\n"), "\(text)")
        #expect(text.contains("momentum: 0.9\n") && text.contains("validation_fraction: 0.1\n"), "\(text)")
        #expect(try RunConfiguration.decode(yaml: text) == Self.full)
        // Absent keys take their defaults; an empty mapping is the default configuration.
        #expect(try RunConfiguration.decode(yaml: "{}") == RunConfiguration())
        #expect(try RunConfiguration.decode(yaml: "epochs: 4\n").epochs == 4)
    }

    @Test func errorsNameTheKeyAndLine() {
        expectError(["config.yaml:4:", "model.actvation", "unknown key"]) {
            _ = try RunConfiguration.decode(yaml: "epochs: 2\nmodel:\n  architecture: mlp\n  actvation: relu\n")
        }
        expectError(["config.yaml:2:", "batch_size", "expected an integer"]) {
            _ = try RunConfiguration.decode(yaml: "epochs: 2\nbatch_size: many\n")
        }
        expectError(["config.yaml:3:", "optimizer.learning_rate", "positive"]) {
            _ = try RunConfiguration.decode(yaml: "seed: 1\noptimizer:\n  learning_rate: -0.1\n")
        }
        expectError(["model.architecture", "'resnet' is not one of mlp, cnn"]) {
            _ = try RunConfiguration.decode(yaml: "model: {architecture: resnet}")
        }
        expectError(["config.yaml", "duplicated key", "epochs"]) { _ = try RunConfiguration.decode(yaml: "epochs: 2\nepochs: 3\n") }
        expectError(["config.yaml:1:", "seed", "0…2⁶⁴−1"]) { _ = try RunConfiguration.decode(yaml: "seed: -1\n") }
        expectError(["config.yaml:2:", "not YAML: scanner"]) { _ = try RunConfiguration.decode(yaml: "epochs: 2\n  dropout: 3\n") }
        expectError(["optimizer.learning_rate", "a single value"]) { _ = try RunConfiguration.decode(yaml: "optimizer: {learning_rate: [1]}") }
        expectError(["config.yaml:1:", "data.image_size", "[height, width]"]) { _ = try RunConfiguration.decode(yaml: "data: {image_size: [0]}\n") }
        let sized = try? RunConfiguration.decode(yaml: "data: {image_size: [64, 48]}\n")
        #expect(sized?.imageSize?.height == 64 && sized?.imageSize?.width == 48)
        expectError(["expected a mapping"]) { _ = try RunConfiguration.decode(yaml: "- 1\n- 2\n") }
        expectError(["schedule", "decay_steps"]) { _ = try RunConfiguration.decode(yaml: "schedule: cosine_decay\n") }
        expectError(["augment"]) { _ = try RunConfiguration.decode(yaml: "augment: [warp]\n") }
    }

    @Test func theDefaultRecipeFillsOnlyWhatIsOpen() {
        let cnn = RunConfiguration().resolved(architecture: .zoo(.cnn), trainingSamples: 5000)
        #expect(cnn.epochs == 25 && cnn.model.dropout == 0.5 && cnn.augment == Recipe.default.augment)
        #expect(cnn.schedule == "one_cycle:max_lr=0.05,total_steps=1975")
        #expect(cnn.resolved(architecture: .zoo(.mlp), trainingSamples: 1) == cnn, "resolving a resolved configuration changes nothing")
        let mlp = RunConfiguration().resolved(architecture: .zoo(.mlp), trainingSamples: 5000)
        #expect(mlp.epochs == 10 && mlp.model.dropout == 0 && mlp.augment == [] && mlp.schedule == nil)
        #expect(mlp.optimizer.learningRate == 0.05 && mlp.model.architecture == .mlp)
        var short = RunConfiguration()
        short.epochs = 2
        #expect(short.resolved(architecture: .zoo(.cnn), trainingSamples: 5000).schedule == nil)
        #expect(short.recipeNote(architecture: .zoo(.cnn))?.contains("epochs set") == true)
        #expect(RunConfiguration().recipeNote(architecture: .zoo(.cnn)) == nil)
    }

    @Test func onlyResultChangingSettingsCountAsDifferences() {
        var other = Self.full
        (other.epochs, other.threads, other.checkpoint.every, other.diagnostics) = (9, 1, 0, false)
        #expect(other.resultChangingDifferences(from: Self.full).isEmpty)
        other.optimizer.learningRate = 0.01
        other.seed = 4
        #expect(other.resultChangingDifferences(from: Self.full).map(\.key) == ["optimizer.learning_rate", "seed"])
    }

    /// A run, then its config.yaml run again into another folder: the same weights, byte for byte; a resume
    /// that changes a setting is refused, one that adds epochs continues.
    @Test func aRunFolderReproducesItsRun() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var c = RunConfiguration()
        (c.data.dataset, c.epochs, c.batchSize, c.seed, c.model.dropout) = ("iris", 3, 16, 5, 0.2)
        let first = TrainingRun(c, directory: root.appendingPathComponent("a"))
        first.progressStyle = .silent
        guard case .finished(let metrics) = try first.run() else {
            Issue.record("not finished")
            return
        }
        #expect(metrics.epochs == 3 && metrics.model == "mlp" && (metrics.testAccuracy ?? 0) > 0.5)
        let saved = try RunConfiguration.read(yaml: root.appendingPathComponent("a/config.yaml"))
        #expect(saved == first.resolved)
        let second = TrainingRun(saved, directory: root.appendingPathComponent("b"))
        second.progressStyle = .silent
        try second.run()
        let weights = { (run: String) in try Data(contentsOf: root.appendingPathComponent("\(run)/model.safetensors")) }
        #expect(try weights("a") == weights("b"))
        expectError(["already holds a run"]) { try TrainingRun(c, directory: root.appendingPathComponent("a")).run() }

        let resumed = try TrainingRun(resuming: root.appendingPathComponent("a"))
        #expect(resumed.configuration == first.resolved)
        resumed.configuration.optimizer.learningRate = 0.5
        expectError(["keeps its settings", "optimizer.learning_rate 0.5"]) { try resumed.run() }
        resumed.configuration.optimizer.learningRate = first.resolved?.optimizer.learningRate
        resumed.configuration.epochs = 4
        resumed.progressStyle = .silent
        guard case .finished(let more) = try resumed.run() else {
            Issue.record("not finished")
            return
        }
        #expect(more.epochs == 4)
    }

    /// A run in memory writes nothing and keeps its history and metrics; a diverged one keeps the test result of its
    /// last finite weights.
    @Test func aRunInMemoryWritesNothing() throws {
        var c = RunConfiguration()
        (c.data.dataset, c.epochs, c.batchSize, c.seed) = ("iris", 2, 16, 1)
        let run = TrainingRun(c, directory: nil)
        run.progressStyle = .silent
        guard case .finished(let metrics) = try run.run() else {
            Issue.record("not finished")
            return
        }
        #expect(run.history?.epochs.count == 2 && run.metrics == metrics && run.checkpointDirectory == nil)
        c.optimizer.learningRate = 1e30
        let diverging = TrainingRun(c, directory: nil)
        diverging.progressStyle = .silent
        #expect(throws: TrainingError.self) { try diverging.run() }
        #expect(diverging.metrics?.diverged == true && diverging.metrics?.testAccuracy != nil)
    }
}
