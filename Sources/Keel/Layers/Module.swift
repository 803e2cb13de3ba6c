import Foundation

/// A layer or a network: a function of one tensor with named parameters and buffers.
///
/// Names are dotted paths that equal PyTorch's `state_dict` keys for the equivalent model
/// (`0.weight`, `features.3.bias`, `1.running_mean`). Layers are classes: optimizers and checkpoints
/// hold on to their parameters by identity.
///
/// A model of your own is a class whose layers are stored properties; its parameters and sub-modules are
/// found from those properties and named after them, as in PyTorch:
///
/// ```swift
/// final class TwoLayerNet: Module {
///     let fc1 = Linear(784, 128)
///     let activation = ReLU()
///     let fc2 = Linear(128, 10)
///     var isTraining = true
///     func callAsFunction(_ x: Tensor) -> Tensor { fc2(activation(fc1(x.flattened(from: 1)))) }
/// }
/// // TwoLayerNet().namedParameters: fc1.weight, fc1.bias, fc2.weight, fc2.bias
/// ```
///
/// Stored properties of type `Parameter` are the module's own parameters; properties holding a `Module`, an
/// optional one or an array of them (named `name.0`, `name.1`, …) are its children. Override `ownParameters`,
/// `ownBuffers` or `children` to name them otherwise.
public protocol Module: AnyObject {
    /// Forward pass.
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Learnable tensors of this module itself (not of its children), in PyTorch's order
    /// (default: its stored `Parameter` properties, in declaration order).
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// Non-learnable state of this module itself (running statistics), in PyTorch's order (default: none).
    var ownBuffers: [(name: String, buffer: Parameter)] { get }
    /// Sub-modules with their names (default: its stored module properties, in declaration order).
    var children: [(name: String, module: any Module)] { get }
    /// Training mode (dropout active, batch norm on batch statistics) or evaluation mode.
    var isTraining: Bool { get set }
}

extension Module {
    /// The module's stored `Parameter` properties, named after them, in declaration order.
    public var ownParameters: [(name: String, parameter: Parameter)] {
        StoredProperties.of(self).compactMap { property in (property.value as? Parameter).map { (property.name, $0) } }
    }
    /// None: a module of your own with buffers (running statistics) lists them here.
    public var ownBuffers: [(name: String, buffer: Parameter)] { [] }
    /// The module's stored module properties (and optional modules, and arrays of them as `name.0`, `name.1`, …), in
    /// declaration order.
    public var children: [(name: String, module: any Module)] {
        StoredProperties.of(self).flatMap { property -> [(name: String, module: any Module)] in
            if let module = property.value as? any Module { return [(property.name, module)] }
            if let modules = property.value as? [any Module] {
                return modules.enumerated().map { ("\(property.name).\($0.offset)", $0.element) }
            }
            return []
        }
    }

    /// All parameters of the module tree with dotted names.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        ownParameters
            + children.flatMap { child in
                child.module.namedParameters.map { (child.name + "." + $0.name, $0.parameter) }
            }
    }

    /// All buffers of the module tree with dotted names.
    public var namedBuffers: [(name: String, buffer: Parameter)] {
        ownBuffers
            + children.flatMap { child in
                child.module.namedBuffers.map { (child.name + "." + $0.name, $0.buffer) }
            }
    }

    /// The parameters of the whole tree, without names (`namedParameters` has the names).
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// Number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + Shape.count($1.shape) } }

    /// Every module of the tree, depth first, this one included.
    public var allModules: [any Module] { [self] + children.flatMap { $0.module.allModules } }

    /// Every module of the tree with its dotted path ("" for this one), depth first.
    public var namedModules: [(name: String, module: any Module)] {
        [("", self)]
            + children.flatMap { child in
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

    /// Writes the weights (`stateDict()`, PyTorch names) to a safetensors file, atomically; PyTorch reads it with
    /// `safetensors.torch.load_file` and `load_state_dict`.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: ["format": "pt"].merging(metadata) { $1 }, to: url)
    }

    /// Loads weights saved by `save(to:)` (or PyTorch's `safetensors.torch.save_file`). Every parameter and buffer
    /// must be in the file with its shape, and nothing else; otherwise nothing changes and the error says what differs.
    public func load(from url: URL) throws {
        try loadStateDict(SafeTensors.read(url).tensors)
    }
}

/// A module's stored properties with their names (Mirror, this class and its superclasses; a property
/// wrapper's or lazy property's storage is named after the property).
enum StoredProperties {
    static func of(_ module: any Module) -> [(name: String, value: Any)] {
        var result: [(name: String, value: Any)] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        var levels: [Mirror] = []
        while let m = mirror {
            levels.append(m)
            mirror = m.superclassMirror
        }
        for level in levels.reversed() {
            for child in level.children {
                guard var name = child.label else { continue }
                if name.hasPrefix("$__lazy_storage_$_") { name.removeFirst("$__lazy_storage_$_".count) }
                if name.hasPrefix("_") { name.removeFirst() }
                result.append((name, unwrapped(child.value)))
            }
        }
        return result
    }

    /// The value inside an optional (or the value itself).
    static func unwrapped(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrapped($0.value) } ?? Optional<Any>.none as Any
    }
}

/// Why a state dict did not fit a model.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    /// Parameters and buffers the model has but the values do not.
    public var missing: [String]
    /// Names in the values that the model does not have.
    public var unexpected: [String]
    /// "name: checkpoint [shape], model [shape]" for each name present in both with different shapes.
    public var mismatchedShapes: [String]

    /// One line listing what is missing, unexpected and mismatched.
    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
        if !mismatchedShapes.isEmpty { parts.append("shape mismatch: \(mismatchedShapes.joined(separator: "; "))") }
        return "state dict does not fit the model: " + parts.joined(separator: "; ")
    }
}
