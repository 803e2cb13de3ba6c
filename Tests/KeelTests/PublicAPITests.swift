import Foundation
import Keel  // not @testable: everything here must work from another package
import KeelTestSupport
import Testing

/// A model of one's own: layers as stored properties, no `children` written by hand.
private final class TwoLayerNet: Module {
    let fc1: Linear
    let activation = GELU()
    let dropout = Dropout(0.1, seed: 11)
    let fc2: Linear
    let extra: [any Module]
    let scale = Parameter(Tensor([1]))
    var isTraining = true

    init(generator: inout KeelRandom) {
        fc1 = Linear(4, 8, generator: &generator)
        fc2 = Linear(8, 3, generator: &generator)
        extra = [Tanh(), Linear(3, 3, generator: &generator)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        withForwardHooks(x, extra[1](extra[0](fc2(dropout(activation(fc1(x)))))) * scale.value)
    }
}

/// w ← w − lr · sign(∇), with a per-parameter step count in the optimizer state: an optimizer written outside Keel.
private final class SignSGD: Optimizer {
    let parameters: NamedParameters
    var schedule: any LearningRateSchedule
    let state = OptimizerState()

    init(_ parameters: NamedParameters, learningRate: Float) {
        (self.parameters, schedule) = (parameters, ConstantLearningRate(learningRate))
    }

    func update(
        name: String, values: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        shape: [Int], learningRate: Float
    ) {
        _ = nextStep(name)
        let seen = state.pointer(name + ".updates", shape: shape)
        for i in 0..<count {
            values[i] -= learningRate * (gradient[i] > 0 ? 1 : gradient[i] < 0 ? -1 : 0)
            seen[i] += 1
        }
    }
}

struct PublicAPITests {
    @Test func storedPropertiesAreChildrenAndParameters() {
        var g = KeelRandom(seed: 1)
        let net = TwoLayerNet(generator: &g)
        #expect(net.namedParameters.map(\.name) == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "extra.1.weight", "extra.1.bias"])
        #expect(net.children.map(\.name) == ["fc1", "activation", "dropout", "fc2", "extra.0", "extra.1"])
        #expect(net.parameterCount == 1 + 4 * 8 + 8 + 8 * 3 + 3 + 9 + 3)
        net.eval()
        #expect(!net.dropout.isTraining && !net.fc1.isTraining)
    }

    @Test func aCustomOptimizerTrainsAndKeepsItsState() {
        var g = KeelRandom(seed: 2)
        let net = TwoLayerNet(generator: &g)
        let optimizer = SignSGD(net.namedParameters, learningRate: 0.01)
        let x = Tensor.normal([16, 4], generator: &g)
        let labels = (0..<16).map { Int32($0 % 3) }
        var losses: [Float] = []
        for _ in 0..<30 {
            optimizer.zeroGrad()
            let loss = crossEntropy(logits: net(x), labels: labels)
            losses.append(loss.scalar)
            loss.backward()
            optimizer.step()
        }
        #expect(losses.last! < losses.first!)
        #expect(optimizer.state.slots["fc1.weight.updates"]?.scalars.allSatisfy { $0 == 30 } == true)
        #expect(optimizer.state.slots["fc1.weight.step"]?.scalars == [30])
    }

    @Test func modelsSaveAndLoadTheirWeights() throws {
        var g = KeelRandom(seed: 3)
        var h = KeelRandom(seed: 4)
        let (a, b) = (TwoLayerNet(generator: &g), TwoLayerNet(generator: &h))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keel-public-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.save(to: url)
        try b.load(from: url)
        #expect(a.stateDict().map(\.tensor.scalars) == b.stateDict().map(\.tensor.scalars))
        let other = Sequential { Linear(4, 2, generator: &g) }
        #expect(throws: StateDictError.self) { try other.load(from: url) }
    }

    @Test func forwardHooksSeeEveryCallUntilRemoved() {
        var g = KeelRandom(seed: 5)
        let net = TwoLayerNet(generator: &g)
        var shapes: [[Int]] = []
        let handle = net.fc1.addForwardHook { _, input, output in shapes.append(input.shape + output.shape) }
        var outer = 0
        let netHook = net.addForwardHook { _, _, _ in outer += 1 }
        _ = net(Tensor.zeros([2, 4]))
        handle.remove()
        netHook.remove()
        _ = net(Tensor.zeros([2, 4]))
        #expect(shapes == [[2, 4, 2, 8]] && outer == 1)
    }

    @Test func layersMadeWithoutAGeneratorFollowTheGlobalSeed() {
        KeelRandom.manualSeed(7)
        let first = [Linear(3, 2).weight.value.scalars, Conv2d(1, 2, kernelSize: 3).weight.value.scalars]
        let dropouts = (Dropout(0.5), Dropout(0.5))
        KeelRandom.manualSeed(7)
        let again = [Linear(3, 2).weight.value.scalars, Conv2d(1, 2, kernelSize: 3).weight.value.scalars]
        #expect(first == again)
        #expect(dropouts.0.seed != dropouts.1.seed, "two dropout layers on the default seed draw different masks")
        #expect(AdamW(Linear(2, 2).namedParameters).weightDecay == 0.01)
        #expect(RMSprop(Linear(2, 2).namedParameters, learningRate: 0.1).currentLearningRate == 0.1)
        #expect(Adagrad(Linear(2, 2).namedParameters).currentLearningRate == 0.01)
    }
}
