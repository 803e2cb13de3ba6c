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
}

extension Communicator {
    /// Whether this rank writes the run's files (rank 0).
    public var isLeader: Bool { rank == 0 }

    /// Sums `values` over the ranks, in place, with the same bits on every rank: each rank reduces one block of
    /// the vector — the ranks' blocks added by `PairwiseSum` in rank order — and the reduced blocks are gathered
    /// (reduce-scatter then all-gather, like a ring all-reduce: 2·(N − 1)/N of the bytes sent per rank).
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        let n = size
        guard n > 1, values.count > 0 else { return }
        let block = (values.count + n - 1) / n
        var send = [Float](repeating: 0, count: block * n)
        var received = [Float](repeating: 0, count: block * n)
        send.withUnsafeMutableBufferPointer { s in _ = s.baseAddress!.update(from: values.baseAddress!, count: values.count) }
        try send.withUnsafeBufferPointer { s in try received.withUnsafeMutableBufferPointer { try allToAll(s, into: $0) } }
        var reduced = [Float](repeating: 0, count: block)
        received.withUnsafeMutableBufferPointer { r in
            let parts = (0..<n).map { r.baseAddress! + $0 * block }
            PairwiseSum.reduce(parts, count: block)
            reduced.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: parts[0], count: block) }
        }
        try reduced.withUnsafeBufferPointer { r in try send.withUnsafeMutableBufferPointer { try allGather(r, into: $0) } }
        send.withUnsafeBufferPointer { s in values.baseAddress!.update(from: s.baseAddress!, count: values.count) }
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
