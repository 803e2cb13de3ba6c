import Keel

/// The optimizers a run configuration names.
public enum OptimizerKind: String, NamedChoice, Sendable {
    case sgd, adam, adamw, rmsprop, adagrad

    /// The learning rate when none is given: 0.05 for sgd, 0.01 for adagrad, 0.001 for the adaptive rest.
    public var defaultLearningRate: Float {
        switch self {
        case .sgd: 0.05
        case .adagrad: 0.01
        case .adam, .adamw, .rmsprop: 0.001
        }
    }

    /// The optimizer over `parameters`, reading `schedule` at the global step.
    public func make(
        _ parameters: NamedParameters, schedule: any LearningRateSchedule, momentum: Float,
        weightDecay: Float
    ) -> any Optimizer {
        switch self {
        case .sgd: SGD(parameters, learningRate: schedule, momentum: momentum, weightDecay: weightDecay)
        case .adam: Adam(parameters, learningRate: schedule, weightDecay: weightDecay)
        case .adamw: AdamW(parameters, learningRate: schedule, weightDecay: weightDecay)
        case .rmsprop: RMSprop(parameters, learningRate: schedule, weightDecay: weightDecay, momentum: momentum)
        case .adagrad: Adagrad(parameters, learningRate: schedule, weightDecay: weightDecay)
        }
    }
}
