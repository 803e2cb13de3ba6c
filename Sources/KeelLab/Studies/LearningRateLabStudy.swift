import Foundation
import Keel
import KeelData
import KeelTrain

/// The learning rate sets the step of gradient descent: the range test per seed, then short trainings at its
/// suggestion, at 10× and 0.1× of it, and at a sweep of fixed rates — the MLP 784-256-128-10 on z-scored MNIST-5k,
/// SGD with momentum 0.9, batch 64 (the schedules study's setup, constant rate).
public struct LearningRateLabStudy: Study {
    /// The command-line name.
    public let name = "learning-rate"
    /// The report's heading.
    public let title = "The learning rate and the range test"
    /// The claim under test.
    public let claim =
        "The learning rate sets the step of gradient descent: too large a rate oscillates or diverges, too small a rate "
        + "converges slowly; the range test (Smith 2017) finds a good starting rate without a sweep."
    /// The study.
    public init() {}

    /// One training at a fixed rate, over seeds.
    public struct Training: Codable, Sendable {
        /// The rate.
        var learningRate: Float
        /// What the rate is ("suggested", "10× suggested", "sweep", …).
        var label: String
        /// Final validation accuracy per seed (NaN where the loss diverged).
        var validationAccuracy: [Float]
        /// Training loss per epoch, seed 0 (shorter when it diverged).
        var trainingLoss: [Float]
        /// Relative spread of the last epoch's per-iteration losses, seed 0: std / mean (how much the loss jumps).
        var oscillation: Double
        /// Seeds whose loss became NaN/Inf.
        var diverged: Int

        var accuracy: MeanStd { MeanStd(validationAccuracy.filter(\.isFinite)) }
        var finalLoss: Float { trainingLoss.last ?? .infinity }
    }

    /// Every range test and training.
    public struct Measurement: Codable, Sendable {
        var epochs: Int
        var seeds: Int
        var rangeTests: [LearningRateFinder.Result]
        /// The geometric mean of the seeds' steepest-descent suggestions.
        var suggestion: Float
        var trainings: [Training]

        var sweep: [Training] { trainings.filter { $0.label == "sweep" } }
        func named(_ label: String) -> Training? { trainings.first { $0.label == label } }
        /// The best validation accuracy of the sweep and its tolerance: one point, or the seed spread if larger.
        var bestSweep: (training: Training, tolerance: Double)? {
            let finite = sweep.filter { $0.accuracy.mean.isFinite && $0.diverged == 0 }
            guard let best = finite.max(by: { $0.accuracy.mean < $1.accuracy.mean }) else { return nil }
            return (best, max(0.01, best.accuracy.std))
        }
        /// The rates the sweep finds best: those whose mean accuracy is within the tolerance of the best, each standing
        /// for its share of the grid (the sweep's rates are 3× apart: r covers r/√3 … r·√3).
        var bestRange: ClosedRange<Float>? {
            guard let (best, tolerance) = bestSweep else { return nil }
            let near = sweep.filter { $0.diverged == 0 && best.accuracy.mean - $0.accuracy.mean <= tolerance }.map(\.learningRate)
            let half = Float(3.0.squareRoot())
            return (near.min()! / half)...(near.max()! * half)
        }
        /// A ready one-cycle schedule at the suggestion.
        var oneCycle: String { String(format: "--schedule one_cycle:max_lr=%.3g", suggestion) }
    }

    /// The sweep's fixed rates.
    static let sweepRates: [Float] = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1]

    /// The run as a `keel train` configuration at `learningRate`.
    static func configuration(learningRate: Float, epochs: Int, seed: UInt64) -> RunConfiguration {
        var c = RunConfiguration()
        (c.model.architecture, c.recipe, c.seed, c.epochs, c.batchSize) = (.mlp, .plain, seed, epochs, 64)
        (c.optimizer.name, c.optimizer.learningRate, c.optimizer.momentum, c.optimizer.weightDecay) = (.sgd, learningRate, 0.9, 0)
        (c.data.validationFraction, c.schedule) = (0.2, nil)
        return c
    }

    /// The range test per seed, then the trainings.
    public func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement {
        let (epochs, seedCount) = (quick ? 3 : 8, quick ? min(seeds, 2) : seeds)
        var tests: [LearningRateFinder.Result] = []
        for seed in 0..<seedCount {
            progress(Double(seed) / Double(seedCount) * 0.2, "range test, seed \(seed)")
            tests.append(
                try LearningRateFinder(start: 1e-6, end: 10, iterations: 100).run(
                    Self.configuration(learningRate: 0.01, epochs: 1, seed: UInt64(seed))))
        }
        let steepest = tests.compactMap(\.steepest)
        let suggestion = steepest.isEmpty ? 0.01 : Float(exp(steepest.map { log(Double($0)) }.reduce(0, +) / Double(steepest.count)))
        let plan: [(String, Float)] =
            [("0.1× suggested", suggestion / 10), ("suggested", suggestion), ("10× suggested", suggestion * 10)]
            + Self.sweepRates.map { ("sweep", $0) }
        var trainings: [Training] = []
        for (i, (label, rate)) in plan.enumerated() {
            progress(0.2 + 0.8 * Double(i) / Double(plan.count), String(format: "training at %.3g (%@)", rate, label))
            trainings.append(try train(label: label, rate: rate, epochs: epochs, seeds: seedCount))
        }
        return Measurement(epochs: epochs, seeds: seedCount, rangeTests: tests, suggestion: suggestion, trainings: trainings)
    }

    func train(label: String, rate: Float, epochs: Int, seeds: Int) throws -> Training {
        var t = Training(learningRate: rate, label: label, validationAccuracy: [], trainingLoss: [], oscillation: 0, diverged: 0)
        for seed in 0..<seeds {
            var c = Self.configuration(learningRate: rate, epochs: epochs, seed: UInt64(seed))
            c.tensorboard = LabNetwork.nextLogDirectory(String(format: "lr-%.3g-seed%d", rate, seed))?.path
            let run = TrainingRun(c, directory: nil)
            run.progressStyle = .silent
            var diverged = false
            do { try run.run() } catch TrainingError.nonFiniteLoss { diverged = true }
            t.diverged += diverged ? 1 : 0
            t.validationAccuracy.append(diverged ? .nan : run.history?.epochs.last?.validationAccuracy ?? .nan)
            guard seed == 0, let history = run.history else { continue }
            t.trainingLoss = history.epochs.map(\.trainLoss)
            let last = history.iterations.filter { $0.epoch == (history.epochs.last?.epoch ?? 0) }.map { Double($0.loss) }
            let spread = MeanStd(last)
            t.oscillation = diverged ? .infinity : spread.mean > 0 ? spread.std / spread.mean : 0
        }
        return t
    }
}
