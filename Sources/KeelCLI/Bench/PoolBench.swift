import ArgumentParser
import Keel

/// `keel bench pool`: 2×2 max pooling of the reference CNN's two feature maps, forward and backward.
struct PoolBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Milliseconds of the reference CNN's 2×2 max pooling, forward and backward.")

    @Option(help: "Images per batch.") var batch = 64
    @OptionGroup var common: BenchOptions
    @Option(help: "Timed repetitions (best is reported).") var repeats = 20

    func validate() throws {
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be in 1…4096, got \(batch)") }
        try validateRepeats(repeats)
    }

    func measure() throws {
        let t = Parallel.threadCount
        var generator = KeelRandom(seed: 3)
        for (name, channels, size) in [("pool1", 32, 26), ("pool2", 64, 11)] {
            let x = Parameter(Tensor.normal([batch, channels, size, size], generator: &generator))
            let forward = bestTime(repeats: repeats) { _ = withoutGradients { maxPool2d(x.value, kernelSize: (2, 2)) } }
            let upstream = Tensor.normal([batch, channels, size / 2, size / 2], generator: &generator)
            let both = bestTime(repeats: repeats) {
                maxPool2d(x.value, kernelSize: (2, 2)).backward(upstream)
                x.zeroGrad()
            }
            if common.json {
                print(
                    jsonObject([
                        ("benchmark", "pool"), ("layer", name), ("batch", batch), ("threads", t),
                        ("forward_ms", forward * 1e3), ("forward_backward_ms", both * 1e3),
                    ]))
            } else {
                print(
                    String(
                        format: "%@ 2×2 max pooling of %d×%d×%d, batch %d, %d thread(s): forward %.3f ms, forward+backward %.3f ms",
                        name, channels, size, size, batch, t, forward * 1e3, both * 1e3))
            }
        }
    }
}
