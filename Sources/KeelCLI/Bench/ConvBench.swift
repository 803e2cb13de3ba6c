import ArgumentParser
import Foundation
import Keel

/// `keel bench conv`: forward and backward time of the reference CNN's two convolution layers
/// (batch 64: conv1 1→32 on 28×28 and, after a 2×2 max-pool, conv2 32→64 on 13×13; 3×3, stride 1, no padding).
struct ConvBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "conv", abstract: "Forward/backward time of the reference CNN's conv layers.")

    @Option(help: "Batch size.") var batch: Int = 64
    @OptionGroup var common: BenchOptions
    @Option(help: "Timed repetitions (best is reported).") var repeats: Int = 30

    func validate() throws {
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be in 1…4096, got \(batch)") }
        try validateRepeats(repeats)
    }

    struct Layer {
        let name: String
        let inChannels, outChannels, size: Int
    }

    func measure() throws {
        let t = Parallel.threadCount
        let layers = [
            Layer(name: "conv1", inChannels: 1, outChannels: 32, size: 28),
            Layer(name: "conv2", inChannels: 32, outChannels: 64, size: 13),
        ]
        var generator = KeelRandom(seed: 7)
        for layer in layers {
            let x = Tensor.normal([batch, layer.inChannels, layer.size, layer.size], generator: &generator)
            let w = Parameter(Tensor.normal([layer.outChannels, layer.inChannels, 3, 3], std: 0.1, generator: &generator))
            let b = Parameter(Tensor.zeros([layer.outChannels]))
            let xInput = Parameter(x)
            let outSize = layer.size - 2
            let flops = 2.0 * Double(batch * layer.outChannels * outSize * outSize * layer.inChannels * 9)
            let forward = bestTime(repeats: repeats) {
                _ = withoutGradients { conv2d(x, weight: w.value, bias: b.value) }
            }
            let upstream = Tensor.normal([batch, layer.outChannels, outSize, outSize], generator: &generator)
            // Backward alone: the time of a forward+backward minus the forward.
            let both = bestTime(repeats: repeats) {
                let y = conv2d(xInput.value, weight: w.value, bias: b.value)
                y.backward(upstream)
                w.zeroGrad()
                b.zeroGrad()
                xInput.zeroGrad()
            }
            let backward = max(both - forward, 0)
            if common.json {
                print(
                    jsonObject([
                        ("benchmark", "conv"), ("layer", layer.name), ("batch", batch), ("threads", t),
                        ("forward_ms", forward * 1e3), ("backward_ms", backward * 1e3),
                        ("forward_backward_ms", both * 1e3),
                        ("forward_gflops", flops / forward / 1e9),
                        ("backward_gflops", 2 * flops / max(backward, 1e-12) / 1e9),
                    ]))
            } else {
                print(
                    String(
                        format:
                            "%@ %d→%d 3×3 on %d×%d×%d, batch %d, %d thread(s): forward %.2f ms (%.1f GFLOPS), backward %.2f ms, forward+backward %.2f ms",
                        layer.name, layer.inChannels, layer.outChannels, layer.inChannels, layer.size, layer.size,
                        batch, t, forward * 1e3, flops / forward / 1e9, backward * 1e3, both * 1e3))
            }
        }
    }
}
