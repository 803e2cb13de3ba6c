import Foundation
import Keel
import KeelData
import KeelDistributed

/// The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural Networks"; fastai's
/// `lr_find`): train a run's model for up to `iterations` updates while the learning rate grows exponentially from
/// `start` to `end`, record the loss, smooth it (exponential moving average with bias correction, β = 0.98), stop
/// when the smoothed loss exceeds 4 × its minimum or is not finite, and put the model's weights back. Two named
/// rules read a starting rate off the curve.
public struct LearningRateFinder: Sendable {
    /// The first learning rate.
    public var start: Float = 1e-7
    /// The last learning rate.
    public var end: Float = 10
    /// Updates at most (one per rate).
    public var iterations = 100
    /// β of the loss's moving average.
    public var smoothing: Double = 0.98
    /// The test stops once the smoothed loss exceeds this many times its minimum.
    public var divergenceFactor: Double = 4

    /// A test from `start` to `end` over `iterations` updates.
    public init(start: Float = 1e-7, end: Float = 10, iterations: Int = 100) {
        (self.start, self.end, self.iterations) = (start, end, iterations)
    }

    /// One update of the test.
    public struct Point: Codable, Equatable, Sendable {
        /// The learning rate of the update.
        public var learningRate: Float
        /// The batch's loss.
        public var loss: Float
        /// The bias-corrected moving average of the losses so far.
        public var smoothedLoss: Double
    }

    /// The curve and what it suggests.
    public struct Result: Codable, Equatable, Sendable {
        /// One point per update made.
        public var points: [Point]
        /// Whether the test stopped because the loss diverged (else it reached `end`).
        public var diverged: Bool
        /// The rate where the smoothed loss falls fastest (most negative slope against log lr), up to its minimum.
        public var steepest: Float?
        /// The rate of the smoothed loss's minimum, divided by 10.
        public var minimumOver10: Float?
    }

    /// The rate of update `i`: start · (end / start)^(i / (iterations − 1)).
    public func learningRate(at i: Int) -> Float {
        Float(Double(start) * pow(Double(end) / Double(start), Double(i) / Double(max(iterations - 1, 1))))
    }

    /// What makes the settings unusable, or nil.
    public var problem: String? {
        guard start > 0 && start.isFinite && end.isFinite && end > start else {
            return "--start and --end must be positive with start < end, got \(start) and \(end)"
        }
        guard (2...100_000).contains(iterations) else { return "--iterations must be in 2…100,000, got \(iterations)" }
        return nil
    }

    /// Runs the test on `configuration`'s data and model (built as `keel train` builds them, with its optimizer;
    /// its schedule replaced by the ramp). Returns the curve and the suggestions.
    public func run(_ configuration: RunConfiguration) throws -> Result {
        if let problem { throw RunConfigurationError(key: "", problem: problem) }
        try configuration.validate()
        let session = try RunSession(configuration, checkpoint: nil, communicator: SingleProcessCommunicator())
        let c = session.configuration
        let regressionLoss = try c.regressionLoss()
        return try run(
            model: session.network, loader: session.loader,
            optimizer: {
                c.optimizer.name.make(
                    session.network.namedParameters, schedule: $0, momentum: c.optimizer.momentum, weightDecay: c.optimizer.weightDecay ?? 0)
            },
            configure: { trainer in
                (trainer.regressionLoss, trainer.gradientClipNorm, trainer.accumulationSteps) = (regressionLoss, c.clipGradNorm, c.accumulate)
                trainer.shards = c.shards ?? 1
            })
    }

    /// Runs the test on `model` with batches from `loader` (epoch after epoch) and the optimizer `optimizer` makes for
    /// the ramp's schedule; `configure` sets the trainer up (losses, clipping). The model's parameters and buffers are
    /// put back as they were afterwards, whatever happened.
    public func run(
        model: any Module, loader: DataLoader, optimizer: (any LearningRateSchedule) -> any Optimizer, configure: (Trainer) -> Void = { _ in }
    ) throws -> Result {
        if let problem { throw RunConfigurationError(key: "", problem: problem) }
        let saved = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) })
        defer { try? model.loadStateDict(saved) }
        let trainer = Trainer(model: model, optimizer: optimizer(Ramp(finder: self)))
        trainer.progress = ProgressReporter(style: .silent)
        configure(trainer)
        var points: [Point] = []
        var (average, best, diverged) = (0.0, Double.infinity, false)
        var (epoch, batches, next) = (0, loader.batchIndices(epoch: 0), 0)
        for i in 0..<iterations {
            if next == batches.count { (epoch, next, batches) = (epoch + 1, 0, loader.batchIndices(epoch: epoch + 1)) }
            let batch = loader.batch(batches[next], epoch: epoch)
            next += 1
            let loss: Float
            do {
                loss = try trainer.step(batch, count: batch.labels.count, epoch: epoch, iteration: i, started: ProcessInfo.processInfo.systemUptime).0
                    .loss
            } catch TrainingError.nonFiniteLoss {
                diverged = true
                break
            }
            average = smoothing * average + (1 - smoothing) * Double(loss)
            let smoothed = average / (1 - pow(smoothing, Double(i + 1)))
            points.append(Point(learningRate: learningRate(at: i), loss: loss, smoothedLoss: smoothed))
            best = min(best, smoothed)
            if !smoothed.isFinite || smoothed > divergenceFactor * best {
                diverged = true
                break
            }
        }
        return Self.suggest(points, diverged: diverged)
    }

    /// The result for `points`: the steepest descent of the smoothed loss (against log lr, central differences) up to
    /// its minimum, and the minimum's rate / 10.
    static func suggest(_ points: [Point], diverged: Bool) -> Result {
        var result = Result(points: points, diverged: diverged, steepest: nil, minimumOver10: nil)
        guard let minimum = points.indices.min(by: { points[$0].smoothedLoss < points[$1].smoothedLoss }) else { return result }
        result.minimumOver10 = points[minimum].learningRate / 10
        let x = points.map { log(Double($0.learningRate)) }
        let y = points.map(\.smoothedLoss)
        func slope(_ i: Int) -> Double {
            let (a, b) = (max(i - 1, 0), min(i + 1, points.count - 1))
            return b > a ? (y[b] - y[a]) / (x[b] - x[a]) : 0
        }
        if minimum > 0, let steepest = (0...minimum).min(by: { slope($0) < slope($1) }) {
            result.steepest = points[steepest].learningRate
        }
        return result
    }

    /// The ramp as a schedule: the optimizer's step i gets the test's rate i.
    struct Ramp: LearningRateSchedule {
        let finder: LearningRateFinder
        func learningRate(at step: Int) -> Float { finder.learningRate(at: min(step, finder.iterations - 1)) }
    }
}
