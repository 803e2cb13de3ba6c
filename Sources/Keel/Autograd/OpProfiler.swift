import Synchronization

/// Where a training step's time goes, op by op and output shape (one sample's: "conv2d [16, 32, 32]" is every
/// such layer): while `profile` runs, each recorded op is charged the time since
/// the previous op was recorded (its forward pass, as ops run one after another), each backward function its own
/// run, and `mark(_:)` charges the time since the last event to a label of its own ("optimizer step"). Off, it
/// costs one atomic load per recorded op.
public enum OpProfiler {
    /// One op's (or label's) share.
    public struct Entry: Equatable, Sendable {
        /// The op's name as autograd records it with one sample's output shape ("conv2d [16, 32, 32]"), or a `mark` label.
        public var op: String
        /// Seconds in forward passes.
        public var forwardSeconds: Double
        /// Seconds in backward functions.
        public var backwardSeconds: Double
        /// Forward calls counted.
        public var calls: Int
        /// forward + backward.
        public var totalSeconds: Double { forwardSeconds + backwardSeconds }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var lastEvent = ContinuousClock.now
    }

    static let isEnabled = Atomic<Bool>(false)
    private static let state = Locked(State())

    /// Runs `body` with profiling on; returns its result and the entries, the costliest first.
    public static func profile<R>(_ body: () throws -> R) rethrows -> (result: R, entries: [Entry]) {
        state.withLock { $0 = State() }
        isEnabled.store(true, ordering: .sequentiallyConsistent)
        defer { isEnabled.store(false, ordering: .sequentiallyConsistent) }
        let result = try body()
        let entries = state.withLock { Array($0.entries.values) }.sorted { $0.totalSeconds > $1.totalSeconds }
        return (result, entries)
    }

    /// Charges the time since the last event to `label` (forward column) — call it after work no op records.
    public static func mark(_ label: String) {
        guard isEnabled.load(ordering: .relaxed) else { return }
        charge(label, forward: true, since: nil)
    }

    /// A recorded op's forward pass ended now.
    static func forwardEnded(_ op: String, shape: [Int]) {
        guard isEnabled.load(ordering: .relaxed) else { return }
        charge(key(op, shape), forward: true, since: nil)
    }

    static func key(_ op: String, _ shape: [Int]) -> String { "\(op) \(Array(shape.dropFirst()))" }

    /// Runs a backward function, charging its time to `op`.
    static func backward<R>(_ op: String, shape: [Int], _ body: () -> R) -> R {
        guard isEnabled.load(ordering: .relaxed) else { return body() }
        let start = ContinuousClock.now
        let result = body()
        charge(key(op, shape), forward: false, since: start)
        return result
    }

    private static func charge(_ op: String, forward: Bool, since start: ContinuousClock.Instant?) {
        let now = ContinuousClock.now
        state.withLock { s in
            let elapsed = now - (start ?? s.lastEvent)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            var entry = s.entries[op] ?? Entry(op: op, forwardSeconds: 0, backwardSeconds: 0, calls: 0)
            if forward {
                entry.forwardSeconds += seconds
                entry.calls += 1
            } else {
                entry.backwardSeconds += seconds
            }
            s.entries[op] = entry
            s.lastEvent = now
        }
    }
}
