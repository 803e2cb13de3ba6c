import ArgumentParser
import Keel
import KeelDistributed
import KeelTrain

/// `keel bench allreduce`: the time of Keel's deterministic all-reduce of a model's gradient (or any float count)
/// between the ranks of `mpirun` — the communication term of docs/DISTRIBUTED.md's scaling model.
struct AllReduceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Time of the gradient all-reduce between mpirun's ranks (run it under mpirun -np N).")

    @Option(help: "A zoo model whose gradient size to reduce (its parameters on its typical input, 10 classes).") var model: ReferenceModel?
    @Option(help: "Floats to reduce when no --model is given.") var floats = 1 << 18
    @Option(help: "Repetitions timed (the median is reported).") var repeats = 50
    @Flag(help: "Print JSON (one object) instead of text.") var json = false
    @OptionGroup(title: "Data-parallel training") var group: ProcessGroupOptions

    func validate() throws {
        guard (1...(1 << 28)).contains(floats) else { throw ValidationError("--floats must be in 1…2²⁸, got \(floats)") }
        guard (1...100_000).contains(repeats) else { throw ValidationError("--repeats must be in 1…100000, got \(repeats)") }
    }

    func run() throws {
        try group.run(threadsGiven: true) { communicator in
            var count = floats
            if let model {
                var generator = KeelRandom(seed: 1)
                count = model.make(inputShape: model.typicalInputShape, classes: 10, generator: &generator).parameterCount
            }
            var values = [Float](repeating: 1, count: count)
            var scratch = AllReduceScratch()
            var times: [Double] = []
            for i in 0..<(repeats + 5) {
                try communicator.barrier()
                let start = now()
                try values.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0, scratch: &scratch) }
                if i >= 5 { times.append(now() - start) }
                for j in values.indices { values[j] = 1 }
            }
            guard communicator.isLeader else { return }
            let median = times.sorted()[times.count / 2]
            let bytes = Double(count * 4)
            if json {
                print(
                    jsonObject([
                        ("benchmark", "allreduce"), ("model", model?.rawValue ?? "none"), ("floats", count), ("ranks", communicator.size),
                        ("microseconds", median * 1e6),
                        ("algorithm_bytes_per_second", 2 * Double(communicator.size - 1) / Double(communicator.size) * bytes / median),
                    ]))
            } else {
                print(
                    String(
                        format: "all-reduce of %d floats (%.2f MB) over %d ranks: %.1f µs (median of %d)", count, bytes / 1e6, communicator.size,
                        median * 1e6, repeats))
            }
        }
    }
}
