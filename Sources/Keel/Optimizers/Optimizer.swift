/// Per-parameter state of an optimizer ("0.weight.exp_avg", "0.weight.step", …), saved in checkpoints.
public final class OptimizerState {
    /// Updates made so far: the global step.
    public var stepCount = 0
    /// State tensors by "parameter name.slot name".
    public private(set) var slots: [String: Tensor] = [:]

    public init() {}

    /// A pointer to the slot's buffer, created with `initial` on first use; valid until the slot is replaced.
    func pointer(_ key: String, shape: [Int], initial: Float = 0) -> UnsafeMutablePointer<Float> {
        if slots[key] == nil { slots[key] = Tensor.full(shape, initial) }
        return slots[key]!.withUnsafeMutablePointer { $0 }
    }

    func contains(_ key: String) -> Bool { slots[key] != nil }

    /// Replaces all state (from a checkpoint).
    public func restore(stepCount: Int, slots: [String: Tensor]) {
        self.stepCount = stepCount
        self.slots = slots.mapValues { $0.detached() }
    }
}

/// Updates parameters from their gradients. Concrete optimizers implement `update`; `step()` reads the
/// learning rate from the schedule at the global step and applies the rule to every parameter that has a
/// gradient (parameters without one are skipped, as in PyTorch).
public protocol Optimizer: AnyObject {
    var parameters: [(name: String, parameter: Parameter)] { get }
    var schedule: any LearningRateSchedule { get set }
    var state: OptimizerState { get }
    /// One update of one parameter. `values` and `gradient` hold `count` floats.
    func update(name: String, values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
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
    func nextStep(_ name: String) -> Int {
        let p = state.pointer(name + ".step", shape: [])
        p[0] += 1
        return Int(p[0])
    }
}

/// Parameters with fewer elements than this are updated on one thread.
let optimizerParallelThreshold = 1 << 15

/// Parameters of a module tree with names, the form optimizers take.
public typealias NamedParameters = [(name: String, parameter: Parameter)]
