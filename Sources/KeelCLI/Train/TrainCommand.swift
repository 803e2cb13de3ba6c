import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelDistributed
import KeelTrain
import Synchronization

/// Set by SIGINT/SIGTERM; the trainer checkpoints and stops at the next iteration.
let stopRequested = Atomic<Bool>(false)

/// `keel train`: flags (or a config.yaml) → `RunConfiguration` → `TrainingRun.run()`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (default: the reference CNN on the embedded MNIST-5k).",
        discussion: """
            Writes DIR/config.yaml (the resolved configuration: `--config DIR/config.yaml` runs it again, bit for bit), \
            DIR/model.safetensors (PyTorch state_dict names), DIR/model.json, DIR/checkpoint/, DIR/history.csv (one row per \
            epoch), DIR/iterations.csv and DIR/metrics.json. Ctrl-C checkpoints and stops; `--resume DIR` continues \
            bit-identically.
            """)

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Optimizer and schedule") var optimizer: OptimizerOptions
    @OptionGroup(title: "Training loop") var loop: LoopOptions
    @OptionGroup(title: "Run folder") var folder: RunFolderOptions
    @OptionGroup var kernels: KernelOptions
    @OptionGroup var imageLimits: ImageLimitOptions
    @OptionGroup(title: "Data-parallel training") var group: ProcessGroupOptions

    func run() throws { try group.run(threadsGiven: loop.threads != nil, train) }

    func train(_ communicator: any Communicator) throws {
        try kernels.apply()
        imageLimits.apply()
        let run = try folder.resume.map(resumedRun) ?? newRun()
        run.communicator = communicator
        run.progressStyle = folder.quiet ? .silent : nil
        run.shouldStop = { stopRequested.load(ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        switch try run.run() {
        case .interrupted(let position):
            FileHandle.standardError.write(
                Data(
                    ("interrupted at epoch \(position.epoch + 1), iteration \(position.batch) "
                        + "(global step \(position.globalStep)); checkpoint saved. Resume with: keel train --resume \(run.directory?.path ?? "DIR")\n")
                        .utf8))
            throw ExitCode(130)
        case .finished(let metrics):
            if communicator.isLeader { report(metrics, directory: run.directory?.path ?? "") }
        }
    }

    /// The flags given, written over `base`, validated (errors name the flag).
    func applyingFlags(to base: RunConfiguration) throws -> RunConfiguration {
        var c = base
        for apply in [data.apply, model.apply, optimizer.apply, loop.apply, folder.apply] as [(inout RunConfiguration) throws -> Void] {
            try apply(&c)
        }
        do { try c.validate() } catch {
            throw CLIError("\(flagForKey[error.key] ?? error.key): \(error.problem)")
        }
        return c
    }

    /// A new run: the defaults or `--config`, the flags over them, into `--out` or a fresh runs/MODEL folder.
    func newRun() throws -> TrainingRun {
        let base = try folder.config.map { try RunConfiguration.read(yaml: URL(fileURLWithPath: $0)) } ?? RunConfiguration()
        let c = try applyingFlags(to: base)
        let source = try DataSource.named(c.data.dataset, labelColumn: c.data.labelColumn)
        let architecture = c.architecture(isTable: source.isTable)
        if folder.config == nil && loop.recipe == nil && !folder.quiet, let note = c.recipeNote(architecture: architecture) {
            FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        }
        let directory = folder.out ?? Self.freshRunDirectory(for: architecture.name)
        return TrainingRun(c, directory: URL(fileURLWithPath: directory))
    }

    /// The run in `--resume DIR` with its stored configuration; flags may only extend it (--epochs) or change
    /// what does not change results (threads, checkpoint cadence).
    func resumedRun(_ path: String) throws -> TrainingRun {
        let run = try TrainingRun(resuming: URL(fileURLWithPath: path))
        let saved = run.configuration
        run.configuration = try applyingFlags(to: saved)
        let changed = run.configuration.resultChangingDifferences(from: saved)
        guard changed.isEmpty else {
            let list = changed.map { "\(flagForKey[$0.key] ?? $0.key) \($0.this) (the run has \($0.other))" }
            throw CLIError("a resumed run keeps its settings; these flags differ: \(list.joined(separator: ", "))")
        }
        return run
    }

    /// runs/MODEL, or runs/MODEL-2, -3, … when it is taken (so that running `keel train` again never clobbers a run).
    static func freshRunDirectory(for name: String) -> String {
        let model = String(name.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" }.prefix(64))
        var candidate = "runs/\(model)"
        var n = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "runs/\(model)-\(n)"
            n += 1
        }
        return candidate
    }

    func report(_ m: RunMetrics, directory: String) {
        if let r2 = m.testR2, let mae = m.testMAE, let rmse = m.testRMSE {
            print(
                String(
                    format: "test R² %.4f, MAE %.4g, RMSE %.4g, %d epochs, %d iterations, %.1f s training → %@", r2, mae, rmse, m.epochs,
                    m.iterations, m.trainSeconds, directory))
            return
        }
        let (accuracy, loss) = (m.testAccuracy ?? .nan, m.testLoss ?? .nan)
        if !loss.isFinite {
            FileHandle.standardError.write(Data("warning: the test loss is \(loss): the model's outputs are not finite\n".utf8))
        }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        print(
            String(
                format: "test accuracy %.2f%%, test loss %.4f, %@, %@, %.1f s training (%.0f samples/s) → %@",
                accuracy * 100, loss, count(m.epochs, "epoch"), count(m.iterations, "iteration"),
                m.trainSeconds, m.samplesPerSecond, directory))
    }
}
