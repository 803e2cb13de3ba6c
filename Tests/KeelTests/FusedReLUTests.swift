import KeelTestSupport
import Testing

@testable import Keel

/// A batch norm or a residual block followed by a ReLU layer, and a ReLU layer followed by a max pool, run as one fused
/// op inside `Sequential`; each must give exactly the separate ops' bits — output, input gradient and parameter
/// gradients — at every kernel level.
struct FusedReLUTests {
    /// The output and every gradient of `body` on `x` with upstream gradient `upstream`, as bit patterns.
    static func bits(_ x: Tensor, _ upstream: Tensor, _ parameters: [Parameter], _ body: (Tensor) -> Tensor) -> [[UInt32]] {
        let leaf = x.requiringGradient()
        for parameter in parameters { parameter.zeroGrad() }
        let y = body(leaf)
        y.backward(upstream)
        return ([y.scalars, leaf.gradient!.scalars] + parameters.map { $0.grad!.scalars }).map { $0.map(\.bitPattern) }
    }

    /// Expects `Sequential { layer; ReLU() }` to give `layer(x).relu()`'s bits (output and gradients); returns it.
    static func expectFusedMatchesSeparate(
        _ layer: any Module, _ x: Tensor, _ dy: Tensor, _ parameters: [Parameter], _ label: String
    ) -> Sequential {
        let separate = bits(x, dy, parameters) { layer($0).activation(.relu) }
        let fused = Sequential([layer, ReLU()])
        let same = bits(x, dy, parameters) { fused($0) } == separate
        #expect(same, "\(label): fused + ReLU differs from the separate ops")
        return fused
    }

    @Test(arguments: KernelLevel.available)
    func batchNormThenReLU(level: KernelLevel) {
        KernelLevel.with(level) {
            var g = KeelRandom(seed: 21)
            // Width 37 leaves a tail after the 16-lane blocks; the bias pushes about half the outputs below zero.
            let shape = [3, 4, 5, 37]
            let norm = BatchNorm2d(4)
            norm.weight!.value = Tensor.normal([4], generator: &g)
            norm.bias!.value = Tensor.normal([4], generator: &g) * 0.5
            let x = Tensor.normal(shape, generator: &g) * 2 + 1
            var upstream = Tensor.normal(shape, generator: &g).scalars
            upstream[3] = -0.0
            let dy = Tensor(shape: shape, scalars: upstream)
            let fused = Self.expectFusedMatchesSeparate(norm, x, dy, [norm.weight!, norm.bias!], "batch norm at \(level)")
            // Both ways update the running statistics.
            #expect(norm.batchesTracked.value.scalars == [2])
            // Not training: the running statistics, then the ReLU, still one output.
            norm.isTraining = false
            let evaluated = withoutGradients { fused(x).scalars }
            let expected = withoutGradients { norm(x).activation(.relu).scalars }
            #expect(evaluated.map(\.bitPattern) == expected.map(\.bitPattern))
        }
    }

    @Test(arguments: KernelLevel.available)
    func residualThenReLU(level: KernelLevel) {
        KernelLevel.with(level) {
            var g = KeelRandom(seed: 22)
            let conv = Conv2d(3, 3, kernelSize: 3, padding: 1, generator: &g)
            let block = Residual(Sequential([conv]))
            var scalars = Tensor.normal([2, 3, 6, 5], generator: &g).scalars
            scalars[7] = .nan
            scalars[11] = -0.0
            let x = Tensor(shape: [2, 3, 6, 5], scalars: scalars)
            let dy = Tensor.normal([2, 3, 6, 5], generator: &g)
            let fused = Self.expectFusedMatchesSeparate(block, x, dy, [conv.weight, conv.bias!], "residual at \(level)")
            // The NaN input stays NaN through the fused op; the input's gradient sums both paths.
            #expect(withoutGradients { fused(x) }.scalars[7].isNaN)
        }
    }

    /// x with −0, exact zeros, ties and negative windows planted among normal values, and NaN at `nans`.
    static func awkwardInput(_ shape: [Int], nans: [Int] = [], _ g: inout KeelRandom) -> Tensor {
        var scalars = Tensor.normal(shape, generator: &g).scalars
        for i in stride(from: 0, to: scalars.count, by: 7) { scalars[i] = -0.0 }
        for i in stride(from: 3, to: scalars.count, by: 11) { scalars[i] = 0 }
        for i in stride(from: 5, to: scalars.count - 1, by: 13) { scalars[i + 1] = scalars[i] }
        for i in stride(from: 0, to: min(4 * shape[3], scalars.count), by: 1) { scalars[i] = -abs(scalars[i]) - 1 }
        for i in nans { scalars[i] = .nan }
        return Tensor(shape: shape, scalars: scalars)
    }

    @Test(arguments: KernelLevel.available)
    func reluThenMaxPool(level: KernelLevel) {
        KernelLevel.with(level) {
            var g = KeelRandom(seed: 23)
            // 2 × 2 stride 2 (the C kernel: 8-wide blocks and a short last block at width 37), and overlapping padded
            // windows (the general path); without NaN, with one a window reads (which sends the C kernel's planes
            // to the general path), and with one only in the last column, which no 2 × 2 window reads.
            let pools = [MaxPool2d(kernelSize: 2), MaxPool2d(kernelSize: 3, stride: 1, padding: 1)]
            let (read, unread) = ([2 * 3 * 6 * 37 / 2], [3 * 37 - 1])
            for (pool, nans) in [(pools[0], []), (pools[0], read), (pools[0], unread), (pools[1], []), (pools[1], read + unread)] {
                let x = Self.awkwardInput([2, 3, 6, 37], nans: nans, &g)
                let fused = Sequential([ReLU(), pool])
                let dy = Tensor.normal(withoutGradients { fused(x) }.shape, generator: &g) * 2
                let separate = Self.bits(x, dy, []) { pool($0.activation(.relu)) }
                let same = Self.bits(x, dy, []) { fused($0) } == separate
                #expect(same, "ReLU + max pool \(pool.kernelSize) at \(level), NaN at \(nans): fused differs from the separate ops")
            }
            // After a convolution: the convolution runs without its own fused ReLU; its gradients are unchanged.
            let conv = Conv2d(3, 4, kernelSize: 3, padding: 1, generator: &g)
            let x = Self.awkwardInput([2, 3, 6, 37], &g)
            let network = Sequential([conv, ReLU(), MaxPool2d(kernelSize: 2)])
            let dy = Tensor.normal([2, 4, 3, 18], generator: &g)
            let separate = Self.bits(x, dy, [conv.weight, conv.bias!]) { maxPool2d(conv($0).activation(.relu), kernelSize: (2, 2)) }
            let same = Self.bits(x, dy, [conv.weight, conv.bias!]) { network($0) } == separate
            #expect(same, "convolution, ReLU, max pool at \(level): fused differs from the separate ops")
        }
    }
}
