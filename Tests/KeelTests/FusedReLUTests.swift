import KeelTestSupport
import Testing

@testable import Keel

/// A batch norm or a residual block followed by a ReLU layer runs as one fused op inside `Sequential`; each must give
/// exactly the separate ops' bits — output, input gradient and parameter gradients — at every kernel level.
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
}
