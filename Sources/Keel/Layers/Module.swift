/// A layer or a network: a function of one tensor with named parameters and buffers.
///
/// Names are dotted paths that equal PyTorch's `state_dict` keys for the equivalent model
/// (`0.weight`, `features.3.bias`, `1.running_mean`). Layers are classes: optimizers and checkpoints
/// hold on to their parameters by identity.
public protocol Module: AnyObject {
    /// Forward pass.
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Learnable tensors of this module itself (not of its children), in PyTorch's order.
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// Non-learnable state of this module itself (running statistics), in PyTorch's order.
    var ownBuffers: [(name: String, buffer: Parameter)] { get }
    /// Sub-modules with their names.
    var children: [(name: String, module: any Module)] { get }
    /// Training mode (dropout active, batch norm on batch statistics) or evaluation mode.
    var isTraining: Bool { get set }
}

extension Module {
    public var ownParameters: [(name: String, parameter: Parameter)] { [] }
    public var ownBuffers: [(name: String, buffer: Parameter)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// All parameters of the module tree with dotted names.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        ownParameters + children.flatMap { child in
            child.module.namedParameters.map { (child.name + "." + $0.name, $0.parameter) }
        }
    }

    /// All buffers of the module tree with dotted names.
    public var namedBuffers: [(name: String, buffer: Parameter)] {
        ownBuffers + children.flatMap { child in
            child.module.namedBuffers.map { (child.name + "." + $0.name, $0.buffer) }
        }
    }

    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// Number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + Shape.count($1.shape) } }

    /// Every module of the tree, depth first, this one included.
    public var allModules: [any Module] { [self] + children.flatMap { $0.module.allModules } }

    /// Every module of the tree with its dotted path ("" for this one), depth first.
    public var namedModules: [(name: String, module: any Module)] {
        [("", self)] + children.flatMap { child in
            child.module.namedModules.map { (child.name + ($0.name.isEmpty ? "" : "." + $0.name), $0.module) }
        }
    }

    /// Parameters and buffers by name, in PyTorch's `state_dict` order.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        var entries: [(name: String, tensor: Tensor)] = []
        func visit(_ module: any Module, prefix: String) {
            for (name, p) in module.ownParameters { entries.append((prefix + name, p.value.detached())) }
            for (name, b) in module.ownBuffers { entries.append((prefix + name, b.value.detached())) }
            for child in module.children { visit(child.module, prefix: prefix + child.name + ".") }
        }
        visit(self, prefix: "")
        return entries
    }

    /// Loads values by name. Every parameter and buffer must be present with the same shape, and no
    /// unknown name may appear (PyTorch's `strict=True`); otherwise nothing is changed and an error names
    /// the offending entries.
    public func loadStateDict(_ values: [String: Tensor]) throws(StateDictError) {
        let targets = namedParameters.map { ($0.name, $0.parameter) } + namedBuffers.map { ($0.name, $0.buffer) }
        let known = Set(targets.map(\.0))
        let missing = targets.map(\.0).filter { values[$0] == nil }
        let unexpected = values.keys.filter { !known.contains($0) }.sorted()
        var mismatched: [String] = []
        for (name, target) in targets {
            if let value = values[name], value.shape != target.shape {
                mismatched.append("\(name): checkpoint \(value.shape), model \(target.shape)")
            }
        }
        if !missing.isEmpty || !unexpected.isEmpty || !mismatched.isEmpty {
            throw StateDictError(missing: missing, unexpected: unexpected, mismatchedShapes: mismatched)
        }
        for (name, target) in targets { target.value = values[name]! }
    }

    /// Switches the whole tree to training mode.
    public func train() { for m in allModules { m.isTraining = true } }
    /// Switches the whole tree to evaluation mode.
    public func eval() { for m in allModules { m.isTraining = false } }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Why a state dict did not fit a model.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    public var missing: [String]
    public var unexpected: [String]
    public var mismatchedShapes: [String]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
        if !mismatchedShapes.isEmpty { parts.append("shape mismatch: \(mismatchedShapes.joined(separator: "; "))") }
        return "state dict does not fit the model: " + parts.joined(separator: "; ")
    }
}
