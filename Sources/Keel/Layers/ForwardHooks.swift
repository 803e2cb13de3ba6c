import Synchronization

/// Called after a module's forward pass with the module, its input and its output — PyTorch's
/// `register_forward_hook`. Use it to record statistics (`DiagnosticsRecorder`), log shapes or capture features.
public typealias ForwardHook = (_ module: any Module, _ input: Tensor, _ output: Tensor) -> Void

/// Removes the hook it was returned for.
public struct ForwardHookHandle: Hashable, Sendable {
    let module: ObjectIdentifier
    let id: Int

    /// Unregisters the hook; removing it twice does nothing.
    public func remove() { ForwardHookRegistry.remove(self) }
}

/// Hooks by module identity. Modules without hooks pay one atomic load per forward pass.
enum ForwardHookRegistry {
    nonisolated(unsafe) private static var hooks: [ObjectIdentifier: [(id: Int, hook: ForwardHook)]] = [:]
    private static let lock = Locked(0)
    /// How many hooks are registered in all (0: the fast path).
    static let count = Atomic<Int>(0)

    static func add(_ hook: @escaping ForwardHook, to module: any Module) -> ForwardHookHandle {
        lock.withLock { nextID in
            nextID += 1
            hooks[ObjectIdentifier(module), default: []].append((nextID, hook))
            count.add(1, ordering: .relaxed)
            return ForwardHookHandle(module: ObjectIdentifier(module), id: nextID)
        }
    }

    static func remove(_ handle: ForwardHookHandle) {
        lock.withLock { _ in
            guard let list = hooks[handle.module], list.contains(where: { $0.id == handle.id }) else { return }
            let rest = list.filter { $0.id != handle.id }
            hooks[handle.module] = rest.isEmpty ? nil : rest
            count.subtract(1, ordering: .relaxed)
        }
    }

    static func hooks(of module: any Module) -> [ForwardHook] {
        guard count.load(ordering: .relaxed) > 0 else { return [] }
        return lock.withLock { _ in hooks[ObjectIdentifier(module)]?.map(\.hook) ?? [] }
    }
}

extension Module {
    /// Registers `hook` to run after every forward pass of this module; keep the handle to remove it. Keel's
    /// layers run their hooks themselves; a module of your own runs them by returning
    /// `withForwardHooks(input, output)` from `callAsFunction`. A module's hooks live as long as the handle is
    /// not removed (they keep the closure, not the module).
    @discardableResult
    public func addForwardHook(_ hook: @escaping ForwardHook) -> ForwardHookHandle {
        ForwardHookRegistry.add(hook, to: self)
    }

    /// Whether any hook is registered on this module.
    public var hasForwardHooks: Bool { !ForwardHookRegistry.hooks(of: self).isEmpty }

    /// Runs this module's hooks on a forward pass and returns `output`: the last line of `callAsFunction`.
    @inline(__always)
    public func withForwardHooks(_ input: Tensor, _ output: Tensor) -> Tensor {
        if ForwardHookRegistry.count.load(ordering: .relaxed) > 0 {
            for hook in ForwardHookRegistry.hooks(of: self) { hook(self, input, output) }
        }
        return output
    }
}
