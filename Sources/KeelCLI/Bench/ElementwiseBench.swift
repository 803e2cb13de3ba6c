import ArgumentParser
import Foundation
import Keel

/// `keel bench elementwise`: throughput of element-wise ops and reductions over a large tensor.
struct ElementwiseBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "elementwise", abstract: "Throughput of element-wise ops and reductions (Gelem/s).")

    @Option(help: "Elements per tensor.") var count: Int = 1 << 22
    @OptionGroup var common: BenchOptions
    @Option(help: "Timed repetitions (best is reported).") var repeats: Int = 20

    func validate() throws {
        guard (1...(1 << 28)).contains(count) else { throw ValidationError("--count must be in 1…268435456, got \(count)") }
        try validateRepeats(repeats)
    }

    func measure() throws {
        let t = Parallel.threadCount
        var generator = KeelRandom(seed: 3)
        let a = Tensor.uniform([count], low: 0.5, high: 2, generator: &generator)
        let b = Tensor.uniform([count], low: 0.5, high: 2, generator: &generator)
        let matrix = a.reshaped([count / 1024, 1024])
        let row = b.slice(axis: 0, 0..<1024)
        let ops: [(String, () -> Tensor)] = [
            ("add", { a + b }), ("multiply", { a * b }), ("add_row_broadcast", { matrix + row }),
            ("exp", { a.exp() }), ("log", { a.log() }), ("relu", { a.relu() }),
            ("sum", { a.sum() }), ("sum_axis0", { matrix.sum(axis: 0) }), ("sum_axis1", { matrix.sum(axis: 1) }),
        ]
        for (name, op) in ops {
            let seconds = bestTime(repeats: repeats) { _ = op() }
            let rate = Double(count) / seconds / 1e9
            if common.json {
                print(
                    jsonObject([
                        ("benchmark", "elementwise"), ("op", name), ("count", count), ("threads", t),
                        ("gelements_per_second", rate), ("ms", seconds * 1e3),
                    ]))
            } else {
                print(String(format: "%-18@ %8.3f ms  %6.2f Gelem/s", name, seconds * 1e3, rate))
            }
        }
    }
}
