import ArgumentParser
import Keel

/// The options every `keel bench` command shares: threads, kernel level and JSON output.
struct BenchOptions: ParsableArguments {
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @OptionGroup var kernels: KernelOptions
    @Flag(help: "Print JSON (one object per measurement) instead of text.") var json = false

    func validate() throws {
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1…1024, got \(threads)") }
    }

    /// Selects the kernel level and thread count, prints what the numbers will be measured on (unless --json),
    /// and returns the thread count.
    @discardableResult
    func start() throws -> Int {
        try kernels.apply()
        if let threads { Parallel.threadCount = threads }
        if !json { print(MachineDescription.line) }
        return Parallel.threadCount
    }
}
