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
