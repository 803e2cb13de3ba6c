import ArgumentParser
import Foundation

/// Starting this same command again under `mpirun` (for options such as `keel study --ranks N`).
enum MPIRun {
    /// Runs `mpirun -np ranks` on this process's executable and arguments (without `dropping` and its value), waits,
    /// and ends with its exit status. As root it adds `--allow-run-as-root`; `--oversubscribe` lets ranks exceed cores.
    static func again(ranks: Int, dropping option: String) throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        while let i = arguments.firstIndex(where: { $0 == option || $0.hasPrefix(option + "=") }) {
            arguments.removeSubrange(i..<(arguments[i] == option && i + 1 < arguments.count ? i + 2 : i + 1))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        launcher.arguments =
            ["mpirun"] + (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "-np", String(ranks), executable] + arguments
        do { try launcher.run() } catch { throw CLIError("cannot start mpirun (\(error)); install Open MPI (apt-get install openmpi-bin)") }
        launcher.waitUntilExit()
        if launcher.terminationStatus == 127 { throw CLIError("mpirun was not found; install Open MPI (apt-get install openmpi-bin)") }
        throw ExitCode(launcher.terminationStatus)
    }
}
