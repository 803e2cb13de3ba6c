import Foundation
import Keel

/// A run's `metrics.json`: the test result, the training totals and the settings that matter for reading them.
/// A run that diverged has `diverged`, `stopped` and `lastLoss` instead of the test fields.
public struct RunMetrics: Codable, Equatable, Sendable {
    public var testAccuracy: Float?
    public var testLoss: Float?
    public var diverged: Bool?
    /// Why a diverged run stopped.
    public var stopped: String?
    public var lastLoss: Float?
    public var globalStep: Int
    public var trainSeconds: Double
    /// Wall-clock seconds of this process's part of the run (a resumed run counts only its own).
    public var wallSecondsThisSession: Double
    public var epochs: Int
    public var iterations: Int
    public var iterationsPerEpoch: Int
    public var batchSize: Int
    public var samplesPerSecond: Double
    public var finalTrainLoss: Float?
    public var finalTrainAccuracy: Float?
    public var model: String
    public var parameters: Int
    public var optimizer: String
    public var learningRate: Float
    public var seed: UInt64
    public var dataset: String
    public var threads: Int
    public var normalize: String
    public var activation: String
    /// The schedule spec, "constant" for none.
    public var schedule: String
    public var cpuLevel: String
    public var cpu: String

    enum CodingKeys: String, CodingKey {
        case diverged, stopped, epochs, iterations, model, parameters, optimizer, seed, dataset, threads, normalize,
            activation, schedule, cpu
        case testAccuracy = "test_accuracy"
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
