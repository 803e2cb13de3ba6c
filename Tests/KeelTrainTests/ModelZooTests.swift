import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelTrain

/// The model zoo: parameter counts (ResNet-20's is the paper's, as PyTorch counts it), the counts computed without
/// building the model agree with the built ones, every model trains a step on images of its typical and of other sizes.
struct ModelZooTests {
    @Test func resnet20HasThePapersParameterCount() {
        var g = KeelRandom(seed: 0)
        let model = ReferenceModel.resnet20.make(inputShape: [3, 32, 32], classes: 10, generator: &g)
        #expect(model.parameterCount == 272_474)
        #expect(model.namedParameters.map(\.name).prefix(4) == ["0.weight", "1.weight", "1.bias", "3.body.0.weight"])
        #expect(model.namedParameters.contains { $0.name == "9.shortcut.0.weight" })
    }

    @Test(arguments: ReferenceModel.allCases)
    func countsAgreeAndAStepTrains(_ model: ReferenceModel) throws {
        for (shape, classes) in [(model.typicalInputShape, 10), ([3, 20, 24], 7), ([1, 16, 16], 3)] {
            if let problem = model.problem(inputShape: shape, classes: classes) {
                #expect(problem.contains("at least"), "\(model) \(shape): \(problem)")
                continue
            }
            var g = KeelRandom(seed: 1)
            let network = model.make(inputShape: shape, classes: classes, dropout: 0.1, dropoutSeed: 2, generator: &g)
            let features = shape.reduce(1, *)
            #expect(network.parameterCount == model.parameterCount(inputShape: shape, features: features, classes: classes)! + 0)
            let x = Tensor.normal([2] + shape, generator: &g)
            let loss = crossEntropy(logits: network(x), labels: [0, Int32(classes - 1)])
            #expect(network(x).shape == [2, classes] && loss.scalar.isFinite)
            loss.backward()
            #expect(network.parameters.allSatisfy { $0.grad != nil }, "\(model) \(shape): every parameter gets a gradient")
        }
    }

    @Test func tooSmallImagesAreRefusedBeforeBuilding() {
        #expect(ReferenceModel.lenet5.problem(inputShape: [1, 8, 8], classes: 10)?.contains("at least 12×12") == true)
        #expect(ReferenceModel.resnet20.problem(inputShape: [3, 2, 2], classes: 10)?.contains("at least 4×4") == true)
        #expect(ReferenceModel.vggSmall.problem(inputShape: [784], classes: 10)?.contains("needs images") == true)
    }
}
