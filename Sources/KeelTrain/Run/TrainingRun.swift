import Foundation
import Keel
import KeelData
import KeelDistributed

/// One training run as a value you can hold, start and resume: from a `RunConfiguration` it prepares the data
/// (normalization fitted on the training split only), builds the model, optimizer, trainer and callbacks, trains
/// (or resumes from the folder's checkpoint), evaluates on the test split and writes the run folder:
///
/// - `config.yaml` — the resolved configuration (`keel train --config` runs it again, bit for bit)
/// - `model.safetensors` + `model.json` — the weights (PyTorch `state_dict` names) and how to rebuild the model
/// - `checkpoint/` — resumable state; `history.csv`, `iterations.csv`, `metrics.json`; `diagnostics.csv` on request
///
/// ```swift
/// var configuration = RunConfiguration()
/// configuration.epochs = 2
/// let metrics = try TrainingRun(configuration, directory: URL(fileURLWithPath: "runs/first")).run()
/// print(metrics.testAccuracy ?? .nan)
/// ```
public final class TrainingRun {
    /// The configuration as given; `resolved` once the run has started.
    public var configuration: RunConfiguration
    /// The configuration with every open field decided (set by `run()`).
    public private(set) var resolved: RunConfiguration?
    /// The run folder; nil for a run in memory (nothing written, no checkpoints: what the lab's studies use).
    public let directory: URL?
    /// Progress bar, lines or nothing (nil: a bar on a terminal, lines otherwise).
    public var progressStyle: ProgressReporter.Style?
    /// Asked before every iteration; returning true checkpoints and stops the run (`RunOutcome.interrupted`).
    public var shouldStop: () -> Bool = { false }
    /// The ranks training this run together (data-parallel; default: this process alone). Every rank runs the same
    /// configuration; rank 0 alone writes the run folder, checkpoints and progress.
    public var communicator: any Communicator = SingleProcessCommunicator()
    /// The checkpoint this run resumes from, read once.
    public let checkpoint: SavedCheckpoint?

    /// The run folder's `checkpoint/`.
    public var checkpointDirectory: URL? { directory?.appendingPathComponent("checkpoint") }
    /// Where this process writes: the run folder on rank 0, nothing on the other ranks.
    var outputDirectory: URL? { communicator.isLeader ? directory : nil }
    /// Every iteration's and epoch's record, once the run has trained.
    public private(set) var history: History?
    /// The network as trained, once the run has trained (for a run in memory, the only place its weights are).
    public private(set) var model: Sequential?
    /// What metrics.json holds, once the run has finished — or diverged (then with the test result of the last
    /// finite weights).
    public internal(set) var metrics: RunMetrics?

    /// A new run writing into `directory` (which must not hold a run yet), or in memory when it is nil.
    public init(_ configuration: RunConfiguration, directory: URL?) {
        self.configuration = configuration
        self.directory = directory
        checkpoint = nil
    }

    /// The run in `directory`, to be continued from its checkpoint with the configuration stored there (change
    /// `configuration.epochs` to train longer; settings that change results must stay as they are).
    public init(resuming directory: URL) throws {
        let from = directory.appendingPathComponent("checkpoint")
        guard CheckpointStore.exists(at: from) else { throw RunError("\(from.path): no checkpoint to resume from") }
        let saved = try CheckpointStore.load(from: from)
        guard let configuration = saved.state.configuration else {
            throw RunError("\(from.path): the checkpoint holds no run configuration (it was not written by a TrainingRun)")
        }
        self.configuration = configuration
        self.directory = directory
        checkpoint = saved
    }

    /// How a run ended.
    public enum Outcome: Sendable {
        /// Trained all epochs (or a callback stopped it) and evaluated: `metrics.json`'s contents.
        case finished(RunMetrics)
        /// `shouldStop` asked it to stop; the checkpoint holds where it was.
        case interrupted(TrainingPosition)
    }

    /// Trains, evaluates and writes the run folder. A non-finite loss throws `TrainingError.nonFiniteLoss` after
    /// writing the history, `metrics.json` (`"diverged": true`) and the last finite state as the checkpoint.
    @discardableResult
    public func run() throws -> Outcome {
        try configuration.validate()
        if let checkpoint, let saved = checkpoint.state.configuration {
            let changed = configuration.resultChangingDifferences(from: saved)
            guard changed.isEmpty else {
                let list = changed.map { "\($0.key) \($0.this) (the run has \($0.other))" }.joined(separator: ", ")
                throw RunError("a resumed run keeps its settings; these differ from the checkpoint's: \(list)")
            }
        }
        let lock = try outputDirectory.map { try RunLock(directory: $0) }
        defer { lock?.release() }
        if let directory = outputDirectory, let checkpointDirectory, checkpoint == nil && CheckpointStore.exists(at: checkpointDirectory) {
            throw RunError("\(directory.path) already holds a run; resume it (keel train --resume \(directory.path)) or choose another folder")
        }
        if let threads = configuration.threads { Parallel.threadCount = threads }
        let session = try RunSession(configuration, checkpoint: checkpoint, communicator: communicator)
        resolved = session.configuration
        defer { (history, model) = (session.trainer.history, session.network) }
        return try session.train(in: self)
    }
}

/// A failure of a run that is not about one setting (a folder in use, a checkpoint without configuration).
public struct RunError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in one line.
    public var description: String
    /// An error with its message.
    public init(_ description: String) { self.description = description }
}
