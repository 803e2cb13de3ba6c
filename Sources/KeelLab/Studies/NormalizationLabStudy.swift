import Foundation
import Keel
import KeelData
import KeelTrain

/// The classic normalization claims: gradient descent zig-zags on raw features of different scales and goes
/// straight on standardized ones; normalized inputs reach a target accuracy in fewer epochs; normalization
/// inside a deeper network (batch norm) speeds training up too.
public struct NormalizationLabStudy: Study {
    /// The command-line name.
    public let name = "normalization"
    /// The report's heading.
    public let title = "Normalization"
    /// The claim under test.
    public let claim =
        "With features on different scales the loss contours are long ellipses and gradient descent "
        + "zig-zags; after normalization they are round, and training converges faster. Normalizing inside "
        + "the network (batch norm) speeds up a deeper network in the same way."
    /// The study.
    public init() {}

    /// Gradient descent on the two-feature least-squares problem, at each version's best stable learning rate.
    public struct Descent: Codable, Sendable {
        var learningRate: Double
        /// Iterations to 1e-6 of the initial loss gap (nil: never).
        var iterations: Int?
        /// (w₁, w₂) after each iteration (the first 400 for the raw features).
        var trajectory: [[Double]]
        /// loss − minimum after each iteration.
        var gaps: [Double]

        init(_ run: ConvergenceExperiment.Run, minimum: Double, points: Int) {
            (learningRate, iterations) = (run.learningRate, run.iterationsToTolerance)
            trajectory = run.trajectory.prefix(points).map { [$0.0, $0.1] }
            gaps = run.losses.map { max($0 - minimum, 1e-12) }
        }
    }

    /// One input normalization's runs on one table.
    public struct MethodRuns: Codable, Sendable {
        var method: Normalizer.Method
        /// Epoch (1-based) each seed first reached 95 %, nil when it did not.
        var epochsToTarget: [Int?]
        var validationAccuracy: [[Float]]

        /// Mean epochs to the target, nil unless every seed reached it.
        var meanEpochs: MeanStd? { epochsToTarget.allSatisfy { $0 != nil } ? MeanStd(epochsToTarget.map { Double($0!) }) : nil }
    }

    /// Every normalization on one table ("Wine", "Digits").
    public struct InputComparison: Codable, Sendable {
        var title: String
        var network: String
        var maxEpochs: Int
        var featureScales: String
        var methods: [MethodRuns]

        func runs(_ method: Normalizer.Method) -> MethodRuns? { methods.first { $0.method == method } }
    }

    /// One (batch norm, learning rate) setting of the deeper network, over seeds.
    public struct BatchNormRuns: Codable, Sendable {
        var batchNorm: Bool
        var learningRate: Float
        /// Validation accuracy per epoch and seed; a diverged run ends with NaN.
        var validationAccuracy: [[Double]]
        var epochsToTarget: [Int?]
        var seconds: [Double]

        var label: String { "\(batchNorm ? "batch norm" : "plain"), lr \(learningRate)" }
        var meanEpochs: MeanStd? { epochsToTarget.allSatisfy { $0 != nil } ? MeanStd(epochsToTarget.map { Double($0!) }) : nil }
    }

    /// Every run of the study.
    public struct Measurement: Codable, Sendable {
        var raw: Descent
        var standardized: Descent
        var inputs: [InputComparison]
        var batchNormEpochs: Int
        var batchNormTarget: Float
        var batchNorm: [BatchNormRuns]
    }

    /// Runs gradient descent on the two-feature problem, the tables under each normalization and the deeper network
    /// with and without batch norm.
    public func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement {
        progress(0.02, "gradient descent, raw and standardized")
        let problem = ConvergenceExperiment.seedProblem()
        let standardized = problem.standardized
        let seedCount = quick ? min(seeds, 2) : seeds
        let maxEpochs = quick ? 40 : 100
        let wine = try inputs(.named("wine"), "Wine", seeds: seedCount, maxEpochs: maxEpochs) { progress(0.05 + 0.35 * $0, "wine, \($1)") }
        let digits = try inputs(.named("digits"), "Digits", seeds: seedCount, maxEpochs: maxEpochs / 2) {
            progress(0.4 + 0.3 * $0, "digits, \($1)")
        }
        let epochs = quick ? 8 : 15
        let batchNorm = try batchNorm(seeds: seedCount, epochs: epochs) { progress(0.7 + 0.3 * $0, "batch norm, \($1)") }
        return Measurement(
            raw: Descent(problem.bestRun(), minimum: problem.loss(problem.optimum), points: 400),
            standardized: Descent(standardized.bestRun(), minimum: standardized.loss(standardized.optimum), points: .max),
            inputs: [wine, digits], batchNormEpochs: epochs, batchNormTarget: 0.92, batchNorm: batchNorm)
    }

    /// Epochs to 95 % validation accuracy per input normalization, over seeds.
    func inputs(_ source: DataSource, _ title: String, seeds: Int, maxEpochs: Int, progress: (Double, String) -> Void) throws
        -> InputComparison
    {
        let methods: [Normalizer.Method] = [.none, .minmax, .standard, .log]
        var comparison = InputComparison(title: title, network: "", maxEpochs: maxEpochs, featureScales: featureScales(source), methods: [])
        for (m, method) in methods.enumerated() {
            var runs: [NormalizationStudy.Result] = []
            for seed in 0..<seeds {
                progress(Double(m * seeds + seed) / Double(methods.count * seeds), "\(method.rawValue), seed \(seed)")
                runs.append(
                    try NormalizationStudy.run(source, method: method, seed: UInt64(seed), target: 0.95, maxEpochs: maxEpochs, stopAtTarget: false))
            }
            comparison.network = "\(runs[0].features)-64-32-\(runs[0].classes)"
            comparison.methods.append(
                MethodRuns(method: method, epochsToTarget: runs.map(\.epochsToTarget), validationAccuracy: runs.map(\.validationAccuracy)))
        }
        return comparison
    }

    /// "max − min from A to B": how different the scales of the raw features are.
    func featureScales(_ source: DataSource) -> String {
        guard let data = try? PreparedData.prepare(source, normalize: .none, validationFraction: 0.2, seed: 0) else { return "unknown" }
        let x = data.train.samples(Array(0..<data.train.count))
        let spans = zip(x.max(axes: [0]).scalars, x.min(axes: [0]).scalars).map { $0 - $1 }.filter { $0 > 0 }
        return String(format: "max − min from %.3g to %.4g", spans.min() ?? 0, spans.max() ?? 0)
    }

    /// A deeper MLP on MNIST-5k with and without batch norm after each hidden Linear layer, at two learning rates.
    func batchNorm(seeds: Int, epochs: Int, progress: (Double, String) -> Void) throws -> [BatchNormRuns] {
        let data = try LabNetwork.mnistWithValidation()
        let sizes = [784] + Array(repeating: 128, count: 6) + [10]
        let settings: [(batchNorm: Bool, lr: Float)] = [(false, 0.01), (true, 0.01), (false, 0.1), (true, 0.1)]
        return try settings.enumerated().map { k, setting in
            var runs = BatchNormRuns(batchNorm: setting.batchNorm, learningRate: setting.lr, validationAccuracy: [], epochsToTarget: [], seconds: [])
            for seed in 0..<seeds {
                progress(Double(k * seeds + seed) / Double(settings.count * seeds), "\(runs.label), seed \(seed)")
                let model = LabNetwork.mlp(sizes, .relu, seed: UInt64(seed + 7), batchNorm: setting.batchNorm)
                let trainer = LabNetwork.trainer(
                    model, SGD(model.namedParameters, learningRate: setting.lr, momentum: 0.9), name: "\(runs.label)-seed\(seed)")
                let finished = try LabNetwork.unlessDiverged {
                    try trainer.fit(DataLoader(data.train, batchSize: 64, seed: UInt64(seed + 7)), validation: data.validation, epochs: epochs)
                }
                let curve = trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init)
                runs.validationAccuracy.append(finished ? curve : curve + [.nan])
                runs.epochsToTarget.append(curve.firstIndex { $0 >= 0.92 }.map { $0 + 1 })
                runs.seconds.append(trainer.history.epochs.map(\.seconds).reduce(0, +))
            }
            return runs
        }
    }
}
