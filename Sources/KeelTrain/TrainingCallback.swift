/// Hooks into a training run. Return `true` from `epochEnded` to stop after that epoch.
public protocol TrainingCallback: AnyObject {
    func iterationEnded(_ record: IterationRecord, trainer: Trainer)
    func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool
}

extension TrainingCallback {
    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) {}
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool { false }
}

/// Stops when the validation loss (or, without validation data, the training loss) has not improved by
/// more than `minimumDelta` for `patience` epochs.
public final class EarlyStopping: TrainingCallback {
    public let patience: Int
    public let minimumDelta: Float
    public private(set) var best = Float.infinity
    public private(set) var epochsWithoutImprovement = 0

    public init(patience: Int, minimumDelta: Float = 0) {
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

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

    public init(iteration: ((IterationRecord, Trainer) -> Void)? = nil, epoch: ((EpochRecord, Trainer) -> Bool)? = nil) {
        onIteration = iteration
        onEpoch = epoch
    }

    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) { onIteration?(record, trainer) }
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool { onEpoch?(record, trainer) ?? false }
}
