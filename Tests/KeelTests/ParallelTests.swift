import CKeelKernels
import KeelTestSupport
import Synchronization
import Testing

@testable import Keel

struct ParallelTests {
    @Test func everyIndexRunsExactlyOnce() {
        for count in [0, 1, 2, 3, 17, 1000] {
            let hits = Locked([Int](repeating: 0, count: count))  // a pthread mutex: ThreadSanitizer sees it
            withThreads(2) { Parallel.forEach(count) { i in hits.withLock { $0[i] += 1 } } }
            #expect(hits.withLock { $0 }.allSatisfy { $0 == 1 }, "count \(count)")
        }
    }

    @Test func everyIndexRunsExactlyOnceInTwoPhases() {
        for (count, firstPhase) in [(2, 1), (3, 0), (3, 3), (17, 5), (1000, 999), (1000, 1)] {
            let hits = Locked([Int](repeating: 0, count: count))
            withThreads(2) { Parallel.forEach(count, firstPhase: firstPhase) { i in hits.withLock { $0[i] += 1 } } }
            #expect(hits.withLock { $0 }.allSatisfy { $0 == 1 }, "count \(count), first phase \(firstPhase)")
        }
    }

    /// Every first-phase index is taken before any second-phase one, so when a second-phase index starts, at
    /// most one first-phase index (taken by the other thread, not yet started) has not started.
    @Test func theSecondPhaseStartsOnlyOnceTheFirstIsTaken() {
        let firstPhase = 40
        let started = Atomic<Int>(0)
        let earliest = Locked(Int.max)
        for _ in 0..<50 {
            started.store(0, ordering: .relaxed)
            withThreads(2) {
                Parallel.forEach(100, firstPhase: firstPhase) { i in
                    if i < firstPhase {
                        started.wrappingAdd(1, ordering: .sequentiallyConsistent)
                        for _ in 0..<(i % 7) * 100 { keel_spin_pause() }
                    } else {
                        let seen = started.load(ordering: .sequentiallyConsistent)
                        earliest.withLock { $0 = min($0, seen) }
                    }
                }
            }
        }
        #expect(earliest.withLock { $0 } >= firstPhase - 1)
    }

    @Test func rangesCoverTheWholeSpanOnGrainBoundaries() {
        let seen = Locked<[Range<Int>]>([])
        withThreads(3) { Parallel.forRanges(1000, grain: 12) { r in seen.withLock { $0.append(r) } } }
        let ranges = seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1000)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        #expect(ranges.dropLast().allSatisfy { $0.upperBound % 12 == 0 })
    }

    @Test func nestedAndConcurrentCallsComplete() async {
        // Jobs submitted from several tasks at once, each nesting another parallel loop.
        await withTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    let total = Atomic<Int>(0)
                    Parallel.forEach(8) { i in
                        Parallel.forEach(8) { j in total.wrappingAdd(i * 8 + j + task, ordering: .relaxed) }
                    }
                    return total.load(ordering: .relaxed) - 64 * task
                }
            }
            for await sum in group { #expect(sum == 63 * 64 / 2) }
        }
    }
}
