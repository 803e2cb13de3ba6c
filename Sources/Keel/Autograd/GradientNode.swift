/// One recorded operation in the autograd graph (or a leaf: a parameter or an input that requires
/// gradients).
///
/// An interior node keeps its inputs' nodes and a closure that maps the gradient of its output to the
/// gradients of its inputs. `backward()` frees both once used, so the graph is released after one pass.
final class GradientNode: @unchecked Sendable {
    /// The op that made this value ("matmul", "conv2d", ...); "leaf" for leaves.
    let op: String
    let shape: [Int]
    /// Nodes of the inputs; nil for inputs that need no gradient.
    var inputs: [GradientNode?]
    /// Output gradient → input gradients (same order as `inputs`; nil where not needed).
    var backwardFunction: ((Tensor) -> [Tensor?])?
    /// For a leaf: the gradient accumulated over backward passes until zeroed. For an interior node:
    /// the gradient gathered from its consumers during one backward pass.
    var grad: Tensor?

    var isLeaf: Bool { op == "leaf" }

    init(leafOfShape shape: [Int]) {
        op = "leaf"
        self.shape = shape
        inputs = []
    }

    init(op: String, shape: [Int], inputs: [GradientNode?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.shape = shape
        self.inputs = inputs
        backwardFunction = backward
    }

    /// Adds `gradient` to `grad` (in place when the buffer is not shared).
    func accumulate(_ gradient: Tensor) {
        ensure(
            gradient.shape == shape,
            "backward(\(op)): gradient of shape \(gradient.shape) for a value of shape \(shape)")
        if grad == nil {
            grad = gradient
        } else {
            grad!.addInPlace(gradient)
        }
    }
}

/// Whether ops record the autograd graph (on by default; off inside `withoutGradients`).
public enum GradientMode {
    /// Whether ops record the autograd graph on this task (off inside `withoutGradients`).
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording any autograd graph (evaluation, optimizer updates, metrics).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Whether this value is tracked by autograd.
    public var requiresGradient: Bool { node != nil }

    /// A copy of this value that is an autograd leaf: after `backward()`, its gradient is in `gradient`.
    public func requiringGradient() -> Tensor {
        Tensor(storage: storage, shape: shape, node: GradientNode(leafOfShape: shape))
    }

    /// The same values, cut off from the autograd graph.
    public func detached() -> Tensor { Tensor(storage: storage, shape: shape) }

    /// The gradient accumulated in this leaf (nil before a backward pass or for non-leaves).
    public var gradient: Tensor? { node?.isLeaf == true ? node?.grad : nil }

    /// Records `result` as the output of `op` applied to `inputs`, when gradients are being recorded and
    /// some input requires them. `backward` receives the output's gradient and returns one gradient per
    /// input (nil for inputs that need none: check `needs`).

    static func record(
        _ result: Tensor, op: String, inputs: [Tensor],
        backward: @escaping (_ gradient: Tensor, _ needs: [Bool]) -> [Tensor?]
    ) -> Tensor {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return result }
        OpProfiler.forwardEnded(op, shape: result.shape)
        let nodes = inputs.map { $0.node }
        let needs = nodes.map { $0 != nil }
        var out = result
        out.node = GradientNode(op: op, shape: result.shape, inputs: nodes) { backward($0, needs) }
        return out
    }

    /// Reverse-mode differentiation from this value.
    ///
    /// Seeds with `gradient` (default: 1 for a one-element tensor), walks the graph in reverse
    /// topological order and adds each leaf's gradient to what it already holds (call `zeroGrad` on
    /// optimizers or parameters to reset). The graph is freed as it is walked.
    public func backward(_ gradient: Tensor? = nil) {
        guard let root = node else {
            fatalError("backward: this tensor of shape \(shape) does not require gradients")
        }
        let seed: Tensor
        if let gradient {
            ensure(
                gradient.shape == shape,
                "backward: seed gradient of shape \(gradient.shape) for a value of shape \(shape)")
            seed = gradient.detached()
        } else {
            ensure(count == 1, "backward: a seed gradient is needed for a non-scalar of shape \(shape)")
            seed = Tensor.full(shape, 1)
        }
        // Reverse topological order by iterative depth-first search (deep graphs must not overflow the stack).
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradientNode, Bool)] = [(root, false)]
        while let (current, expanded) = stack.popLast() {
            if expanded {
                order.append(current)
                continue
            }
            if !visited.insert(ObjectIdentifier(current)).inserted { continue }
            stack.append((current, true))
            for case let input? in current.inputs where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        withoutGradients {
            root.accumulate(seed)
            for current in order.reversed() where !current.isLeaf {
                guard let function = current.backwardFunction else {
                    fatalError(
                        "backward: the graph through '\(current.op)' was already used by a " + "backward pass and freed; run the forward pass again")
                }
                guard let outputGradient = current.grad else { continue }
                let inputGradients = OpProfiler.backward(current.op, shape: current.shape) { function(outputGradient) }
                for (input, inputGradient) in zip(current.inputs, inputGradients) {
                    if let input, let inputGradient { input.accumulate(inputGradient) }
                }
                current.grad = nil
                current.backwardFunction = nil
                current.inputs = []
            }
        }
    }
}
