import Foundation

/// Joining the process group a command was started in: `mpirun` (detected from Open MPI's `OMPI_COMM_WORLD_SIZE`)
/// or `--distributed` joins MPI's world; otherwise the process is a group of one.
public enum ProcessGroup {
    /// Whether Open MPI's launcher started this process (`OMPI_COMM_WORLD_SIZE` is set).
    public static var startedByMPIRun: Bool { ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil }

    /// Ranks on this machine (`OMPI_COMM_WORLD_LOCAL_SIZE`; 1 when not started by `mpirun`).
    public static var localRanks: Int {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
    }

    /// The group to join: MPI's world when started by `mpirun` or when `distributed` is true (then a missing Open
    /// MPI is a one-line error), else one process.
    public static func join(distributed: Bool = false) throws -> any Communicator {
        guard distributed || startedByMPIRun else { return SingleProcessCommunicator() }
        return try MPICommunicator()
    }
}
