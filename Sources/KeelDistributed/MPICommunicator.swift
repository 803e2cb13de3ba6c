/// The ranks started by `mpirun`, through Open MPI loaded at run time (`MPILibrary`).
///
/// Joining calls `MPI_Init_thread` (only the thread that joined calls MPI: `MPI_THREAD_FUNNELED`). MPI's default
/// error handler stays: a failed call ends the job with MPI's message, and when a rank dies `mpirun` ends the
/// others. Call `leave()` after the last collective, or `abort(_:)` to end every rank at once.
public final class MPICommunicator: Communicator {
    private let library: MPILibrary
    /// This process's rank in `MPI_COMM_WORLD`.
    public let rank: Int
    /// The number of ranks in `MPI_COMM_WORLD`.
    public let size: Int
    private var hasLeft = false

    /// Joins `MPI_COMM_WORLD`; throws a one-line error when Open MPI cannot be loaded or initialized.
    public init() throws {
        library = try MPILibrary.load()
        var provided: Int32 = 0
        let funneled: Int32 = 1
        guard library.initThread(nil, nil, funneled, &provided) == 0 else { throw DistributedError("MPI_Init_thread failed") }
        var value: Int32 = 0
        guard library.commRank(library.world, &value) == 0 else { throw DistributedError("MPI_Comm_rank failed") }
        rank = Int(value)
        guard library.commSize(library.world, &value) == 0 else { throw DistributedError("MPI_Comm_size failed") }
        size = Int(value)
    }

    /// MPI_Allgather of floats.
    public func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        precondition(receive.count == send.count * size, "allGather: receive holds \(receive.count) floats, not \(size) × \(send.count)")
        let count = try Self.count(send.count)
        guard count > 0 else { return }
        try check(
            library.allGather(send.baseAddress!, count, library.float, receive.baseAddress!, count, library.float, library.world),
            "MPI_Allgather")
    }

    /// MPI_Alltoall of floats.
    public func allToAll(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) throws {
        precondition(send.count % size == 0 && receive.count == send.count, "allToAll: \(send.count) floats do not split into \(size) blocks")
        let count = try Self.count(send.count / size)
        guard count > 0 else { return }
        try check(
            library.allToAll(send.baseAddress!, count, library.float, receive.baseAddress!, count, library.float, library.world),
            "MPI_Alltoall")
    }

    /// Two ranks: `MPI_Allreduce` with `MPI_SUM` — one addition per element, and IEEE addition is commutative, so
    /// both ranks get rank 0's + rank 1's, the tree's bits. More ranks: the tree (`treeAllReduceSum`), since MPI's
    /// reduction order for three or more is its own.
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>, scratch: inout AllReduceScratch) throws {
        guard size == 2 else { return try treeAllReduceSum(values, scratch: &scratch) }
        let count = try Self.count(values.count)
        guard count > 0 else { return }
        try check(
            library.allReduce(MPILibrary.inPlace, values.baseAddress!, count, library.float, library.sum, library.world), "MPI_Allreduce")
    }

    /// MPI_Bcast of floats.
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {
        let count = try Self.count(values.count)
        guard count > 0 else { return }
        try check(library.broadcast(values.baseAddress!, count, library.float, Int32(root), library.world), "MPI_Bcast")
    }

    /// MPI_Barrier.
    public func barrier() throws { try check(library.barrier(library.world), "MPI_Barrier") }

    /// MPI_Finalize: after the last collective, on every rank.
    public func leave() {
        guard !hasLeft else { return }
        hasLeft = true
        _ = library.finalize()
    }

    /// MPI_Abort: ends every rank of the job with `status` (what a rank does when it fails alone, so that none waits).
    public func abort(_ status: Int32) -> Never {
        _ = library.abort(library.world, status)
        fatalError("MPI_Abort returned")
    }

    private func check(_ code: Int32, _ call: String) throws {
        guard code == 0 else { throw DistributedError("rank \(rank): \(call) failed with MPI error \(code)") }
    }

    /// A count MPI's `int` can hold.
    private static func count(_ n: Int) throws -> Int32 {
        guard let value = Int32(exactly: n) else { throw DistributedError("\(n) floats in one MPI call: more than 2³¹ − 1") }
        return value
    }
}
