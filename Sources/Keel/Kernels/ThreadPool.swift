import CKeelKernels
import Foundation
import Synchronization

/// Keel's persistent worker threads: the caller and up to `workers` helpers pull iteration indices of a
/// job from a shared counter until none are left.
///
/// Helpers spin briefly after each job before sleeping on a semaphore, so back-to-back kernels (a
/// training step is hundreds of them) start at once. One job runs at a time; a call made while the pool is
/// busy (from another thread or from inside a job) runs on its caller alone. Kernels never depend on
/// which thread runs which index, so results are the same either way.
final class ThreadPool: @unchecked Sendable {
    static let shared = ThreadPool(workers: Parallel.defaultThreadCount - 1)

    private final class Job: @unchecked Sendable {
        let body: (Int) -> Void
        let count: Int
        /// The starting thread's kernel-level override (-1: none), which helpers adopt for the job.
        let kernelLevel: Int32
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        init(body: @escaping (Int) -> Void, count: Int, kernelLevel: Int32) {
            self.body = body
            self.count = count
            self.kernelLevel = kernelLevel
        }

        /// Runs indices until none are left.
        func work() {
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { return }
                body(i)
                finished.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    private final class Worker: @unchecked Sendable {
        var wake = sem_t()
        init() { sem_init(&wake, 0, 0) }
    }

    /// About 100 µs of spinning before a helper sleeps: long enough to bridge the gaps between the
    /// kernels of one training step, short enough not to burn a core when idle.
    static let spinsBeforeSleeping = 4_000

    private let workers: [Worker]
    private let generation = Atomic<Int>(0)
    private let current = Locked<Job?>(nil)
    private let busy = Atomic<Bool>(false)
    /// How many helpers the current job may use.
    private let helpersWanted = Atomic<Int>(0)
    /// Helpers holding a reference to the current job; the caller waits for 0 before returning.
    private let activeHelpers = Atomic<Int>(0)

    init(workers count: Int) {
        workers = (0..<max(0, count)).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, worker: worker, index: index)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(
                &thread, nil,
                { raw in
                    let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                    context.pool.workerLoop(context.worker, index: context.index)
                    return nil
                }, context)
            if status == 0 { pthread_detach(thread) }
        }
    }

    private final class WorkerContext {
        let pool: ThreadPool
        let worker: Worker
        let index: Int
        init(pool: ThreadPool, worker: Worker, index: Int) {
            self.pool = pool
            self.worker = worker
            self.index = index
        }
    }

    private func workerLoop(_ worker: Worker, index: Int) {
        var seen = 0
        while true {
            // Spin (with the CPU's pause hint, no system calls) for the next job, then sleep until woken.
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < ThreadPool.spinsBeforeSleeping {
                spins += 1
                keel_spin_pause()
            }
            if generation.load(ordering: .acquiring) == seen {
                sem_wait(&worker.wake)
                continue
            }
            seen = generation.load(ordering: .acquiring)
            if index >= helpersWanted.load(ordering: .acquiring) { continue }
            // Taking the job and counting oneself active happen under the lock the caller clears it with.
            let taken = current.withLock { job -> Bool in
                guard job != nil else { return false }
                activeHelpers.wrappingAdd(1, ordering: .relaxed)
                return true
            }
            if !taken { continue }
            if let job = current.withLock({ $0 }) {
                keel_set_cpu_level(job.kernelLevel)
                job.work()
                keel_set_cpu_level(-1)
            }
            activeHelpers.wrappingSubtract(1, ordering: .releasing)
        }
    }

    /// Runs body(i) for i in 0..<count on the caller and up to `threads − 1` helpers; returns when all are done.
    func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        let helpers = min(workers.count, threads - 1, count - 1)
        if helpers <= 0 || !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            for i in 0..<count { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body, count: count, kernelLevel: keel_thread_cpu_level())
            current.withLock { $0 = job }
            helpersWanted.store(helpers, ordering: .releasing)
            generation.wrappingAdd(1, ordering: .releasing)
            for worker in workers.prefix(helpers) { sem_post(&worker.wake) }
            job.work()
            while job.finished.load(ordering: .acquiring) < count { keel_spin_pause() }
            current.withLock { $0 = nil }
            // No helper may keep the (non-escaping) body past this call.
            while activeHelpers.load(ordering: .acquiring) > 0 { keel_spin_pause() }
        }
    }
}
