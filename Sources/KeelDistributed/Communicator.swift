import Keel

/// The collective operations data-parallel training needs, over a fixed group of processes ("ranks").
///
/// Every rank calls the same collectives in the same order with the same counts; a collective returns when every
/// rank has made its call. `allReduceSum` is deterministic: each element is the `PairwiseSum` of the ranks'
/// values in rank order, so every rank gets the same bits in every run — what makes Keel's data-parallel
/// training give the same weights whatever the number of processes.
///
/// Implementations: `SingleProcessCommunicator` (one rank; what a run without MPI uses), `MPICommunicator`
/// (Open MPI, loaded at run time), `LocalCommunicatorGroup` (ranks as threads of one process, for tests).
public protocol Communicator: AnyObject {
    /// This process's index in the group, 0..<size.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// Concatenates every rank's `send` (all of the same count) into `receive` (size × count), in rank order.
    func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws
    /// Sends block j of `send` (size blocks of equal count) to rank j; block r of `receive` is what rank r sent here.
    func allToAll(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws
    /// Overwrites `values` on every rank with rank `root`'s.
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws
    /// Returns once every rank has called it.
    func barrier() throws
    /// Sums `values` over the ranks in place by the `PairwiseSum` tree over ranks in rank order, the same bits on
    /// every rank (the default: `treeAllReduceSum`).
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>, scratch: inout AllReduceScratch) throws
}

extension Communicator {
    /// Whether this rank writes the run's files (rank 0).
    public var isLeader: Bool { rank == 0 }

    /// Sums `values` over the ranks, in place, with the same bits on every rank: each rank reduces one block of
    /// the vector — the ranks' blocks added by `PairwiseSum` in rank order — and the reduced blocks are gathered
    /// (reduce-scatter then all-gather, like a ring all-reduce: 2·(N − 1)/N of the bytes sent per rank).
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        var scratch = AllReduceScratch()
        try allReduceSum(values, scratch: &scratch)
    }

    /// The default `allReduceSum(_:scratch:)`.
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>, scratch: inout AllReduceScratch) throws {
        try treeAllReduceSum(values, scratch: &scratch)
    }

    /// The deterministic all-reduce from `allToAll` and `allGather`, with buffers kept by the caller from call to call
    /// (no allocation once they have grown): the vector in N blocks, block r reduced on rank r.
    public func treeAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>, scratch: inout AllReduceScratch) throws {
        let n = size
        guard n > 1, values.count > 0 else { return }
        let block = (values.count + n - 1) / n
        scratch.reserve(block: block, ranks: n)
        try scratch.send.withUnsafeMutableBufferPointer { send in
            try scratch.received.withUnsafeMutableBufferPointer { received in
                let tail = block * n - values.count
                send.baseAddress!.update(from: values.baseAddress!, count: values.count)
                (send.baseAddress! + values.count).update(repeating: 0, count: tail)
                try allToAll(UnsafeBufferPointer(send), into: received)
                // Block r of `received` is rank r's part of this rank's block: add them by the tree, into block 0.
                PairwiseSum.reduce((0..<n).map { received.baseAddress! + $0 * block }, count: block)
                try allGather(UnsafeBufferPointer(rebasing: received[0..<block]), into: send)
                values.baseAddress!.update(from: send.baseAddress!, count: values.count)
            }
        }
    }

    /// Every rank's `values` (all of the same count), concatenated in rank order.
    public func allGather(_ values: [Float]) throws -> [Float] {
        var result = [Float](repeating: 0, count: values.count * size)
        try values.withUnsafeBufferPointer { v in try result.withUnsafeMutableBufferPointer { try allGather(v, into: $0) } }
        return result
    }

    /// Rank `root`'s `values` on every rank.
    public func broadcast(_ values: inout [Float], from root: Int = 0) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, from: root) }
    }
}

/// A group of one: every collective is a copy or nothing. What a run that was not started by `mpirun` uses.
public final class SingleProcessCommunicator: Communicator {
    /// Always 0.
    public var rank: Int { 0 }
    /// Always 1.
    public var size: Int { 1 }
    /// The group of this process alone.
    public init() {}
    /// Copies `send` into `receive`.
    public func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        _ = receive.update(fromContentsOf: send)
    }
    /// Copies `send` into `receive`.
    public func allToAll(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        _ = receive.update(fromContentsOf: send)
    }
    /// Nothing to do: this rank is the root.
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {}
    /// Nothing to wait for.
    public func barrier() throws {}
}

/// The buffers of `allReduceSum`, kept between calls so that a training step allocates nothing.
public struct AllReduceScratch {
    fileprivate var send: [Float] = []
    fileprivate var received: [Float] = []
    /// Empty buffers; they grow on first use.
    public init() {}
    fileprivate mutating func reserve(block: Int, ranks: Int) {
        if send.count != block * ranks {
            send = [Float](repeating: 0, count: block * ranks)
            received = [Float](repeating: 0, count: block * ranks)
        }
    }
}
