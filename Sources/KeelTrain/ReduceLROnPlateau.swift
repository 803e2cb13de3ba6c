import Keel

/// Multiplies the learning rate by `factor` when a metric (the validation loss, or the training loss
/// without validation data) has not improved by more than `threshold` (relative) for `patience` epochs
/// (PyTorch's ReduceLROnPlateau, mode "min", threshold mode "rel"), then waits `cooldown` epochs; never below `minimum`.
public final class ReduceLROnPlateau: TrainingCallback {
    public let factor: Float, patience: Int, threshold: Float, cooldown: Int, minimum: Float
    /// The best metric seen.
    public private(set) var best = Float.infinity
    /// Epochs since the metric last improved.
    public private(set) var badEpochs = 0
    /// Epochs left before counting resumes after a reduction.
    public private(set) var cooldownLeft = 0
    /// The product of all reductions so far.
    public private(set) var scale: Float = 1
    private var base: (any LearningRateSchedule)?

    /// PyTorch's defaults; `factor` must be in (0, 1).
    public init(factor: Float = 0.1, patience: Int = 10, threshold: Float = 1e-4, cooldown: Int = 0, minimum: Float = 0) {
        precondition(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must be in (0, 1), got \(factor)")
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimum = minimum
    }

    /// Checks the epoch's metric and reduces the rate when it stalled; never stops training.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool {
        let value = record.validationLoss ?? record.trainLoss
        if value < best * (1 - threshold) {
            best = value
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            if base == nil { base = trainer.optimizer.schedule }
            let current = trainer.optimizer.currentLearningRate
            let reduced = max(current * factor, minimum)
            if current > 0 && current - reduced > 1e-8 {
                scale *= reduced / current
                trainer.optimizer.schedule = ScaledLearningRate(base!, factor: scale)
            }
            cooldownLeft = cooldown
            badEpochs = 0
        }
        return false
    }
}
