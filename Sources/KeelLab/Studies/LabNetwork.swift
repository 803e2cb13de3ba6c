import Foundation
import Keel
import KeelData
import KeelDistributed
import KeelTrain
import Synchronization

/// The small networks the studies train, built the same way everywhere so that only the studied choice changes.
public enum LabNetwork {
    /// Flatten → Linear(sizes[0], sizes[1]) → f → … → Linear(sizes[n−2], sizes[n−1]), weights from `initializer`
    /// (PyTorch's default unless given) drawn from `seed`. With `batchNorm`, a BatchNorm1d follows every hidden
    /// Linear (before f).
    public static func mlp(
        _ sizes: [Int], _ activation: Activation, seed: UInt64, batchNorm: Bool = false,
        initializer: Initializer = .pytorchDefault
    ) -> Sequential {
        var g = KeelRandom(seed: seed)
        var layers: [any Module] = [Flatten()]
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1], initializer: initializer, generator: &g))
            guard i < sizes.count - 2 else { continue }
            if batchNorm { layers.append(BatchNorm1d(sizes[i + 1])) }
            layers.append(ActivationLayer(activation))
        }
        return Sequential(layers)
    }

    /// The studies' MNIST-5k: z-scored (statistics of the training split), 20 % of the training images held out
    /// for validation, the 1,000-image test split; split seed 0 so every study sees the same images.
    public static func mnistWithValidation() throws -> PreparedData {
        try PreparedData.prepare(.named("mnist-5k"), normalize: .standard, validationFraction: 0.2, seed: 0)
    }

    /// Where the studies' trainings write TensorBoard logs (`keel study --tensorboard DIR`): a sub-folder per
    /// training, `NNN-NAME`, numbered in the order they start; nil: none.
    @TaskLocal public static var tensorBoardDirectory: URL?
    private static let trainings = Atomic<Int>(0)

    /// The next training's log folder under `tensorBoardDirectory` (nil when logging is off).
    public static func nextLogDirectory(_ name: String) -> URL? {
        guard let root = tensorBoardDirectory else { return nil }
        let n = trainings.add(1, ordering: .relaxed).newValue
        let safe = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" }.prefix(80))
        return root.appendingPathComponent(String(format: "%03d-", n) + safe)
    }

    /// The ranks the studies' trainings share (`keel study` under mpirun): each training's batches are split into one
    /// shard per rank and trained data-parallel. One process by default. Set it before a study runs, from the thread
    /// that runs it.
    nonisolated(unsafe) public static var communicator: any Communicator = SingleProcessCommunicator()

    /// A trainer that prints nothing (the study reports its own progress); with `tensorBoardDirectory` set, it logs
    /// there under `name`; data-parallel over `communicator`'s ranks when there are several.
    public static func trainer(_ model: any Module, _ optimizer: any Optimizer, name: String = "training") -> Trainer {
        let trainer = Trainer(model: model, optimizer: optimizer)
        trainer.progress = ProgressReporter(style: .silent)
        if communicator.size > 1 { (trainer.communicator, trainer.shards) = (communicator, communicator.size) }
        if let folder = nextLogDirectory(name) {
            do { trainer.callbacks.append(try TensorBoardLogger(directory: folder, model: model)) } catch {
                FileHandle.standardError.write(Data("warning: no TensorBoard log for \(name): \(error)\n".utf8))
            }
        }
        return trainer
    }

    /// Runs `body`; returns true when it finished and false when it stopped on a NaN/Inf loss (instead of throwing):
    /// a diverged run is a result, not a failure.
    public static func unlessDiverged(_ body: () throws -> Void) rethrows -> Bool {
        do {
            try body()
            return true
        } catch TrainingError.nonFiniteLoss {
            return false
        }
    }
}
