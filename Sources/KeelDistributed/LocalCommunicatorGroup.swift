import Foundation

/// N ranks as threads of one process, talking through shared memory: what the tests use to check the collectives
/// and data-parallel arithmetic without MPI. `communicators[r]` is rank r's end; each must be used by one thread.
public final class LocalCommunicatorGroup: @unchecked Sendable {
    /// One communicator per rank.
    public let communicators: [any Communicator]

    /// A group of `size` ranks.
    public init(size: Int) {
        precondition(size >= 1, "LocalCommunicatorGroup: size must be at least 1")
        let exchange = LocalExchange(size: size)
        communicators = (0..<size).map { LocalCommunicator(exchange: exchange, rank: $0) }
    }
}

/// What the ranks of a `LocalCommunicatorGroup` share: one slot per rank (each written by its rank only, read by all
/// after a barrier) and a reusable barrier.
final class LocalExchange: @unchecked Sendable {
    final class Slot: @unchecked Sendable { var values: [Float] = [] }
    let size: Int
    let slots: [Slot]
    private let condition = NSCondition()
    private var arrived = 0
    private var generation = 0

    init(size: Int) {
        self.size = size
        slots = (0..<size).map { _ in Slot() }
    }

    /// Waits until every rank has arrived.
    func wait() {
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
    private let exchange: LocalExchange
    let rank: Int
    var size: Int { exchange.size }

    init(exchange: LocalExchange, rank: Int) {
        self.exchange = exchange
        self.rank = rank
    }

    /// Publishes `values` in this rank's slot, waits for all, reads with `read`, waits again (slots reused after).
    private func share(_ values: [Float], _ read: ([[Float]]) -> Void) {
        exchange.slots[rank].values = values
        exchange.wait()
        read(exchange.slots.map(\.values))
        exchange.wait()
    }

    func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        share(Array(send)) { slots in
            for (r, slot) in slots.enumerated() { for i in 0..<slot.count { receive[r * send.count + i] = slot[i] } }
        }
    }

    func allToAll(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        let block = send.count / size
        share(Array(send)) { slots in
            for (r, slot) in slots.enumerated() { for i in 0..<block { receive[r * block + i] = slot[rank * block + i] } }
        }
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {
        share(rank == root ? Array(values) : []) { slots in
            if rank != root { for i in 0..<values.count { values[i] = slots[root][i] } }
        }
    }

    func barrier() throws { share([]) { _ in } }
}
