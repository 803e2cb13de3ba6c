/// Per-parameter state of an optimizer ("0.weight.exp_avg", "0.weight.step", …), saved in checkpoints.
public final class OptimizerState {
    /// Updates made so far: the global step.
    public var stepCount = 0
    /// State tensors by "parameter name.slot name".
    public private(set) var slots: [String: Tensor] = [:]

    /// Empty state: step 0, no slots.
    public init() {}

    /// A pointer to the slot's buffer ("weight.exp_avg"), created filled with `initial` on first use; valid until
    /// the slot is replaced (`restore`). An optimizer keeps its per-parameter state here so that checkpoints save it.
    public func pointer(_ key: String, shape: [Int], initial: Float = 0) -> UnsafeMutablePointer<Float> {
        if slots[key] == nil { slots[key] = Tensor.full(shape, initial) }
        return slots[key]!.withUnsafeMutablePointer { $0 }
    }

    /// Whether the slot exists yet.
    public func contains(_ key: String) -> Bool { slots[key] != nil }

    /// Replaces all state (from a checkpoint).
    public func restore(stepCount: Int, slots: [String: Tensor]) {
        self.stepCount = stepCount
        self.slots = slots.mapValues { $0.detached() }
    }
}

/// Updates parameters from their gradients. Concrete optimizers implement `update`; `step()` reads the
/// learning rate from the schedule at the global step and applies the rule to every parameter that has a
/// gradient (parameters without one are skipped, as in PyTorch).
///
/// A new optimizer is a class with these three properties and `update`; keep per-parameter state in `state`
/// (`state.pointer("\(name).velocity", shape: shape)`) so that checkpoints save and restore it:
///
/// ```swift
/// final class SignSGD: Optimizer {          // w ← w − lr · sign(∇)
///     let parameters: NamedParameters
///     var schedule: any LearningRateSchedule
///     let state = OptimizerState()
///     init(_ parameters: NamedParameters, learningRate: Float) {
///         (self.parameters, schedule) = (parameters, ConstantLearningRate(learningRate))
///     }
///     func update(name: String, values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
///                 shape: [Int], learningRate: Float) {
///         for i in 0..<count { values[i] -= learningRate * (gradient[i] > 0 ? 1 : gradient[i] < 0 ? -1 : 0) }
///     }
/// }
/// ```
public protocol Optimizer: AnyObject {
    /// The parameters it updates, with their names (the keys of its state).
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// The learning rate as a function of the global step.
    var schedule: any LearningRateSchedule { get set }
    /// Per-parameter state and the step count, saved in checkpoints.
    var state: OptimizerState { get }
    /// One update of one parameter. `values` and `gradient` hold `count` floats.
    func update(
        name: String, values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        shape: [Int], learningRate: Float)
}

extension Optimizer {
    /// The learning rate the next update will use.
    public var currentLearningRate: Float { schedule.learningRate(at: state.stepCount) }

    /// The number of updates made so far (the global step).
    public var stepCount: Int { state.stepCount }

    /// One update of every parameter that has a gradient.
    public func step() {
        let learningRate = schedule.learningRate(at: state.stepCount)
        for (name, parameter) in parameters {
            guard let gradient = parameter.grad else { continue }
            let shape = parameter.shape
            parameter.update { values, count in
                gradient.withUnsafePointer { g in
                    update(name: name, values: values, gradient: g, count: count, shape: shape, learningRate: learningRate)
                }
            }
        }
        state.stepCount += 1
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for (_, p) in parameters { p.zeroGrad() } }

    /// Increments and returns the per-parameter step counter (PyTorch keeps one per parameter).
    public func nextStep(_ name: String) -> Int {
        let p = state.pointer(name + ".step", shape: [])
        p[0] += 1
        return Int(p[0])
    }
}

/// Stops with a message when an optimizer is given no parameters: training would silently do nothing.
func requireParameters(_ parameters: NamedParameters, _ optimizer: String) {
    ensure(
        !parameters.isEmpty,
        "\(optimizer) was given no parameters to optimize: the model has none. A module of your "
            + "own finds its layers from its stored properties (let fc1 = Linear(…)); layers kept elsewhere are not seen "
            + "unless `children` names them")
}

/// Parameters with fewer elements than this are updated on one thread.
let optimizerParallelThreshold = 1 << 15

/// Parameters of a module tree with names, the form optimizers take.
public typealias NamedParameters = [(name: String, parameter: Parameter)]
