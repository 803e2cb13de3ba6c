import ArgumentParser
import Keel
import KeelTrain

/// `keel bench train`: steady-state training throughput (forward, cross-entropy, backward, SGD step) of a
/// reference model on MNIST-shaped batches.
struct TrainBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Steady-state training samples/s of a reference model.")

    @Option(help: "A zoo model (`keel models`), on its typical input: 1×28×28 for mlp, cnn and lenet5, 3×32×32 otherwise.") var model:
        ReferenceModel = .cnn
    @Option(help: "Samples per batch.") var batchSize = 64
    @OptionGroup var common: BenchOptions
    @Option(help: "Seconds to measure (after warm-up).") var seconds: Double = 3
    @Flag(help: "Also print where a step's time goes, op by op (forward and backward), from 10 profiled steps.") var profile = false

    func validate() throws {
        guard (1...65536).contains(batchSize) else { throw ValidationError("--batch-size must be in 1…65536, got \(batchSize)") }
        guard seconds > 0 && seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600], got \(seconds)") }
    }

    func measure() throws {
        let t = Parallel.threadCount
        var generator = KeelRandom(seed: 1)
        let shape = model.typicalInputShape
        let network = model.make(inputShape: shape, classes: 10, generator: &generator)
        let optimizer = SGD(network.namedParameters, learningRate: 0.01, momentum: 0.9)
        // A fixed pool of random batches, cycled (the data pipeline is not what is measured here).
        let pool = (0..<8).map { _ in
            (
                Tensor.normal([batchSize] + shape, generator: &generator),
                (0..<batchSize).map { _ in Int32(generator.next() % 10) }
            )
        }
        func step(_ i: Int) {
            let (x, y) = pool[i % pool.count]
            optimizer.zeroGrad()
            OpProfiler.mark("zero grad, batch")
            let loss = crossEntropy(logits: network(x), labels: y)
            loss.backward()
            optimizer.step()
            OpProfiler.mark("optimizer step")
        }
        for i in 0..<10 { step(i) }
        // Best of several timed windows.
        var best = 0.0
        let windowSeconds = seconds / 3
        for _ in 0..<3 {
            var iterations = 0
            let start = now()
            while now() - start < windowSeconds {
                step(iterations)
                iterations += 1
            }
            best = max(best, Double(iterations * batchSize) / (now() - start))
        }
        if profile { printProfile(step) }
        if common.json {
            print(
                jsonObject([
                    ("benchmark", "train"), ("model", model.rawValue), ("input", shape.map(String.init).joined(separator: "x")),
                    ("batch_size", batchSize),
                    ("threads", t), ("samples_per_second", best),
                ]))
        } else {
            let input = shape.map(String.init).joined(separator: "×")
            print(String(format: "train %@ on %@, batch %d, %d thread(s): %.0f samples/s", model.rawValue, input, batchSize, t, best))
        }
    }

    /// The op-by-op split of 10 steps, as a table (or JSON lines).
    func printProfile(_ step: (Int) -> Void) {
        let (_, entries) = OpProfiler.profile { for i in 0..<10 { step(i) } }
        let total = entries.reduce(0) { $0 + $1.totalSeconds }
        for e in entries {
            if common.json {
                print(
                    jsonObject([
                        ("profile", e.op), ("forward_seconds", e.forwardSeconds / 10), ("backward_seconds", e.backwardSeconds / 10),
                        ("share", e.totalSeconds / total),
                    ]))
            } else {
                // Per step: the 10 steps' seconds × 100 are milliseconds per step.
                print(
                    "  " + e.op.padding(toLength: 28, withPad: " ", startingAt: 0)
                        + String(
                            format: "forward %7.2f ms  backward %7.2f ms  %5.1f %%", e.forwardSeconds * 100, e.backwardSeconds * 100,
                            100 * e.totalSeconds / total))
            }
        }
    }
}
