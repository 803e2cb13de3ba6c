/// Hooks into a training run. Return `true` from `epochEnded` to stop after that epoch.
public protocol TrainingCallback: AnyObject {
    /// Called after every parameter update with its record.
    func iterationEnded(_ record: IterationRecord, trainer: Trainer)
    /// Called after every epoch (validation included); return true to stop training.
    func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool
}

extension TrainingCallback {
    /// Does nothing.
    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) {}
    /// Never stops training.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool { false }
}

/// Stops when the validation loss (or, without validation data, the training loss) has not improved by
/// more than `minimumDelta` for `patience` epochs.
public final class EarlyStopping: TrainingCallback {
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// The smallest decrease that counts as an improvement.
    public let minimumDelta: Float
    /// The best loss seen.
    public private(set) var best = Float.infinity
    /// Epochs since the loss last improved.
    public private(set) var epochsWithoutImprovement = 0

    /// Stops after `patience` epochs without an improvement larger than `minimumDelta`.
    public init(patience: Int, minimumDelta: Float = 0) {
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

    /// True (stop) once the loss has not improved for `patience` epochs.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool {
        let value = record.validationLoss ?? record.trainLoss
        if value < best - minimumDelta {
            best = value
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
        return epochsWithoutImprovement >= patience
    }
}

/// A callback made of closures.
public final class ClosureCallback: TrainingCallback {
    let onIteration: ((IterationRecord, Trainer) -> Void)?
    let onEpoch: ((EpochRecord, Trainer) -> Bool)?

    /// A callback from closures (either may be nil).
    public init(iteration: ((IterationRecord, Trainer) -> Void)? = nil, epoch: ((EpochRecord, Trainer) -> Bool)? = nil) {
        onIteration = iteration
        onEpoch = epoch
    }

    /// Calls the iteration closure.
    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) { onIteration?(record, trainer) }
    /// Calls the epoch closure; its result stops training when true.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool { onEpoch?(record, trainer) ?? false }
}
