import Foundation

/// What one iteration (one batch, one parameter update) did.
public struct IterationRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Index of the batch within its epoch.
    public var iteration: Int
    /// Updates made before this one, across epochs (what schedules read).
    public var globalStep: Int
    public var loss: Float
    public var accuracy: Float
    public var learningRate: Float
    public var batchSize: Int
    public var seconds: Double
}

/// What one epoch (one pass over the training set) did.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Global step at the end of the epoch.
    public var globalStep: Int
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var validationLoss: Float?
    public var validationAccuracy: Float?
    public var learningRate: Float
    public var seconds: Double
}

/// The per-iteration and per-epoch record of a run.
public struct History: Codable, Equatable, Sendable {
    public var iterations: [IterationRecord] = []
    public var epochs: [EpochRecord] = []

    public init() {}

    /// One line per epoch.
    public func epochsCSV() -> String {
        var lines = ["epoch,global_step,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds"]
        for e in epochs {
            lines.append([String(e.epoch + 1), String(e.globalStep), format(e.trainLoss), format(e.trainAccuracy),
                          e.validationLoss.map(format) ?? "", e.validationAccuracy.map(format) ?? "",
                          format(e.learningRate), String(format: "%.4f", e.seconds)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per iteration.
    public func iterationsCSV() -> String {
        var lines = ["epoch,iteration,global_step,loss,accuracy,learning_rate,batch_size,seconds"]
        for r in iterations {
            lines.append([String(r.epoch + 1), String(r.iteration + 1), String(r.globalStep), format(r.loss),
                          format(r.accuracy), format(r.learningRate), String(r.batchSize),
                          String(format: "%.6f", r.seconds)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ x: Float) -> String { "\(x)" }
}
