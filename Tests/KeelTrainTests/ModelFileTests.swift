import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelTrain

/// Model files: every zoo model written as a file builds the same network with the same initial weights; reading
/// checks shapes and names the layer's key path and line in every error.
struct ModelFileTests {
    /// The cnn as `keel models show cnn` prints it.
    static let cnn = """
        name: cnn
        input: [1, 28, 28]
        layers:
        - conv2d: {in: 1, out: 32, kernel: 3}
        - relu
        - maxpool2d: {kernel: 2}
        - conv2d: {in: 32, out: 64, kernel: 3}
        - relu
        - maxpool2d: {kernel: 2}
        - flatten
        - linear: {in: 1600, out: 128}
        - relu
        - linear: {in: 128, out: 10}

        """

    @Test(arguments: ReferenceModel.allCases)
    func zooModelsRoundTripWithIdenticalWeights(_ zoo: ReferenceModel) throws {
        for (shape, dropout) in [(zoo.typicalInputShape, Float(0)), (zoo == .mlp ? [13] : [3, 40, 36], 0.25)] {
            var g1 = KeelRandom(seed: 7)
            let built = zoo.make(
                inputShape: shape, classes: 5, activation: .leakyReLU(negativeSlope: 0.2), dropout: dropout, dropoutSeed: 3, generator: &g1)
            let file = try ModelFile(describing: built, input: shape, name: zoo.rawValue)
            let text = try file.yaml()
            let read = try ModelFile.decode(yaml: text)
            #expect(read == file)
            #expect(try read.yaml() == text, "writing what was read gives the same text")
            let checked = try read.check()
            #expect(checked.parameters == built.parameterCount && checked.output == [5])
            var g2 = KeelRandom(seed: 7)
            let rebuilt = try read.make(dropoutSeed: 3, generator: &g2)
            #expect(rebuilt.namedParameters.map(\.name) == built.namedParameters.map(\.name))
            #expect(rebuilt.namedBuffers.map(\.name) == built.namedBuffers.map(\.name))
            for (a, b) in zip(rebuilt.namedParameters, built.namedParameters) {
                #expect(a.parameter.value.scalars == b.parameter.value.scalars, "\(zoo) \(a.name): same initial weights")
            }
            built.eval()
            rebuilt.eval()
            var g = KeelRandom(seed: 1)
            let x = Tensor.normal([2] + shape, generator: &g)
            #expect(rebuilt(x).scalars == built(x).scalars)
        }
    }

    @Test func everyLayerKindBuildsWithTheShapeTheCheckPredicts() throws {
        let text = """
            input: [3, 17, 15]
            layers:
            - conv2d: {in: 3, out: 8, kernel: [3, 5], stride: [2, 1], padding: [1, 2], bias: false}
            - groupnorm: {groups: 2, channels: 8}
            - leaky_relu:0.1
            - conv2d: {in: 8, out: 8, kernel: 3, padding: same, groups: 8, dilation: 2}
            - batchnorm2d: {features: 8, eps: 0.001, momentum: 0.05}
            - local_response_norm: {size: 3}
            - maxpool2d: {kernel: 2, ceil_mode: true}
            - residual:
                body: [{conv2d: {in: 8, out: 12, kernel: 1}}, gelu]
                shortcut: [{conv2d: {in: 8, out: 12, kernel: 1, bias: false}}]
            - avgpool2d: {kernel: 3, stride: 1, padding: 1, count_include_pad: false}
            - layernorm: {shape: [5, 8]}
            - adaptive_avg_pool2d: {size: [2, 3]}
            - identity
            - flatten
            - dropout: {p: 0.3}
            - linear: {in: 72, out: 16}
            - batchnorm1d: {features: 16, affine: false}
            - silu
            - linear: {in: 16, out: 4, bias: false}
            """
        let file = try ModelFile.decode(yaml: text)
        let checked = try file.check()
        var g = KeelRandom(seed: 3)
        let network = try file.make(generator: &g)
        #expect(checked.parameters == network.parameterCount)
        let output = network(Tensor.normal([4, 3, 17, 15], generator: &g))
        #expect(output.shape == [4] + checked.output && checked.output == [4])
        #expect(network.namedParameters.map(\.name).contains("7.shortcut.0.weight"))
        #expect(try ModelFile.decode(yaml: try file.yaml()) == file)
    }

    /// Each broken file gives one line naming the file, the line and the key path.
    @Test(arguments: [
        ("linear: {in: 1600,", "linear: {in: 1500,", "m.yaml:11: layers.7.linear.in: is 1500, but the input has 1600 features"),
        (
            "- flatten", "- identity",
            "layers.7.linear.in: is 1600, but the input [64, 5, 5] has 5 values in its last axis (1600 flattened); put `flatten`"
        ),
        ("{in: 32, out: 64", "{in: 16, out: 64", "m.yaml:7: layers.3.conv2d.in: is 16, but the input [32, 13, 13] has 32 channels"),
        (
            "kernel: 3}\n- relu\n- maxpool2d", "kernel: 3, strid: 2}\n- relu\n- maxpool2d",
            "m.yaml:4: layers.0.conv2d.strid: unknown argument (known here: in, out"
        ),
        ("- relu\n- maxpool2d", "- rellu\n- maxpool2d", "m.yaml:5: layers.1: unknown layer 'rellu'"),
        (
            "{in: 1, out: 32, kernel: 3}", "{in: 1, out: 32, kernel: x}",
            "m.yaml:4: layers.0.conv2d.kernel: expected an integer ≥ 1 or [height, width]"
        ),
        ("{in: 1, out: 32, kernel: 3}", "{in: 1, out: 32}", "layers.0.conv2d.kernel: missing (required)"),
        ("{in: 1, out: 32, kernel: 3}", "{in: 1, out: 32, kernel: 3, stride: 2, padding: same}", "layers.0.conv2d.padding: same needs stride 1"),
        ("{in: 1, out: 32, kernel: 3}", "{in: 1, out: 32, kernel: 30}", "layers.0.conv2d: a kernel 30×30"),
        (
            "- maxpool2d: {kernel: 2}\n- flatten", "- maxpool2d: {kernel: 2, padding: 2}\n- flatten",
            "layers.5.maxpool2d.padding: must be at most half the kernel"
        ),
        ("- flatten", "- flatten\n- dropout: {p: 1.5}", "layers.7.dropout.p: must be in [0, 1), got 1.5"),
        ("- flatten", "- {flatten: null, relu: null}", "layers.6: a layer is one `name: {arguments}` mapping, got 2 keys"),
        ("name: cnn", "name: cnn\nlayer: []", "m.yaml:2: layer: unknown key"),
        ("input: [1, 28, 28]", "input: [1, 0, 28]", "input: expected one sample's shape"),
        (
            "- relu\n- linear: {in: 128", "- residual: {body: [linear: {in: 128, out: 64}]}\n- linear: {in: 128",
            "the body gives [64] but the shortcut (the identity) gives [128]"
        ),
        ("- relu\n- maxpool2d", "- conv2d\n- maxpool2d", "conv2d needs arguments: write `conv2d: {in: …, out: …, kernel: …}`"),
        ("input: [1, 28, 28]", "input: [1, 28, 28", "not YAML"),
    ])
    func brokenFilesNameTheKeyAndLine(_ edit: (String, String, String)) throws {
        let (original, replacement, expected) = edit
        #expect(Self.cnn.contains(original), "the edit applies")
        let text = Self.cnn.replacingOccurrences(of: original, with: replacement)
        do {
            _ = try ModelFile.decode(yaml: text, file: "m.yaml")
            Issue.record("accepted: \(replacement)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test func theDataMustMatchTheFile() throws {
        let file = try ModelFile.decode(yaml: Self.cnn)
        #expect(file.problem(inputShape: [1, 28, 28], classes: 10) == nil)
        #expect(
            file.problem(inputShape: [3, 32, 32], classes: 10)?.contains("takes input [1, 28, 28], but the data's samples have shape [3, 32, 32]")
                == true)
        #expect(file.problem(inputShape: [1, 28, 28], classes: 5)?.contains("ends in output [10], but the data has 5 classes") == true)
    }

    @Test func tooManyParametersAreRefusedWithoutAllocating() {
        let text = Self.cnn.replacingOccurrences(of: "{in: 128, out: 10}", with: "{in: 128, out: 16000000}")
        #expect(throws: RunConfigurationError.self) { try ModelFile.decode(yaml: text) }
    }

    @Test func aRunConfigurationCarriesTheNetwork() throws {
        var c = RunConfiguration()
        c.model.network = try ModelFile.decode(yaml: Self.cnn)
        let text = try c.yaml()
        #expect(try RunConfiguration.decode(yaml: text) == c)
        c.model.architecture = .mlp
        #expect(throws: RunConfigurationError.self) { try c.validate() }
        c.model.architecture = nil
        c.model.dropout = 0.5
        #expect(throws: RunConfigurationError.self) { try c.validate() }
        let broken = text.replacingOccurrences(of: "in: 1600", with: "in: 16")
        do {
            _ = try RunConfiguration.decode(yaml: broken, file: "config.yaml")
            Issue.record("accepted a broken network")
        } catch {
            #expect("\(error)".contains("model.network.layers.7.linear.in: is 16"), "\(error)")
        }
    }
}
