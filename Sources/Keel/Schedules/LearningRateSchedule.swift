/// A learning rate as a pure function of the global step (the number of parameter updates made before
/// the one it is used for, starting at 0). Optimizers read it at every update.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at step: Int) -> Float
}

/// The same learning rate at every step.
public struct ConstantLearningRate: LearningRateSchedule, Codable, Equatable {
    public var value: Float
    public init(_ value: Float) { self.value = value }
    public func learningRate(at step: Int) -> Float { value }
}

/// factor · base (what reduce-on-plateau adjusts).
public struct ScaledLearningRate: LearningRateSchedule {
    public var base: any LearningRateSchedule
    public var factor: Float
    public init(_ base: any LearningRateSchedule, factor: Float) {
        self.base = base
        self.factor = factor
    }
    public func learningRate(at step: Int) -> Float { factor * base.learningRate(at: step) }
}
