import CKeelKernels
import Foundation
import Synchronization

/// Keel's persistent worker threads: the caller and up to `workers` helpers run the iteration indices of a
/// job.
///
/// Each participating thread has a home block of the job's indices — thread t of T the t-th of T contiguous
/// blocks — which it takes in order from a counter on a cache line of its own; once its block is taken it
/// helps the others, taking from the fronts of their blocks. So threads never contend for one counter while
/// they have work of their own, no thread waits for a slower one until the end, and thread t gets the same
/// part of every job: the caller the first, helper h the (h + 1)-th. Kernels that split a tensor the same way
/// from op to op (a layer's rows in the forward pass, the optimizer's ranges) then find much of it in their
/// own core's cache. A job may come in two phases: every index of the first is taken before any thread
/// takes one of the second.
///
/// Helpers spin briefly after each job before sleeping on a semaphore, so back-to-back kernels (a
/// training step is hundreds of them) start at once. One job runs at a time; a call made while the pool is
/// busy (from another thread or from inside a job) runs on its caller alone, in index order. Kernels never
/// depend on which thread runs which index, so results are the same either way.
final class ThreadPool: @unchecked Sendable {
    static let shared = ThreadPool(workers: Parallel.defaultThreadCount - 1)

    /// One thread's home block of one phase: the next index to take and the block's end. The padding keeps
    /// the two counters on a cache line no other block's counters share (objects are at least 16-byte aligned
    /// and the counters sit 56 bytes past the header and 56 bytes before the end).
    private final class Block: @unchecked Sendable {
        private let before: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
        let next = Atomic<Int>(0)
        let end = Atomic<Int>(0)
        private let after: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)

        func reset(_ range: Range<Int>) {
            next.store(range.lowerBound, ordering: .relaxed)
            end.store(range.upperBound, ordering: .relaxed)
        }

        /// The next index of the block, if any is left.
        func take() -> Int? {
            let end = self.end.load(ordering: .relaxed)
            // A plain read first, so threads passing an exhausted block do not write its cache line.
            if next.load(ordering: .relaxed) >= end { return nil }
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            return i < end ? i : nil
        }
    }

    private final class Job: @unchecked Sendable {
        let body: (Int) -> Void
        /// Participating threads (the caller is thread 0).
        let threads: Int
        /// The home blocks, [phase][thread].
        let blocks: [[Block]]
        /// The starting thread's kernel-level override (-1: none), which helpers adopt for the job.
        let kernelLevel: Int32
        /// Indices run, added once per thread.
        let finished = Atomic<Int>(0)

        init(body: @escaping (Int) -> Void, count: Int, firstPhase: Int, threads: Int, blocks: [[Block]], kernelLevel: Int32) {
            self.body = body
            self.threads = threads
            self.blocks = blocks
            self.kernelLevel = kernelLevel
            for (phase, range) in [0..<firstPhase, firstPhase..<count].enumerated() {
                for t in 0..<threads {
                    let lower = range.lowerBound + range.count * t / threads
                    let upper = range.lowerBound + range.count * (t + 1) / threads
                    blocks[phase][t].reset(lower..<upper)
                }
            }
        }

        /// Runs indices until none are left: per phase, thread `thread`'s own block, then the others'.
        func work(thread: Int) {
            var done = 0
            for phase in blocks {
                for offset in 0..<threads {
                    let block = phase[(thread + offset) % threads]
                    while let i = block.take() {
                        body(i)
                        done += 1
                    }
                }
            }
            finished.wrappingAdd(done, ordering: .releasing)
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
    /// Home blocks for two phases and every thread, reused by every job (one job runs at a time).
    private let blocks: [[Block]]
    private let generation = Atomic<Int>(0)
    private let current = Locked<Job?>(nil)
    private let busy = Atomic<Bool>(false)
    /// How many helpers the current job may use.
    private let helpersWanted = Atomic<Int>(0)
    /// Helpers holding a reference to the current job; the caller waits for 0 before returning.
    private let activeHelpers = Atomic<Int>(0)

    init(workers count: Int) {
        workers = (0..<max(0, count)).map { _ in Worker() }
        blocks = (0..<2).map { _ in (0...max(0, count)).map { _ in Block() } }
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
                job.work(thread: index + 1)
                keel_set_cpu_level(-1)
            }
            activeHelpers.wrappingSubtract(1, ordering: .releasing)
        }
    }

    /// Runs body(i) for i in 0..<count on the caller and up to `threads − 1` helpers; returns when all are done.
    /// Every index below `firstPhase` is taken before any index from `firstPhase` on.
    func run(_ count: Int, firstPhase: Int, threads: Int, _ body: (Int) -> Void) {
        let helpers = min(workers.count, threads - 1, count - 1)
        if helpers <= 0 || !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            for i in 0..<count { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            let job = Job(
                body: body, count: count, firstPhase: min(max(0, firstPhase), count), threads: helpers + 1,
                blocks: blocks, kernelLevel: keel_thread_cpu_level())
            current.withLock { $0 = job }
            helpersWanted.store(helpers, ordering: .releasing)
            generation.wrappingAdd(1, ordering: .releasing)
            for worker in workers.prefix(helpers) { sem_post(&worker.wake) }
            job.work(thread: 0)
            while job.finished.load(ordering: .acquiring) < count { keel_spin_pause() }
            current.withLock { $0 = nil }
            // No helper may keep the (non-escaping) body past this call.
            while activeHelpers.load(ordering: .acquiring) > 0 { keel_spin_pause() }
        }
    }
}
