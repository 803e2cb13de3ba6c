/// Hooks into a training run. Return `true` from `epochEnded` to stop after that epoch.
public protocol TrainingCallback: AnyObject {
    /// Called after every parameter update with its record.
    func iterationEnded(_ record: IterationRecord, trainer: Trainer)
    /// Called after every epoch (validation included); return true to stop training.
    func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool
    /// Asked before each epoch: true when training is over already (a resumed run that had stopped early).
    func isFinished(trainer: Trainer) -> Bool
}

extension TrainingCallback {
    /// Does nothing.
    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) {}
    /// Never stops training.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool { false }
    /// Never finished before training.
    public func isFinished(trainer: Trainer) -> Bool { false }
}

/// What early stopping and `--keep-best` watch, and which way is better.
public enum Monitor: String, Codable, CaseIterable, Sendable {
    /// The validation loss (lower is better).
    case validationLoss = "val_loss"
    /// The validation accuracy (higher is better).
    case validationAccuracy = "val_accuracy"
    /// The training loss (lower is better), for runs without a validation split.
    case trainingLoss = "train_loss"

    /// The epoch's value (nil when it has none: no validation split).
    public func value(of record: EpochRecord) -> Float? {
        switch self {
        case .validationLoss: record.validationLoss
        case .validationAccuracy: record.validationAccuracy
        case .trainingLoss: record.trainLoss
        }
    }

    /// Whether larger values are better.
    public var maximizes: Bool { self == .validationAccuracy }

    /// The best epoch of `epochs` — the first whose value beats the best so far by more than `minimumDelta`, in
    /// Keras's sense — with its value and the epochs that followed it without such an improvement; nil before any
    /// epoch has a value.
    public func best(of epochs: [EpochRecord], minimumDelta: Float = 0) -> (epoch: Int, value: Float, epochsSince: Int)? {
        var best: (epoch: Int, value: Float, epochsSince: Int)?
        for record in epochs {
            guard let value = value(of: record) else { continue }
            if let current = best {
                let improved = maximizes ? value > current.value + minimumDelta : value < current.value - minimumDelta
                best = improved ? (record.epoch, value, 0) : (current.epoch, current.value, current.epochsSince + 1)
            } else {
                best = (record.epoch, value, 0)
            }
        }
        return best
    }
}

/// Stops when the monitored value has not improved by more than `minimumDelta` for `patience` epochs (Keras's
/// `EarlyStopping`). Its state is read from the trainer's history, so a resumed run stops exactly where the
/// uninterrupted one does, and a run that stopped early stays stopped when resumed.
public final class EarlyStopping: TrainingCallback {
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// The smallest change that counts as an improvement.
    public let minimumDelta: Float
    /// What is watched; nil: the validation loss when there is one, else the training loss.
    public let monitor: Monitor?

    /// Stops after `patience` epochs without an improvement of `monitor` larger than `minimumDelta`.
    public init(patience: Int, minimumDelta: Float = 0, monitor: Monitor? = nil) {
        (self.patience, self.minimumDelta, self.monitor) = (patience, minimumDelta, monitor)
    }

    /// The monitor used for `epochs`: the one given, or the validation loss when the epochs have one.
    func monitor(for epochs: [EpochRecord]) -> Monitor {
        monitor ?? (epochs.last?.validationLoss != nil ? .validationLoss : .trainingLoss)
    }

    /// Whether `epochs` already hold `patience` epochs without improvement.
    public func isMet(by epochs: [EpochRecord]) -> Bool {
        guard let best = monitor(for: epochs).best(of: epochs, minimumDelta: minimumDelta) else { return false }
        return best.epochsSince >= patience
    }

    /// True (stop) once the value has not improved for `patience` epochs.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool { isMet(by: trainer.history.epochs) }

    /// True when the history already meets the criterion (a resumed run that had stopped early).
    public func isFinished(trainer: Trainer) -> Bool { isMet(by: trainer.history.epochs) }
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
