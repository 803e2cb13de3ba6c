import Foundation
import Keel

/// A run's `metrics.json`: the test result, the training totals and the settings that matter for reading them.
/// A run that diverged has `diverged`, `stopped` and `lastLoss` instead of the test fields.
public struct RunMetrics: Codable, Equatable, Sendable {
    /// Accuracy on the test split.
    public var testAccuracy: Float?
    /// Mean loss on the test split (for regression: on standardized targets).
    public var testLoss: Float?
    /// Regression: mean absolute error on the test split, in the target's units.
    public var testMAE: Double?
    /// Regression: root mean squared error on the test split, in the target's units.
    public var testRMSE: Double?
    /// Regression: R² on the test split.
    public var testR2: Double?
    /// "classification" or "regression".
    public var task: String?
    /// With early stopping or `keep_best`: the best epoch (1-based) by `monitor`, and its value.
    public var bestEpoch: Int?
    /// What early stopping and `keep_best` watched ("val_loss").
    public var monitor: String?
    /// The monitored value at `bestEpoch`.
    public var bestValue: Double?
    /// Whether early stopping ended the run before its last epoch.
    public var stoppedEarly: Bool?
    /// True when a non-finite loss stopped the run.
    public var diverged: Bool?
    /// Why a diverged run stopped.
    public var stopped: String?
    /// The non-finite loss that stopped a diverged run.
    public var lastLoss: Float?
    /// Parameter updates made.
    public var globalStep: Int
    /// Seconds spent in training iterations (all sessions of a resumed run).
    public var trainSeconds: Double
    /// Wall-clock seconds of this process's part of the run (a resumed run counts only its own).
    public var wallSecondsThisSession: Double
    /// Epochs completed.
    public var epochs: Int
    /// Iterations (updates) recorded.
    public var iterations: Int
    /// ⌈training samples / batch size⌉.
    public var iterationsPerEpoch: Int
    /// Samples per batch.
    public var batchSize: Int
    /// Training samples processed per second of training.
    public var samplesPerSecond: Double
    /// The last epoch's mean training loss.
    public var finalTrainLoss: Float?
    /// The last epoch's training accuracy.
    public var finalTrainAccuracy: Float?
    /// The architecture ("cnn", "mlp").
    public var model: String
    /// Learnable scalars in the model.
    public var parameters: Int
    /// The optimizer's name.
    public var optimizer: String
    /// The base learning rate.
    public var learningRate: Float
    /// The run's seed.
    public var seed: UInt64
    /// The dataset's name or path.
    public var dataset: String
    /// Threads the kernels used.
    public var threads: Int
    /// The input normalization's name.
    public var normalize: String
    /// The hidden activation's spec.
    public var activation: String
    /// The schedule spec, "constant" for none.
    public var schedule: String
    /// The kernel level the run used ("avx512", "avx2", "portable").
    public var cpuLevel: String
    /// The CPU's model name.
    public var cpu: String
    /// Processes that trained together (data-parallel ranks; 1 without MPI).
    public var ranks = 1
    /// Shards per update (micro-batches whose gradients are added by one fixed tree).
    public var shards = 1

    enum CodingKeys: String, CodingKey {
        case diverged, stopped, epochs, iterations, model, parameters, optimizer, seed, dataset, threads, normalize,
            activation, schedule, cpu, task, monitor, ranks, shards
        case testAccuracy = "test_accuracy"
        case testMAE = "test_mae"
        case bestEpoch = "best_epoch"
        case bestValue = "best_value"
        case stoppedEarly = "stopped_early"
        case testRMSE = "test_rmse"
        case testR2 = "test_r2"
        case testLoss = "test_loss"
        case lastLoss = "last_loss"
        case globalStep = "global_step"
        case trainSeconds = "train_seconds"
        case wallSecondsThisSession = "wall_seconds_this_session"
        case iterationsPerEpoch = "iterations_per_epoch"
        case batchSize = "batch_size"
        case samplesPerSecond = "samples_per_second"
        case finalTrainLoss = "final_train_loss"
        case finalTrainAccuracy = "final_train_accuracy"
        case learningRate = "learning_rate"
        case cpuLevel = "cpu_level"
    }

    /// The JSON text: sorted keys, non-finite numbers as null.
    public func json() throws -> Data { try FiniteJSON.encode(self) }
}
