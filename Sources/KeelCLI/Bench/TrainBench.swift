import ArgumentParser
import Keel
import KeelDistributed
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
    @OptionGroup(title: "Data-parallel training") var group: ProcessGroupOptions

    /// Under mpirun each rank trains on its share of every batch (--batch-size is the global batch) and the gradients
    /// are summed over the ranks as `keel train` sums them; the figure is the global samples/s.
    func run() throws {
        try group.run(threadsGiven: common.threads != nil) { communicator in
            if communicator.isLeader {
                try common.start()
            } else {
                try common.kernels.apply()
                if let threads = common.threads { Parallel.threadCount = threads }
            }
            try measure(communicator)
        }
    }

    func validate() throws {
        guard (1...65536).contains(batchSize) else { throw ValidationError("--batch-size must be in 1…65536, got \(batchSize)") }
        guard seconds > 0 && seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600], got \(seconds)") }
    }

    func measure() throws { try measure(SingleProcessCommunicator()) }

    func measure(_ communicator: any Communicator) throws {
        let t = Parallel.threadCount
        let ranks = communicator.size
        guard batchSize % ranks == 0 else { throw CLIError("--batch-size \(batchSize) does not divide among \(ranks) ranks") }
        var generator = KeelRandom(seed: 1)
        let shape = model.typicalInputShape
        let network = model.make(inputShape: shape, classes: 10, generator: &generator)
        let optimizer = SGD(network.namedParameters, learningRate: 0.01, momentum: 0.9)
        // A fixed pool of random batches, cycled (the data pipeline is not what is measured here); each rank its share.
        let local = batchSize / ranks
        generator = KeelRandom(seed: 1, stream: [UInt64(communicator.rank)])
        let pool = (0..<8).map { _ in
            (
                Tensor.normal([local] + shape, generator: &generator),
                (0..<local).map { _ in Int32(generator.next() % 10) }
            )
        }
        let reducer = ranks > 1 ? GradientReducer(parameters: network.parameters, communicator: communicator) : nil
        let everyParameter = Array(repeating: true, count: network.parameters.count)
        func step(_ i: Int) throws {
            let (x, y) = pool[i % pool.count]
            optimizer.zeroGrad()
            reducer?.begin()
            OpProfiler.mark("zero grad, batch")
            let loss = crossEntropy(logits: network(x), labels: y)
            (ranks > 1 ? loss * (Float(local) / Float(batchSize)) : loss).backward()
            if let reducer {
                reducer.addShard()
                try reducer.finish(presentAnywhere: everyParameter)
                OpProfiler.mark("all-reduce")
            }
            optimizer.step()
            OpProfiler.mark("optimizer step")
        }
        for i in 0..<10 { try step(i) }
        // Best of several timed windows; the ranks run the same number of steps (rank 0 decides it from the warm-up).
        var best = 0.0
        let windowSeconds = seconds / 3
        let warm = now()
        for i in 0..<5 { try step(i) }
        var perWindow = [Float(max(1, min(1_000_000, windowSeconds / max(now() - warm, 1e-9) * 5)).rounded())]
        try communicator.broadcast(&perWindow, from: 0)
        for _ in 0..<3 {
            let start = now()
            for i in 0..<Int(perWindow[0]) { try step(i) }
            best = max(best, Double(Int(perWindow[0]) * batchSize) / (now() - start))
        }
        if profile && ranks == 1 { printProfile { try? step($0) } }
        guard communicator.isLeader else { return }
        if common.json {
            print(
                jsonObject([
                    ("benchmark", "train"), ("model", model.rawValue), ("input", shape.map(String.init).joined(separator: "x")),
                    ("batch_size", batchSize), ("ranks", ranks),
                    ("threads", t), ("samples_per_second", best),
                ]))
        } else {
            let input = shape.map(String.init).joined(separator: "×")
            let processes = ranks > 1 ? "\(ranks) ranks × " : ""
            print(
                String(
                    format: "train %@ on %@, batch %d, %@%d thread(s): %.0f samples/s", model.rawValue, input, batchSize, processes, t, best))
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
