import Dispatch
import Synchronization

/// Threading policy for Keel's kernels.
///
/// Work is split into a number of pieces that depends only on the problem, never on the thread count, and
/// partial results are combined in a fixed order, so every kernel gives bit-identical results at any
/// thread count.
public enum Parallel {
    private static let configuredThreads = Atomic<Int>(0)

    /// The number of threads kernels may use (default: the number of active processors).
    public static var threadCount: Int {
        get {
            let configured = configuredThreads.load(ordering: .relaxed)
            return configured > 0 ? configured : defaultThreadCount
        }
        set {
            ensure(newValue >= 1, "Parallel.threadCount must be at least 1, got \(newValue)")
            configuredThreads.store(newValue, ordering: .relaxed)
        }
    }

    static let defaultThreadCount: Int = {
        max(1, onlineProcessorCount())
    }()

    /// Runs `body(i)` for i in 0..<count, on up to `threadCount` threads. `body` must write disjoint memory.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEach(count, firstPhase: 0, body)
    }

    /// `forEach` in two phases: every index below `firstPhase` is taken (by some thread) before any index from
    /// `firstPhase` on. Within a phase, thread t runs the t-th of the contiguous blocks first.
    static func forEach(_ count: Int, firstPhase: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if count == 1 || threadCount == 1 {
            for i in 0..<count { body(i) }
            return
        }
        ThreadPool.shared.run(count, firstPhase: firstPhase, threads: threadCount, body)
    }

    /// Splits `0..<total` into about `threadCount` contiguous ranges (multiples of `grain` except the last)
    /// and runs `body` on each. Use only where the result does not depend on the split (disjoint writes).
    public static func forRanges(
        _ total: Int, grain: Int = 1, minimumPerThread: Int = 1,
        _ body: (Range<Int>) -> Void
    ) {
        if total <= 0 { return }
        let threads = min(threadCount, max(1, total / max(1, minimumPerThread)))
        if threads <= 1 {
            body(0..<total)
            return
        }
        let units = (total + grain - 1) / grain
        let per = (units + threads - 1) / threads
        let pieces = (units + per - 1) / per
        forEach(pieces) { p in
            let lower = p * per * grain
            let upper = min(total, (p + 1) * per * grain)
            if lower < upper { body(lower..<upper) }
        }
    }
}
