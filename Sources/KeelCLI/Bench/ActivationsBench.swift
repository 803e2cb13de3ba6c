import ArgumentParser
import Foundation
import Keel

/// `keel bench activations`: forward + backward throughput of every activation over 2²⁰ floats.
struct ActivationsBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "activations", abstract: "Forward+backward throughput of every activation (Gelem/s).")

    @Option(help: "Elements.") var count = 1 << 20
    @OptionGroup var common: BenchOptions
    @Option(help: "Timed repetitions (best is reported).") var repeats = 30

    func validate() throws {
        guard (1...(1 << 28)).contains(count) else { throw ValidationError("--count must be in 1…268435456, got \(count)") }
        try validateRepeats(repeats)
    }

    func measure() throws {
        let t = Parallel.threadCount
        var generator = KeelRandom(seed: 11)
        let x = Tensor.uniform([count], low: -6, high: 6, generator: &generator)
        let upstream = Tensor.uniform([count], low: -1, high: 1, generator: &generator)
        for f in Activation.all {
            let leaf = Parameter(x)
            let seconds = bestTime(repeats: repeats) {
                let y = leaf.value.activation(f)
                y.backward(upstream)
                leaf.zeroGrad()
            }
            let rate = Double(count) / seconds / 1e9
            if common.json {
                print(
                    jsonObject([
                        ("benchmark", "activations"), ("activation", f.name), ("count", count), ("threads", t),
                        ("forward_backward_ms", seconds * 1e3), ("gelements_per_second", rate),
                    ]))
            } else {
                print(f.name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%8.3f ms  %6.2f Gelem/s", seconds * 1e3, rate))
            }
        }
    }
}
