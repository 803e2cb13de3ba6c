import ArgumentParser
import Foundation
import Keel
import KeelDistributed

/// `--distributed`: joining the MPI world. A command started by `mpirun` joins it without the flag.
struct ProcessGroupOptions: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Join the MPI world (Open MPI, loaded at run time) and run data-parallel; automatic under mpirun, e.g. `mpirun -np 2 "
                + "keel train`: each rank takes its shards of every batch (--batch-size stays the global batch), rank 0 writes "
                + "the outputs, and each rank uses cores/ranks threads unless --threads is given."))
    var distributed = false

    /// Runs `body` in the process group (one process unless started by mpirun or with --distributed). Under MPI a
    /// rank that fails prints its error and ends every rank (MPI_Abort), so none waits for it; the others leave MPI
    /// normally. Threads per rank default to the cores shared among this machine's ranks.
    func run(threadsGiven: Bool, _ body: (any Communicator) throws -> Void) throws {
        var joined: (any Communicator)?
        try reportingErrors { joined = try ProcessGroup.join(distributed: distributed) }
        guard let group = joined as? MPICommunicator else { return try body(joined ?? SingleProcessCommunicator()) }
        if !threadsGiven { Parallel.threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount / ProcessGroup.localRanks) }
        do {
            try body(group)
        } catch let error as ExitCode where error.rawValue == 130 {
            // Interrupted: every rank stopped after the same update (rank 0 wrote the checkpoint).
            group.leave()
            throw error
        } catch {
            // Most failures (a bad setting, a missing file) happen on every rank alike: rank 0 reports first and ends
            // the job, so one message is printed; a rank that fails alone reports 3 s later.
            if group.rank != 0 {
                // Training's handlers would turn the launcher's SIGTERM into a graceful stop; here it should just end us.
                signal(SIGTERM, SIG_DFL)
                signal(SIGINT, SIG_DFL)
                let until = ProcessInfo.processInfo.systemUptime + 3
                while ProcessInfo.processInfo.systemUptime < until { usleep(100_000) }
            }
            var status: Int32 = 1
            do { try reportingErrors { throw error } } catch let code as ExitCode { status = code.rawValue } catch {}
            FileHandle.standardError.write(Data("rank \(group.rank) of \(group.size) failed; ending every rank\n".utf8))
            group.abort(status)
        }
        group.leave()
    }
}
