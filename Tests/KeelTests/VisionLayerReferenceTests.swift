import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// The layers of the standard small vision networks against PyTorch (layers-vision-torch.json, from
/// Scripts/make_vision_layer_references.py): grouped, depthwise and bias-free convolution, padding .same, adaptive
/// average pooling and a residual block with a projection shortcut — output, input gradient and parameter
/// gradients; pooling with ceil mode; plus gradient checks.
struct VisionLayerReferenceTests {
    static let cases = Fixtures.cases("layers-vision-torch.json").map(LayerReferenceTests.Case.init)

    /// A ResNet basic block: conv 3×3 (stride) – BN – ReLU – conv 3×3 – BN, plus a 1×1 conv + BN projection when the
    /// shape changes.
    static func basicBlock(_ cin: Int, _ cout: Int, stride: Int, generator g: inout KeelRandom) -> Residual {
        let shortcut: (any Module)? =
            stride != 1 || cin != cout
            ? Sequential([Conv2d(cin, cout, kernelSize: 1, stride: stride, bias: false, generator: &g), BatchNorm2d(cout)]) : nil
        return Residual(
            Sequential([
                Conv2d(cin, cout, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &g), BatchNorm2d(cout), ReLU(),
                Conv2d(cout, cout, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(cout),
            ]), shortcut: shortcut)
    }

    static func makeLayer(_ c: LayerReferenceTests.Case) -> any Module {
        var g = KeelRandom(seed: 0)
        let layer: any Module
        switch c.layer {
        case "conv2d":
            layer = Conv2d(
                c.int("in_channels"), c.int("out_channels"), kernelSize: c.int("kernel_size"), stride: c.int("stride"),
                padding: c.int("padding"), dilation: c.int("dilation"), groups: c.int("groups"), bias: c.config["bias"] as! Bool,
                generator: &g)
        case "conv2d_same":
            layer = Conv2d(
                c.int("in_channels"), c.int("out_channels"), kernelSize: c.int("kernel_size"), padding: .same,
                dilation: c.int("dilation"), bias: c.config["bias"] as! Bool, generator: &g)
        case "adaptive_avg_pool2d":
            let size = c.config["output_size"] as! [Int]
            layer = AdaptiveAvgPool2d(height: size[0], width: size[1])
        case "max_pool2d":
            layer = MaxPool2d(kernelSize: c.int("kernel_size"), stride: c.int("stride"), padding: c.int("padding"), ceilMode: true)
        case "avg_pool2d":
            layer = AvgPool2d(
                kernelSize: c.int("kernel_size"), stride: c.int("stride"), padding: c.int("padding"),
                countIncludePad: c.config["count_include_pad"] as! Bool, ceilMode: true)
        case "residual": layer = basicBlock(c.int("in_channels"), c.int("out_channels"), stride: c.int("stride"), generator: &g)
        default: fatalError("unknown layer \(c.layer)")
        }
        if let parameters = c.object["parameters"] as? [String: Any], !parameters.isEmpty {
            try! layer.loadStateDict(parameters.mapValues { Fixtures.tensor($0) })
        }
        return layer
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ c: LayerReferenceTests.Case) {
        let layer = Self.makeLayer(c)
        let input = Fixtures.tensor(c.object["input"]).requiringGradient()
        let output = layer(input)
        #expect(output.shape == Fixtures.tensor(c.object["output"]).shape, "shape of \(c)")
        #expect(maxScaledError(output.scalars, Fixtures.doubles(c.object["output"])) < 2e-5, "output of \(c)")
        output.backward(Fixtures.tensor(c.object["upstream"]))
        #expect(maxScaledError(input.gradient!.scalars, Fixtures.doubles(c.object["grad_input"])) < 2e-5, "grad input of \(c)")
        let named = Dictionary(uniqueKeysWithValues: layer.namedParameters.map { ($0.name, $0.parameter) })
        #expect(Set(named.keys) == Set(((c.object["grad_parameters"] as? [String: Any]) ?? [:]).keys), "parameter names of \(c)")
        for (name, value) in (c.object["grad_parameters"] as? [String: Any]) ?? [:] {
            #expect(maxScaledError(named[name]!.grad!.scalars, Fixtures.doubles(value)) < 2e-5, "grad \(name) of \(c)")
        }
    }

    @Test(arguments: cases.filter { $0.layer != "residual" && $0.layer != "max_pool2d" })
    func gradientCheck(_ c: LayerReferenceTests.Case) {
        let layer = Self.makeLayer(c)
        let result = GradientCheck(step: 1e-2, absoluteTolerance: 3e-3, relativeTolerance: 3e-3)
            .run([Fixtures.tensor(c.object["input"])], parameters: layer.parameters) { layer($0[0]) }
        #expect(result.passed, "\(c): \(result)")
    }

    /// A residual block in evaluation mode (running statistics, so the check sees a fixed function), with SiLU in
    /// place of ReLU (finite differences across ReLU's kink say nothing about the connection).
    @Test func residualGradientCheck() {
        var g = KeelRandom(seed: 3)
        let block = Residual(
            Sequential([
                Conv2d(2, 4, kernelSize: 3, stride: 2, padding: 1, bias: false, generator: &g), BatchNorm2d(4), SiLU(),
                Conv2d(4, 4, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(4),
            ]), shortcut: Sequential([Conv2d(2, 4, kernelSize: 1, stride: 2, bias: false, generator: &g), BatchNorm2d(4)]))
        block.eval()
        let x = Tensor.normal([2, 2, 5, 5], generator: &g)
        let result = GradientCheck(step: 1e-2, absoluteTolerance: 3e-3, relativeTolerance: 3e-3).run([x], parameters: block.parameters) {
            block($0[0])
        }
        #expect(result.passed, "\(result)")
        #expect(block.children.map(\.name) == ["body", "shortcut"])
        #expect(block.stateDict().map(\.name).prefix(3) == ["body.0.weight", "body.1.weight", "body.1.bias"])
    }

    @Test func globalAveragePoolingAndSamePadding() {
        var g = KeelRandom(seed: 4)
        let x = Tensor.normal([2, 3, 7, 5], generator: &g)
        #expect(AdaptiveAvgPool2d(1)(x).shape == [2, 3, 1, 1])
        #expect(maxScaledError(AdaptiveAvgPool2d(1)(x).scalars, x.mean(axes: [2, 3]).scalars.map(Double.init)) < 1e-6)
        #expect(Conv2d(3, 4, kernelSize: 5, padding: .same, generator: &g)(x).shape == [2, 4, 7, 5])
        #expect(Conv2d(3, 6, kernelSize: 3, groups: 3, bias: false, generator: &g).parameterCount == 6 * 1 * 9)
    }
}
