import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelTrain

/// `keel summary`: parameters as PyTorch counts them, multiply-accumulates of convolutions and linear layers, and
/// output shapes from a forward pass.
struct ModelSummaryTests {
    @Test func theReferenceCNNsCountsAreTheHandComputedOnes() {
        var g = KeelRandom(seed: 0)
        let summary = ModelSummary(ReferenceModel.cnn.make(generator: &g), inputShape: [1, 28, 28])
        #expect(summary.parameters == 225_034 && summary.parameterBytes == 900_136)
        // conv1 32·26·26·9, conv2 64·11·11·288, fc1 1600·128, fc2 128·10.
        #expect(summary.macs == 194_688 + 2_230_272 + 204_800 + 1_280)
        #expect(summary.layers.map(\.name) == (0..<10).map(String.init))
        #expect(summary.layers[2].outputShape == [32, 13, 13] && summary.layers[6].outputShape == [1600])
        #expect(summary.activationBytes == summary.layers.reduce(0) { $0 + $1.outputShape.reduce(1, *) * 4 })
    }

    @Test func resnet20HasTheLiteraturesMultiplyAccumulates() {
        var g = KeelRandom(seed: 0)
        let summary = ModelSummary(ReferenceModel.resnet20.make(inputShape: [3, 32, 32], classes: 10, generator: &g), inputShape: [3, 32, 32])
        #expect(summary.parameters == 272_474 && summary.macs == 40_813_184)
        let block = summary.layers.first { $0.name == "9" }
        #expect(block?.isContainer == true && block?.activationBytes == 0 && block?.outputShape == [32, 16, 16])
        #expect(summary.layers.contains { $0.name == "9.shortcut.0" && $0.macs == 16 * 32 * 16 * 16 })
    }
}
