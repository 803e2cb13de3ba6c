/// A learning rate as a pure function of the global step (the number of parameter updates made before
/// the one it is used for, starting at 0). Optimizers read it at every update.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at step: Int) -> Float
}

/// The same learning rate at every step.
public struct ConstantLearningRate: LearningRateSchedule, Codable, Equatable {
    /// The learning rate at every step.
    public var value: Float
    /// A constant learning rate.
    public init(_ value: Float) { self.value = value }
    /// `value`, whatever the step.
    public func learningRate(at step: Int) -> Float { value }
}

/// factor · base (what reduce-on-plateau adjusts).
public struct ScaledLearningRate: LearningRateSchedule {
    /// The schedule scaled.
    public var base: any LearningRateSchedule
    /// The factor it is multiplied by.
    public var factor: Float
    /// factor · base(step).
    public init(_ base: any LearningRateSchedule, factor: Float) {
        self.base = base
        self.factor = factor
    }
    /// factor · base(step).
    public func learningRate(at step: Int) -> Float { factor * base.learningRate(at: step) }
}
