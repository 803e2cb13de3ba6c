import Foundation

/// N ranks as threads of one process, talking through shared memory: what the tests use to check the collectives
/// and data-parallel arithmetic without MPI. `communicators[r]` is rank r's end; each must be used by one thread.
public final class LocalCommunicatorGroup: @unchecked Sendable {
    /// One communicator per rank.
    public private(set) var communicators: [any Communicator] = []
    fileprivate let size: Int
    fileprivate var slots: [[Float]]
    private let condition = NSCondition()
    private var arrived = 0
    private var generation = 0

    /// A group of `size` ranks.
    public init(size: Int) {
        precondition(size >= 1, "LocalCommunicatorGroup: size must be at least 1")
        self.size = size
        slots = Array(repeating: [], count: size)
        communicators = (0..<size).map { LocalCommunicator(group: self, rank: $0) }
    }

    /// Waits until every rank has arrived.
    fileprivate func wait() {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
    }
}

/// One rank of a `LocalCommunicatorGroup`.
final class LocalCommunicator: Communicator {
    private let group: LocalCommunicatorGroup
    let rank: Int
    var size: Int { group.size }

    init(group: LocalCommunicatorGroup, rank: Int) {
        self.group = group
        self.rank = rank
    }

    /// Publishes `values` in this rank's slot, waits for all, reads with `read`, waits again (slots reused after).
    private func exchange(_ values: [Float], _ read: ([[Float]]) -> Void) {
        group.slots[rank] = values
        group.wait()
        read(group.slots)
        group.wait()
    }

    func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        exchange(Array(send)) { slots in
            for (r, slot) in slots.enumerated() { for i in 0..<slot.count { receive[r * send.count + i] = slot[i] } }
        }
    }

    func allToAll(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        let block = send.count / size
        exchange(Array(send)) { slots in
            for (r, slot) in slots.enumerated() { for i in 0..<block { receive[r * block + i] = slot[rank * block + i] } }
        }
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {
        exchange(rank == root ? Array(values) : []) { slots in
            if rank != root { for i in 0..<values.count { values[i] = slots[root][i] } }
        }
    }

    func barrier() throws { exchange([]) { _ in } }
}
