#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The handful of Open MPI functions and handles Keel uses, loaded with `dlopen` at run time (as mlx does), so that
/// building Keel and running it as one process need no MPI. Open MPI's handles (`MPI_COMM_WORLD`, `MPI_FLOAT`) are
/// the addresses of its exported objects (`ompi_mpi_comm_world`, `ompi_mpi_float`).
struct MPILibrary {
    typealias Handle = UnsafeMutableRawPointer
    typealias InitThread = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>) -> Int32
    typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias Collective = @convention(c) (UnsafeRawPointer, Int32, Handle, UnsafeMutableRawPointer, Int32, Handle, Handle) -> Int32
    typealias AllReduce = @convention(c) (UnsafeRawPointer, UnsafeMutableRawPointer, Int32, Handle, Handle, Handle) -> Int32
    typealias Broadcast = @convention(c) (UnsafeMutableRawPointer, Int32, Handle, Int32, Handle) -> Int32
    typealias Barrier = @convention(c) (Handle) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32

    let initThread: InitThread
    let commRank: CommQuery
    let commSize: CommQuery
    let allGather: Collective
    let allToAll: Collective
    let allReduce: AllReduce
    let broadcast: Broadcast
    let barrier: Barrier
    let finalize: Finalize
    let abort: Abort
    /// `MPI_COMM_WORLD`.
    let world: Handle
    /// `MPI_FLOAT`.
    let float: Handle
    /// `MPI_SUM`.
    let sum: Handle
    /// `MPI_IN_PLACE` (Open MPI: the address 1).
    static var inPlace: UnsafeRawPointer { UnsafeRawPointer(bitPattern: 1)! }

    /// The library names tried, in order: `$KEEL_MPI_LIBRARY` alone when set (a path, for an Open MPI installed
    /// elsewhere), else Open MPI's usual names.
    static var names: [String] {
        if let path = getenv("KEEL_MPI_LIBRARY").map({ String(cString: $0) }), !path.isEmpty { return [path] }
        return ["libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "libmpi.dylib"]
    }

    /// Loads Open MPI, or says in one line why it could not.
    static func load() throws -> MPILibrary {
        var handle: UnsafeMutableRawPointer?
        var lastError = ""
        let names = names
        for name in names {
            handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
            if handle != nil { break }
            // The first name's failure is the one to show (the others are other platforms' names).
            if let message = dlerror(), lastError.isEmpty { lastError = String(cString: message) }
        }
        guard let handle else {
            throw DistributedError(
                "MPI was asked for (mpirun or --distributed) but Open MPI's library could not be loaded (\(lastError)); "
                    + "install it (Debian: apt-get install openmpi-bin libopenmpi-dev) or run as one process")
        }
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let address = dlsym(handle, name) else {
                throw DistributedError("\(names[0]) has no symbol \(name): Keel needs Open MPI (other MPI libraries use other handles)")
            }
            return address
        }
        func function<F>(_ name: String, as type: F.Type) throws -> F { unsafeBitCast(try symbol(name), to: type) }
        return MPILibrary(
            initThread: try function("MPI_Init_thread", as: InitThread.self),
            commRank: try function("MPI_Comm_rank", as: CommQuery.self),
            commSize: try function("MPI_Comm_size", as: CommQuery.self),
            allGather: try function("MPI_Allgather", as: Collective.self),
            allToAll: try function("MPI_Alltoall", as: Collective.self),
            allReduce: try function("MPI_Allreduce", as: AllReduce.self),
            broadcast: try function("MPI_Bcast", as: Broadcast.self),
            barrier: try function("MPI_Barrier", as: Barrier.self),
            finalize: try function("MPI_Finalize", as: Finalize.self),
            abort: try function("MPI_Abort", as: Abort.self),
            world: try symbol("ompi_mpi_comm_world"),
            float: try symbol("ompi_mpi_float"),
            sum: try symbol("ompi_mpi_op_sum"))
    }
}

/// A failure to join or talk to the process group, in one line.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String
    /// An error with its message.
    public init(_ description: String) { self.description = description }
}
