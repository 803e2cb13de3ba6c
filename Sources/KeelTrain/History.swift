import Foundation

/// What one iteration (one batch, one parameter update) did.
public struct IterationRecord: Codable, Equatable, Sendable {
    /// The epoch (0-based).
    public var epoch: Int
    /// Index of the batch within its epoch.
    public var iteration: Int
    /// Updates made before this one, across epochs (what schedules read).
    public var globalStep: Int
    /// The batch's mean loss.
    public var loss: Float
    /// The batch's accuracy.
    public var accuracy: Float
    /// The learning rate the update used.
    public var learningRate: Float
    /// Samples in the batch.
    public var batchSize: Int
    /// Seconds the iteration took (loading the batch included).
    public var seconds: Double

    /// A record from its fields.
    public init(
        epoch: Int, iteration: Int, globalStep: Int, loss: Float, accuracy: Float, learningRate: Float, batchSize: Int,
        seconds: Double
    ) {
        (self.epoch, self.iteration, self.globalStep, self.loss) = (epoch, iteration, globalStep, loss)
        (self.accuracy, self.learningRate, self.batchSize, self.seconds) = (accuracy, learningRate, batchSize, seconds)
    }

    enum CodingKeys: String, CodingKey { case epoch, iteration, globalStep, loss, accuracy, learningRate, batchSize, seconds }

    // Non-finite numbers (a diverging loss) are written as null and read back as NaN.
    /// Reads a record; a null loss or accuracy (written for NaN) reads as NaN.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        iteration = try c.decode(Int.self, forKey: .iteration)
        globalStep = try c.decode(Int.self, forKey: .globalStep)
        loss = try c.decodeFinite(Float.self, forKey: .loss)
        accuracy = try c.decodeFinite(Float.self, forKey: .accuracy)
        learningRate = try c.decodeFinite(Float.self, forKey: .learningRate)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        seconds = try c.decodeFinite(Double.self, forKey: .seconds)
    }

    /// Writes a record; NaN and infinities as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(iteration, forKey: .iteration)
        try c.encode(globalStep, forKey: .globalStep)
        try c.encodeFinite(loss, forKey: .loss)
        try c.encodeFinite(accuracy, forKey: .accuracy)
        try c.encodeFinite(learningRate, forKey: .learningRate)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encodeFinite(seconds, forKey: .seconds)
    }
}

/// What one epoch (one pass over the training set) did.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// The epoch (0-based).
    public var epoch: Int
    /// Global step at the end of the epoch.
    public var globalStep: Int
    /// Mean training loss over the epoch's samples.
    public var trainLoss: Float
    /// Training accuracy over the epoch's samples (with dropout and augmentation on).
    public var trainAccuracy: Float
    /// Loss on the validation split, when there is one.
    public var validationLoss: Float?
    /// Accuracy on the validation split, when there is one.
    public var validationAccuracy: Float?
    /// The learning rate of the epoch's last update.
    public var learningRate: Float
    /// Seconds of the epoch's iterations.
    public var seconds: Double

    /// A record from its fields.
    public init(
        epoch: Int, globalStep: Int, trainLoss: Float, trainAccuracy: Float, validationLoss: Float?,
        validationAccuracy: Float?, learningRate: Float, seconds: Double
    ) {
        (self.epoch, self.globalStep, self.trainLoss, self.trainAccuracy) = (epoch, globalStep, trainLoss, trainAccuracy)
        (self.validationLoss, self.validationAccuracy) = (validationLoss, validationAccuracy)
        (self.learningRate, self.seconds) = (learningRate, seconds)
    }

    enum CodingKeys: String, CodingKey {
        case epoch, globalStep, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, seconds
    }

    // Non-finite numbers are written as null: read back as NaN (nil for the optional validation values).
    /// Reads a record; null numbers (written for NaN) read as NaN.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        globalStep = try c.decode(Int.self, forKey: .globalStep)
        trainLoss = try c.decodeFinite(Float.self, forKey: .trainLoss)
        trainAccuracy = try c.decodeFinite(Float.self, forKey: .trainAccuracy)
        validationLoss = try c.decodeIfPresent(Float.self, forKey: .validationLoss)
        validationAccuracy = try c.decodeIfPresent(Float.self, forKey: .validationAccuracy)
        learningRate = try c.decodeFinite(Float.self, forKey: .learningRate)
        seconds = try c.decodeFinite(Double.self, forKey: .seconds)
    }

    /// Writes a record; NaN and infinities as null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(globalStep, forKey: .globalStep)
        try c.encodeFinite(trainLoss, forKey: .trainLoss)
        try c.encodeFinite(trainAccuracy, forKey: .trainAccuracy)
        try c.encodeIfPresent(validationLoss.flatMap { $0.isFinite ? $0 : nil }, forKey: .validationLoss)
        try c.encodeIfPresent(validationAccuracy.flatMap { $0.isFinite ? $0 : nil }, forKey: .validationAccuracy)
        try c.encodeFinite(learningRate, forKey: .learningRate)
        try c.encodeFinite(seconds, forKey: .seconds)
    }
}

/// The per-iteration and per-epoch record of a run.
public struct History: Codable, Equatable, Sendable {
    /// One record per parameter update.
    public var iterations: [IterationRecord] = []
    /// One record per completed epoch.
    public var epochs: [EpochRecord] = []

    /// An empty history.
    public init() {}

    /// One line per epoch.
    public func epochsCSV() -> String {
        var lines = ["epoch,global_step,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds"]
        for e in epochs {
            lines.append(
                [
                    String(e.epoch + 1), String(e.globalStep), format(e.trainLoss), format(e.trainAccuracy),
                    e.validationLoss.map(format) ?? "", e.validationAccuracy.map(format) ?? "",
                    format(e.learningRate), String(format: "%.4f", e.seconds),
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per iteration.
    public func iterationsCSV() -> String {
        var lines = ["epoch,iteration,global_step,loss,accuracy,learning_rate,batch_size,seconds"]
        for r in iterations {
            lines.append(
                [
                    String(r.epoch + 1), String(r.iteration + 1), String(r.globalStep), format(r.loss),
                    format(r.accuracy), format(r.learningRate), String(r.batchSize),
                    String(format: "%.6f", r.seconds),
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ x: Float) -> String { "\(x)" }
}
