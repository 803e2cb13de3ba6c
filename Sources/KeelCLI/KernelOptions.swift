import ArgumentParser
import Keel

/// `--cpu LEVEL`, shared by every command that computes: the instruction-set level of Keel's kernels.
struct KernelOptions: ParsableArguments {
    @Option(
        name: .customLong("cpu"),
        help: ArgumentHelp(
            "Kernel level: portable, avx2 or avx512, at most what the CPU supports (default: $KEEL_CPU, else the "
                + "highest the CPU has). Every level gives the same results; only the speed differs.", valueName: "level"))
    var cpu: String?

    /// Selects the level for the whole process; an unknown or unsupported one (flag or KEEL_CPU) is an error.
    func apply() throws {
        if let cpu {
            guard let level = KernelLevel(name: cpu) else {
                throw CLIError("--cpu \(cpu): not a kernel level (use \(KernelLevel.allCases.map(\.name).joined(separator: ", ")))")
            }
            do {
                try KernelLevel.select(level)
            } catch {
                throw CLIError("--cpu \(cpu): this CPU supports \(KernelLevel.available.map(\.name).joined(separator: ", ")) only")
            }
        } else if let problem = KernelLevel.environmentProblem {
            throw CLIError(problem)
        }
    }
}
