import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// Losses and optimizers against PyTorch (losses-torch.json, optimizers-torch.json).
struct LossReferenceTests {
    @Test func lossesMatchPyTorch() {
        for c in Fixtures.cases("losses-torch.json") {
            let name = c["loss"] as! String
            let config = c["config"] as! [String: Any]
            let value: Tensor
            let input: Tensor
            switch name {
            case "cross_entropy":
                input = Fixtures.tensor(c["logits"]).requiringGradient()
                let labels = (c["target"] as! [Int]).map { Int32($0) }
                value = crossEntropy(
                    logits: input, labels: labels,
                    labelSmoothing: (config["label_smoothing"] as! NSNumber).floatValue)
            case "binary_cross_entropy_with_logits":
                input = Fixtures.tensor(c["logits"]).requiringGradient()
                let targets = (c["target"] as! [Double]).map(Float.init)
                value = binaryCrossEntropyWithLogits(logits: input, targets: Tensor(shape: input.shape, scalars: targets))
            case "mse":
                input = Fixtures.tensor(c["input"]).requiringGradient()
                value = meanSquaredError(input, Fixtures.tensor(c["target"]))
            default:
                Issue.record("unknown loss \(name)")
                continue
            }
            let expected = (c["value"] as! NSNumber).doubleValue
            #expect(Swift.abs(Double(value.scalar) - expected) < 1e-5 * (1 + Swift.abs(expected)), "\(name) \(config)")
            value.backward()
            #expect(maxScaledError(input.gradient!.scalars, Fixtures.doubles(c["grad"])) < 1e-6, "\(name) gradient \(input.gradient!.scalars)")
        }
    }

    @Test func regressionLossesMatchPyTorch() {
        for c in Fixtures.cases("losses-regression-torch.json") {
            let input = Fixtures.tensor(c["input"]).requiringGradient()
            let target = Fixtures.tensor(c["target"])
            let delta = (c["delta"] as? NSNumber)?.floatValue
            let value = delta.map { huberLoss(input, target, delta: $0) } ?? meanSquaredError(input, target)
            let expected = (c["value"] as! NSNumber).doubleValue
            #expect(Swift.abs(Double(value.scalar) - expected) < 1e-5 * (1 + Swift.abs(expected)), "\(c["loss"]!) δ \(delta ?? 0)")
            value.backward()
            #expect(maxScaledError(input.gradient!.scalars, Fixtures.doubles(c["grad"])) < 1e-6, "\(c["loss"]!) gradient")
        }
        #expect(
            GradientCheck().run([randomTensor([3, 4], seed: 11, low: -3, high: 3), randomTensor([3, 4], seed: 12)]) {
                huberLoss($0[0], $0[1], delta: 0.7)
            }.passed)
    }

    @Test func crossEntropyIsStableForHugeLogits() {
        let logits = Tensor([[1000, -1000, 0], [-1000, 1000, 999]])
        let loss = crossEntropy(logits: logits, labels: [0, 2])
        #expect(loss.scalar.isFinite)
        #expect(Swift.abs(loss.scalar - 0.65663) < 1e-3)  // row 2: log(1 + e) ≈ 1.3133, row 1: ≈ 0
        let bce = binaryCrossEntropyWithLogits(logits: Tensor([1000, -1000]), targets: Tensor([0, 1]))
        #expect(Swift.abs(bce.scalar - 1000) < 1e-3)
    }

    @Test func nllOfLogSoftmaxEqualsCrossEntropy() {
        let logits = randomTensor([5, 4], seed: 3)
        let labels: [Int32] = [0, 3, 1, 1, 2]
        let a = crossEntropy(logits: logits, labels: labels).scalar
        let b = nllLoss(logProbabilities: logits.logSoftmax(axis: 1), labels: labels).scalar
        #expect(Swift.abs(a - b) < 1e-6)
        #expect(crossEntropy(logits: logits, labels: labels, reduction: .sum).scalar / 5 - a < 1e-6)
        #expect(crossEntropy(logits: logits, labels: labels, reduction: .none).shape == [5])
    }

    @Test func softmaxGradients() {
        #expect(GradientCheck().run([randomTensor([3, 5], seed: 1)]) { $0[0].softmax(axis: 1) }.passed)
        #expect(GradientCheck().run([randomTensor([3, 4, 2], seed: 2)]) { $0[0].logSoftmax(axis: 1) }.passed)
        #expect(
            GradientCheck().run([randomTensor([4, 3], seed: 3)]) {
                crossEntropy(logits: $0[0], labels: [0, 2, 1, 1], labelSmoothing: 0.2)
            }.passed)
        #expect(
            GradientCheck().run([randomTensor([6], seed: 4, low: -3, high: 3), randomTensor([6], seed: 5, low: 0, high: 1)]) {
                binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1])
            }.passed)
        #expect(
            GradientCheck().run([randomTensor([2, 3], seed: 6), randomTensor([2, 3], seed: 7)]) {
                meanSquaredError($0[0], $0[1])
            }.passed)
        #expect(GradientCheck().run([randomTensor([3, 4], seed: 8)]) { linear($0[0], weight: randomTensor([5, 4], seed: 9)) }.passed)
    }
}

struct OptimizerReferenceTests {
    /// clipGradientNorm against torch.nn.utils.clip_grad_norm_ (clip-grad-norm-torch.json).
    @Test func gradientClippingMatchesPyTorch() {
        for c in Fixtures.cases("clip-grad-norm-torch.json") {
            let maxNorm = (c["max_norm"] as! NSNumber).floatValue
            let parameters = (c["grads"] as! [Any]).map { grad -> Parameter in
                let g = Fixtures.tensor(grad)
                let p = Parameter(Tensor.zeros(g.shape))
                p.grad = g
                return p
            }
            let total = clipGradientNorm(parameters, maxNorm: maxNorm)
            let expected = (c["total_norm"] as! NSNumber).doubleValue
            #expect(abs(Double(total) - expected) <= 1e-6 * expected, "total norm \(total) vs \(expected)")
            for (p, clipped) in zip(parameters, c["clipped"] as! [Any]) {
                #expect(maxScaledError(p.grad!.scalars, Fixtures.doubles(clipped)) < 1e-6, "max_norm \(maxNorm)")
            }
        }
    }

    /// Minimizes f(w) = ½‖Aw − b‖² + 0.1·Σw⁴ for 12 steps and compares every iterate with PyTorch's.
    @Test func trajectoriesMatchPyTorch() {
        let root = Fixtures.json("optimizers-torch.json")
        let a = Fixtures.tensor(root["A"])
        let b = Tensor((root["b"] as! [Double]).map(Float.init)).reshaped([-1, 1])
        let w0 = (root["w0"] as! [Double]).map(Float.init)
        for c in root["cases"] as! [[String: Any]] {
            let name = c["optimizer"] as! String
            let config = c["config"] as! [String: Any]
            func f(_ key: String, _ fallback: Float) -> Float { (config[key] as? NSNumber)?.floatValue ?? fallback }
            let w = Parameter(Tensor(shape: [3, 1], scalars: w0))
            let named: NamedParameters = [("w", w)]
            let lr = ConstantLearningRate(f("lr", 0))
            let optimizer: any Optimizer
            switch name {
            case "sgd":
                optimizer = SGD(
                    named, learningRate: lr, momentum: f("momentum", 0), dampening: f("dampening", 0),
                    weightDecay: f("weight_decay", 0), nesterov: config["nesterov"] as? Bool ?? false)
            case "adam", "adamw":
                let betas = (config["betas"] as? [Double])?.map(Float.init) ?? [0.9, 0.999]
                optimizer = Adam(
                    named, learningRate: lr, beta1: betas[0], beta2: betas[1], epsilon: f("eps", 1e-8),
                    weightDecay: f("weight_decay", name == "adamw" ? 0.01 : 0),
                    amsgrad: config["amsgrad"] as? Bool ?? false, decoupledWeightDecay: name == "adamw")
            case "rmsprop":
                optimizer = RMSprop(
                    named, learningRate: lr, alpha: f("alpha", 0.99), epsilon: f("eps", 1e-8),
                    weightDecay: f("weight_decay", 0), momentum: f("momentum", 0),
                    centered: config["centered"] as? Bool ?? false)
            case "adagrad":
                optimizer = Adagrad(
                    named, learningRate: lr, learningRateDecay: f("lr_decay", 0),
                    weightDecay: f("weight_decay", 0), initialAccumulator: f("initial_accumulator_value", 0))
            default:
                Issue.record("unknown optimizer \(name)")
                continue
            }
            let trajectory = c["trajectory"] as! [[Double]]
            for (step, expected) in trajectory.enumerated() {
                optimizer.zeroGrad()
                let residual = matmul(a, w.value) - b
                let loss = (residual * residual).sum() * 0.5 + (w.value.pow(4)).sum() * 0.1
                loss.backward()
                optimizer.step()
                let error = maxScaledError(w.value.scalars, expected)
                #expect(error < 2e-5, "\(name) \(config) step \(step + 1): error \(error)")
            }
            #expect(optimizer.stepCount == trajectory.count)
        }
    }

    @Test func parametersWithoutGradientsAreSkipped() {
        let a = Parameter(Tensor([1]))
        let b = Parameter(Tensor([1]))
        let optimizer = SGD([("a", a), ("b", b)], learningRate: 0.5)
        (a.value * 2).sum().backward()
        optimizer.step()
        #expect(a.value.scalars == [0])
        #expect(b.value.scalars == [1])
    }
}
