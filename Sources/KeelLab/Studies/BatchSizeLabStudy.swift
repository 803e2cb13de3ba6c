import Foundation
import Keel
import KeelData
import KeelTrain

/// The five textbook statements about batch size, each checked on MNIST-5k with the same network, seeds and
/// epoch budget, at a constant learning rate and with the linear scaling rule (lr ∝ batch size).
public struct BatchSizeLabStudy: Study {
    /// The command-line name.
    public let name = "batch-size"
    /// The report's heading.
    public let title = "Batch size"
    /// The claim under test.
    public let claim =
        "A batch size that is too small makes training erratic; a larger one processes data faster but "
        + "needs more epochs for the same accuracy; so there is an optimum in training time and an optimum " + "in final accuracy."
    /// The study.
    public init() {}

    /// Settings shared by every run.
    public struct Setup: Codable, Sendable {
        /// The batch sizes tried, smallest first (the last is the whole training set).
        public var batchSizes: [Int]
        /// Epochs per run.
        public var epochs: Int
        /// Seeds per setting.
        public var seeds: Int
        /// The learning rate at `referenceBatch` (and at every batch without scaling).
        public var learningRate: Float = 0.02
        /// The batch size whose learning rate the linear scaling rule starts from.
        public var referenceBatch = 64
        /// SGD's momentum (0: plain mini-batch SGD).
        public var momentum: Float = 0
        /// The validation accuracy that counts as reached.
        public var target: Float = 0.92
        /// The MLP's layer sizes.
        public var layers = [784, 128, 64, 10]

        func learningRate(batch: Int, scaled: Bool) -> Float {
            scaled ? learningRate * Float(batch) / Float(referenceBatch) : learningRate
        }
    }

    /// One training run.
    public struct Run: Codable, Sendable {
        var epochSeconds: [Double] = []
        var validationAccuracy: [Float] = []
        /// Loss-curve noise (`Run.noise(of:)`), NaN when there are too few iterations or the run diverged.
        var lossNoise = Double.nan
        /// The training loss of each iteration, every k-th for long runs (at most 1,500 points; seed 0 only).
        var lossCurve: [Float]?
        /// The curve holds iterations 0, k, 2k, …
        var lossCurveStep = 1
        var iterationsPerEpoch = 0
        var diverged = false
        var testAccuracy: Float = .nan
        /// The epoch (0-based) that first reached the target validation accuracy.
        var target: Int?

        var epochsToTarget: Int? { target.map { $0 + 1 } }
        /// The median epoch time: robust to another process taking the CPU for a moment.
        var secondsPerEpoch: Double {
            let sorted = epochSeconds.sorted()
            return sorted.isEmpty ? .nan : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        }
        var secondsToTarget: Double? { target.map { Double($0 + 1) * secondsPerEpoch } }
        var finalValidation: Float { diverged ? .nan : validationAccuracy.last ?? .nan }

        /// Loss-curve noise: std of the iteration-to-iteration change of the training loss divided by the mean
        /// loss, over the second half of training (NaN with fewer than 3 iterations there).
        static func noise(of losses: [Float]) -> Double {
            let half = Array(losses.suffix(losses.count / 2)).map(Double.init)
            guard half.count >= 3 else { return .nan }
            let changes = zip(half.dropFirst(), half).map { $0 - $1 }
            return MeanStd(changes).std / max(MeanStd(half).mean, 1e-12)
        }

        /// Validation jitter: mean |change| of the validation accuracy between consecutive epochs, second half.
        var validationJitter: Double {
            let half = Array(validationAccuracy.suffix(max(validationAccuracy.count / 2, 2))).map(Double.init)
            guard half.count >= 2, !diverged else { return .nan }
            return zip(half.dropFirst(), half).map { abs($0 - $1) }.reduce(0, +) / Double(half.count - 1)
        }
    }

    /// Every run of one (batch size, scaling) setting, summarized over seeds.
    public struct Summary: Codable, Sendable {
        var batch: Int
        var scaled: Bool
        var learningRate: Float
        var runs: [Run]
        var sampleCount = 0

        var live: [Run] { runs.filter { !$0.diverged } }
        var secondsPerEpoch: MeanStd { MeanStd(live.map(\.secondsPerEpoch)) }
        var samplesPerSecond: MeanStd { MeanStd(live.map { Double(sampleCount) / $0.secondsPerEpoch }) }
        var reached: [Run] { live.filter { $0.target != nil } }
        /// Epochs to target over the seeds that reached it; nil unless every seed did.
        var epochsToTarget: MeanStd? { reached.count == runs.count ? MeanStd(reached.map { Double($0.epochsToTarget!) }) : nil }
        var secondsToTarget: MeanStd? { reached.count == runs.count ? MeanStd(reached.map { $0.secondsToTarget! }) : nil }
        var finalValidation: MeanStd { MeanStd(runs.map { Double($0.finalValidation) }) }
        var finalTest: MeanStd { MeanStd(runs.map { Double($0.testAccuracy) }) }
        var lossNoise: MeanStd { MeanStd(live.map(\.lossNoise).filter(\.isFinite)) }
        var validationJitter: MeanStd { MeanStd(live.map(\.validationJitter).filter(\.isFinite)) }
    }

    /// Every setting's runs, and what they ran on.
    public struct Measurement: Codable, Sendable {
        var setup: Setup
        var summaries: [Summary]
        var trainingSamples: Int
        var validationSamples: Int
        var threads: Int
        /// Processes each training ran on (data-parallel under mpirun; 1 otherwise).
        var ranks = 1

        var constant: [Summary] { summaries.filter { !$0.scaled } }
        var scaled: [Summary] { summaries.filter(\.scaled) }
    }

    func train(_ data: PreparedData, _ setup: Setup, batch: Int, scaled: Bool, seed: UInt64) throws -> Run {
        let model = LabNetwork.mlp(setup.layers, .relu, seed: seed)
        let optimizer = SGD(model.namedParameters, learningRate: setup.learningRate(batch: batch, scaled: scaled), momentum: setup.momentum)
        let trainer = LabNetwork.trainer(model, optimizer, name: "batch\(batch)-\(scaled ? "scaled" : "constant")-seed\(seed)")
        let loader = DataLoader(data.train, batchSize: batch, seed: seed)
        var run = Run(iterationsPerEpoch: loader.batchesPerEpoch)
        run.diverged = !(try LabNetwork.unlessDiverged { try trainer.fit(loader, validation: data.validation, epochs: setup.epochs) })
        run.epochSeconds = trainer.history.epochs.map(\.seconds)
        run.validationAccuracy = trainer.history.epochs.compactMap(\.validationAccuracy)
        let losses = trainer.history.iterations.map(\.loss)
        run.lossNoise = run.diverged ? .nan : Run.noise(of: losses)
        if seed == 0 {
            run.lossCurveStep = max(1, losses.count / 1500)
            run.lossCurve = stride(from: 0, to: losses.count, by: run.lossCurveStep).map { losses[$0] }
        }
        run.target = run.validationAccuracy.firstIndex { $0 >= setup.target }
        run.testAccuracy = run.diverged ? .nan : trainer.evaluate(data.test).accuracy
        return run
    }

    /// Trains every batch size at a constant and a linearly scaled learning rate, over seeds.
    public func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement {
        let data = try LabNetwork.mnistWithValidation()
        let n = data.train.count
        let setup = Setup(batchSizes: [1, 4, 16, 64, 256, 1024, n], epochs: quick ? 30 : 60, seeds: quick ? min(seeds, 2) : seeds)
        var summaries: [Summary] = []
        let total = Double(2 * setup.batchSizes.count * setup.seeds)
        for scaled in [false, true] {
            for batch in setup.batchSizes {
                var runs: [Run] = []
                for seed in 0..<setup.seeds {
                    let done = Double(summaries.count * setup.seeds + seed) / total
                    progress(done, "batch \(batch)\(scaled ? " (lr scaled)" : ""), seed \(seed)")
                    runs.append(try train(data, setup, batch: batch, scaled: scaled, seed: UInt64(seed)))
                }
                let learningRate = setup.learningRate(batch: batch, scaled: scaled)
                summaries.append(Summary(batch: batch, scaled: scaled, learningRate: learningRate, runs: runs, sampleCount: n))
            }
        }
        return Measurement(
            setup: setup, summaries: summaries, trainingSamples: n, validationSamples: data.validation?.count ?? 0,
            threads: Parallel.threadCount, ranks: LabNetwork.communicator.size)
    }
}
