import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// Every layer against PyTorch (layers-torch.json): output, input gradient, parameter gradients and
/// running statistics, within float32 tolerance; plus gradient checks.
struct LayerReferenceTests {
    struct Case: CustomStringConvertible, @unchecked Sendable {
        let object: [String: Any]
        var layer: String { object["layer"] as! String }
        var config: [String: Any] { object["config"] as! [String: Any] }
        var description: String { "\(layer) \(config)" }
        func int(_ key: String) -> Int { (config[key] as! NSNumber).intValue }
        func float(_ key: String) -> Float { (config[key] as! NSNumber).floatValue }
    }

    static let cases = Fixtures.cases("layers-torch.json").map(Case.init)

    /// The layer of a case, with the fixture's parameters and buffers loaded.
    static func makeLayer(_ c: Case) -> any Module {
        var g = KeelRandom(seed: 0)
        let layer: any Module
        switch c.layer {
        case "linear": layer = Linear(c.int("in_features"), c.int("out_features"), generator: &g)
        case "conv2d":
            layer = Conv2d(
                c.int("in_channels"), c.int("out_channels"), kernelSize: c.int("kernel_size"),
                stride: c.int("stride"), padding: c.int("padding"), dilation: c.int("dilation"), generator: &g)
        case "max_pool2d": layer = MaxPool2d(kernelSize: c.int("kernel_size"), stride: c.int("stride"))
        case "avg_pool2d": layer = AvgPool2d(kernelSize: c.int("kernel_size"), stride: c.int("stride"))
        case "batch_norm1d_train": layer = BatchNorm1d(c.int("num_features"), epsilon: c.float("eps"), momentum: c.float("momentum"))
        case "batch_norm2d_train": layer = BatchNorm2d(c.int("num_features"), epsilon: c.float("eps"), momentum: c.float("momentum"))
        case "batch_norm2d_eval": layer = BatchNorm2d(c.int("num_features"), epsilon: c.float("eps"))
        case "layer_norm": layer = LayerNorm(c.config["normalized_shape"] as! [Int], epsilon: c.float("eps"))
        case "group_norm": layer = GroupNorm(groups: c.int("num_groups"), channels: c.int("num_channels"), epsilon: c.float("eps"))
        case "local_response_norm":
            layer = LocalResponseNorm(size: c.int("size"), alpha: c.float("alpha"), beta: c.float("beta"), k: c.float("k"))
        default: fatalError("unknown layer \(c.layer)")
        }
        if let parameters = c.object["parameters"] as? [String: Any], !parameters.isEmpty {
            try! layer.loadStateDict(parameters.mapValues { Fixtures.tensor($0) })
        }
        if let norm = layer as? BatchNorm, c.layer.hasSuffix("_train") {
            // The fixture lists the buffers as they are after the step; the step starts from the defaults.
            norm.runningMean.value = Tensor.zeros([norm.features])
            norm.runningVariance.value = Tensor.ones([norm.features])
            norm.batchesTracked.value = Tensor(0)
        }
        if (c.config["training"] as? Bool) == false { layer.eval() }
        return layer
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ c: Case) {
        let layer = Self.makeLayer(c)
        let input = Fixtures.tensor(c.object["input"]).requiringGradient()
        let output = layer(input)
        let expected = Fixtures.doubles(c.object["output"])
        #expect(output.shape == Fixtures.tensor(c.object["output"]).shape)
        #expect(maxScaledError(output.scalars, expected) < 2e-5, "output of \(c)")
        output.backward(Fixtures.tensor(c.object["upstream"]))
        #expect(maxScaledError(input.gradient!.scalars, Fixtures.doubles(c.object["grad_input"])) < 2e-5, "grad input of \(c)")
        let named = Dictionary(uniqueKeysWithValues: layer.namedParameters.map { ($0.name, $0.parameter) })
        for (name, value) in (c.object["grad_parameters"] as? [String: Any]) ?? [:] {
            #expect(maxScaledError(named[name]!.grad!.scalars, Fixtures.doubles(value)) < 2e-5, "grad \(name) of \(c)")
        }
        let buffers = Dictionary(uniqueKeysWithValues: layer.namedBuffers.map { ($0.name, $0.buffer) })
        for (name, value) in (c.object["state_after"] as? [String: Any]) ?? [:] {
            #expect(maxScaledError(buffers[name]!.value.scalars, Fixtures.doubles(value)) < 2e-5, "\(name) of \(c)")
        }
    }

    @Test(arguments: cases.filter { $0.layer != "max_pool2d" })
    func gradientCheck(_ c: Case) {
        let layer = Self.makeLayer(c)
        let input = Fixtures.tensor(c.object["input"])
        let result = GradientCheck(step: 1e-2, absoluteTolerance: 3e-3, relativeTolerance: 3e-3)
            .run([input], parameters: layer.parameters) { layer($0[0]) }
        #expect(result.passed, "\(c): \(result)")
    }
}
