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

/// A `keel bench` command: its options include `BenchOptions`, and `run()` selects the level and threads, prints
/// what the numbers are measured on, and calls `measure()` (errors as one line).
protocol Benchmark: ParsableCommand {
    var common: BenchOptions { get }
    /// Runs the benchmark and prints its figures.
    func measure() throws
}

extension Benchmark {
    func run() throws {
        try reportingErrors {
            try common.start()
            try measure()
        }
    }

    /// Throws unless `--repeats` is in 1…100,000.
    func validateRepeats(_ repeats: Int) throws {
        guard (1...100_000).contains(repeats) else { throw ValidationError("--repeats must be in 1…100000, got \(repeats)") }
    }
}
