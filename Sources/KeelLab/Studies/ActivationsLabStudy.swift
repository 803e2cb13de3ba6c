import Foundation
import Keel
import KeelData
import KeelTrain

/// The textbook activation claims: ReLU for hidden layers, saturating functions vanish gradients in deep
/// networks, a linear stack stays linear, sigmoid for a binary output, and "try them all and compare on
/// validation data".
public struct ActivationsLabStudy: Study {
    /// The command-line name.
    public let name = "activations"
    /// The report's heading.
    public let title = "Activation functions"
    /// The claim under test.
    public let claim =
        "Use ReLU (or a relative) in hidden layers: saturating functions such as sigmoid make gradients "
        + "vanish in deep networks, and without a non-linearity a deep network is just one linear layer. "
        + "Sigmoid belongs on a binary output. Try several and compare on validation data."
    /// The study.
    public init() {}

    static let candidates: [Activation] = [.sigmoid, .tanh, .relu, .leakyReLU(), .elu(), .gelu, .silu, .mish, .identity]

    /// One activation's runs over seeds.
    public struct Comparison: Codable, Sendable {
        /// The activation's name ("relu", "leaky_relu", …).
        var activation: String
        var validationCurves: [[Double]] = []
        var lossCurves: [[Double]] = []
        var dead: [Double] = []
        var saturated: [Double] = []
        /// Mean gradient norm of each Linear layer in the last epoch, one array per seed.
        var gradientNorms: [[Double]] = []
        /// Seeds whose loss became NaN/Inf (training stopped there; the last good weights are evaluated).
        var diverged = 0
        var finalValidation: MeanStd { MeanStd(validationCurves.compactMap(\.last)) }
        /// Mean over seeds of each layer's gradient norm.
        var meanGradientNorms: [Double] {
            (0..<(gradientNorms.first?.count ?? 0)).map { layer in MeanStd(gradientNorms.map { $0[layer] }).mean }
        }
    }

    /// The 8-hidden-layer network with one activation.
    public struct DeepRun: Codable, Sendable {
        var activation: String
        /// Mean ‖∇W‖ of each Linear layer (input side first) over the first epoch.
        var gradientNorms: [Double]
        var validationAccuracy: [Double]
        /// First-layer ÷ last-layer gradient norm.
        var ratio: Double { (gradientNorms.first ?? 1) / max(gradientNorms.last ?? 1, 1e-30) }
    }

    /// A linear stack against one Linear layer and ReLU.
    public struct Linearity: Codable, Sendable {
        /// Relative |f(x+y) − f(x) − f(y) + f(0)| at initialization, by activation name.
        var residual: [String: Double]
        var oneLinearLayer: [Double]
        var identityMLP: [Double]
        var reluMLP: [Double]
    }

    /// Sigmoid as a binary output (is the digit odd?).
    public struct BinaryOutput: Codable, Sendable {
        /// One probability bin of the reliability diagram.
        public struct Bin: Codable, Sendable {
            var count: Int
            var meanProbability: Double
            var observed: Double
        }
        var validationAccuracy: Double
        var expectedCalibrationError: Double
        var outputsInUnitInterval: Bool
        /// max |σ(z) − softmax(z, 0)₀| over a range of z.
        var sigmoidVsSoftmax: Double
        /// Probability bins with at least 10 images.
        var bins: [Bin]
    }

    /// Every run of the study.
    public struct Measurement: Codable, Sendable {
        var epochs: Int
        var deepEpochs: Int
        var seeds: Int
        var trainingImages: Int
        var validationImages: Int
        var mlp: [Comparison]
        var deep: [DeepRun]
        var linearity: Linearity
        var binary: BinaryOutput

        func final(_ name: String) -> MeanStd { mlp.first { $0.activation == name }!.finalValidation }
    }

    /// Trains the MLP with each activation, the deep networks, the linear stacks and the binary classifier.
    public func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement {
        let data = try LabNetwork.mnistWithValidation()
        let epochs = quick ? 10 : 20
        let seedCount = quick ? min(seeds, 2) : seeds
        let mlp = try compare(data, epochs: epochs, seeds: seedCount) { progress(0.6 * $0, $1) }
        progress(0.6, "deep networks")
        let deep = try deepNetworks(data, epochs: quick ? 5 : 10)
        progress(0.8, "linearity")
        let linearity = try linearity(data, epochs: epochs, seeds: seedCount)
        progress(0.9, "binary output")
        return Measurement(
            epochs: epochs, deepEpochs: quick ? 5 : 10, seeds: seedCount, trainingImages: data.train.count,
            validationImages: data.validation?.count ?? 0, mlp: mlp, deep: deep, linearity: linearity,
            binary: try binaryOutput(data, epochs: epochs))
    }

    /// The same MLP 784-128-64-10 with each hidden activation.
    func compare(_ data: PreparedData, epochs: Int, seeds: Int, progress: (Double, String) -> Void) throws -> [Comparison] {
        try Self.candidates.enumerated().map { i, activation in
            var c = Comparison(activation: activation.name)
            for seed in 0..<seeds {
                progress(Double(i * seeds + seed) / Double(Self.candidates.count * seeds), "MLP with \(activation.name), seed \(seed)")
                let model = LabNetwork.mlp([784, 128, 64, 10], activation, seed: UInt64(seed + 1))
                let trainer = LabNetwork.trainer(
                    model, SGD(model.namedParameters, learningRate: 0.05, momentum: 0.9), name: "mlp-\(activation.name)-seed\(seed)")
                let recorder = DiagnosticsRecorder(model: model, every: 5)
                trainer.callbacks.append(recorder)
                let finished = try LabNetwork.unlessDiverged {
                    try trainer.fit(DataLoader(data.train, batchSize: 64, seed: UInt64(seed + 1)), validation: data.validation, epochs: epochs)
                }
                var curve = trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init)
                if !finished {
                    c.diverged += 1
                    curve.append(Double(trainer.evaluate(data.validation!).accuracy))  // the weights before the NaN step
                }
                c.validationCurves.append(curve)
                c.lossCurves.append(trainer.history.epochs.map { Double($0.trainLoss) })
                let summary = recorder.epochSummary(trainer.history.epochs.count - 1)
                let hidden = summary.filter { $0.deadFraction != nil }
                c.dead.append(MeanStd(hidden.compactMap(\.deadFraction)).mean)
                c.saturated.append(MeanStd(hidden.compactMap(\.saturatedFraction)).mean)
                c.gradientNorms.append(summary.compactMap(\.gradientNorm).map(Double.init))
            }
            return c
        }
    }

    /// A 9-layer (8 hidden) network with sigmoid and with ReLU, each with the initialization designed for it
    /// (Glorot/Xavier for sigmoid, He/Kaiming for ReLU): gradient norm of each Linear layer, and learning.
    func deepNetworks(_ data: PreparedData, epochs: Int) throws -> [DeepRun] {
        try [(Activation.sigmoid, Initializer.xavierUniform()), (.relu, .kaimingUniform())].map { activation, initializer in
            let model = LabNetwork.mlp([784] + Array(repeating: 64, count: 8) + [10], activation, seed: 2, initializer: initializer)
            let trainer = LabNetwork.trainer(model, SGD(model.namedParameters, learningRate: 0.01, momentum: 0.9), name: "deep-\(activation.name)")
            let recorder = DiagnosticsRecorder(model: model, every: 1)
            trainer.callbacks.append(recorder)
            _ = try LabNetwork.unlessDiverged {
                try trainer.fit(DataLoader(data.train, batchSize: 64, seed: 2), validation: data.validation, epochs: epochs)
            }
            // Gradient norms over the first epoch (when the difference decides whether the network learns at all).
            return DeepRun(
                activation: activation.name, gradientNorms: recorder.epochSummary(0).compactMap(\.gradientNorm).map(Double.init),
                validationAccuracy: trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init))
        }
    }

    /// A linear stack is one affine map: the superposition residual, and its accuracy against one Linear layer.
    func linearity(_ data: PreparedData, epochs: Int, seeds: Int) throws -> Linearity {
        var residuals: [String: Double] = [:]
        for activation in [Activation.identity, .relu] {
            let model = LabNetwork.mlp([784, 64, 64, 64, 10], activation, seed: 3)
            model.eval()
            let (x, y) = (data.test.samples([0]), data.test.samples([1]))
            let residual = withoutGradients { model(x + y) - model(x) - model(y) + model(Tensor.zeros(x.shape)) }
            let scale = withoutGradients { model(x + y).abs().mean().scalar }
            residuals[activation.name] = Double(residual.abs().max().scalar / max(scale, 1e-12))
        }
        // Trained at a learning rate where the linear stack is stable (at 0.05 it can diverge).
        func accuracies(_ sizes: [Int], _ activation: Activation) throws -> [Double] {
            try (0..<seeds).map { seed in
                let model = LabNetwork.mlp(sizes, activation, seed: UInt64(seed + 1))
                let trainer = LabNetwork.trainer(
                    model, SGD(model.namedParameters, learningRate: 0.01, momentum: 0.9), name: "linearity-\(activation.name)-seed\(seed)")
                _ = try LabNetwork.unlessDiverged { try trainer.fit(DataLoader(data.train, batchSize: 64, seed: UInt64(seed + 1)), epochs: epochs) }
                return Double(trainer.evaluate(data.validation!).accuracy)
            }
        }
        return Linearity(
            residual: residuals, oneLinearLayer: try accuracies([784, 10], .identity), identityMLP: try accuracies([784, 128, 64, 10], .identity),
            reluMLP: try accuracies([784, 128, 64, 10], .relu))
    }

    /// Sigmoid as the output of a binary classifier (is the digit odd?), trained with binary cross-entropy.
    func binaryOutput(_ data: PreparedData, epochs: Int) throws -> BinaryOutput {
        let model = LabNetwork.mlp([784, 64, 1], .relu, seed: 4)
        let trainer = LabNetwork.trainer(model, SGD(model.namedParameters, learningRate: 0.05, momentum: 0.9), name: "sigmoid-output")
        func targets(_ labels: [Int32]) -> Tensor { Tensor(shape: [labels.count, 1], scalars: labels.map { Float($0 % 2) }) }
        trainer.lossFunction = { logits, labels in binaryCrossEntropyWithLogits(logits: logits, targets: targets(labels)) }
        _ = try LabNetwork.unlessDiverged { try trainer.fit(DataLoader(data.train, batchSize: 64, seed: 4), epochs: epochs) }
        let validation = data.validation!
        model.eval()
        let probabilities = withoutGradients { model(validation.samples(Array(0..<validation.count))).sigmoid() }.scalars
        let truth = validation.labels.map { Int($0 % 2) }
        let accuracy = Double(zip(probabilities, truth).filter { ($0 >= 0.5 ? 1 : 0) == $1 }.count) / Double(truth.count)
        // Reliability: in each probability bin, the observed frequency of "odd".
        var (count, positive, sum) = ([Int](repeating: 0, count: 10), [Int](repeating: 0, count: 10), [Double](repeating: 0, count: 10))
        for (p, t) in zip(probabilities, truth) {
            let b = min(Int(p * 10), 9)
            (count[b], positive[b], sum[b]) = (count[b] + 1, positive[b] + t, sum[b] + Double(p))
        }
        let ece = (0..<10).filter { count[$0] > 0 }.map { abs(sum[$0] - Double(positive[$0])) / Double(truth.count) }.reduce(0, +)
        let bins = (0..<10).filter { count[$0] >= 10 }.map {  // bins with too few images say nothing
            BinaryOutput.Bin(count: count[$0], meanProbability: sum[$0] / Double(count[$0]), observed: Double(positive[$0]) / Double(count[$0]))
        }
        // σ(z) is the two-class softmax with logits (z, 0).
        let z = Tensor(shape: [7], scalars: [-30, -5, -1, 0, 1, 5, 30])
        let viaSoftmax = Tensor.concatenate([z.reshaped([7, 1]), Tensor.zeros([7, 1])], axis: 1).softmax(axis: 1).scalars.enumerated()
            .filter { $0.offset % 2 == 0 }.map(\.element)
        let difference = zip(z.sigmoid().scalars, viaSoftmax).map { abs($0 - $1) }.max() ?? 0
        return BinaryOutput(
            validationAccuracy: accuracy, expectedCalibrationError: ece, outputsInUnitInterval: probabilities.allSatisfy { $0 >= 0 && $0 <= 1 },
            sigmoidVsSoftmax: Double(difference), bins: bins)
    }
}
