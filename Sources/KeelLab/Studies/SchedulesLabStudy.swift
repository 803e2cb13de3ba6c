import Foundation
import Keel
import KeelData
import KeelTrain

/// The classic learning-rate decay figures, and one training run per schedule on MNIST-5k.
public struct SchedulesLabStudy: Study {
    /// The command-line name.
    public let name = "schedules"
    /// The report's heading.
    public let title = "Learning-rate decay"
    /// The claim under test.
    public let claim =
        "Decaying the learning rate over training (piecewise, exponential, polynomial, cosine, …) ends "
        + "training at a better model than keeping it constant."
    /// The study.
    public init() {}

    /// One schedule's runs over seeds.
    public struct Outcome: Codable, Sendable {
        var label: String
        var spec: String
        var testAccuracy: [Float]
        /// Mean training seconds per seed.
        var seconds: Double
        /// Seeds whose loss became NaN/Inf (evaluated with the weights before that step).
        var diverged: Int
        /// Training loss per epoch, seed 0.
        var trainingLossSeed0: [Float]

        var accuracy: MeanStd { MeanStd(testAccuracy) }
    }

    /// Every schedule's runs and the shared settings.
    public struct Measurement: Codable, Sendable {
        var epochs: Int
        var seeds: Int
        var batchSize: Int
        var baseLearningRate: Float
        /// Iterations of one run (every decay's decay_steps).
        var steps: Int
        var outcomes: [Outcome]

        var constant: Outcome { outcomes.first { $0.label == "constant" }! }
        var decays: [Outcome] { outcomes.filter { $0.label != "constant" } }
        /// The typical seed-to-seed spread: the mean of the schedules' standard deviations.
        var spread: Double { MeanStd(outcomes.map(\.accuracy.std)).mean }
    }

    /// The schedules trained, as (label, spec) for a run of `steps` iterations at base rate `base`.
    static func specs(steps: Int, base: Float) -> [(String, String)] {
        let d = "decay_steps=\(steps)"
        return [
            ("constant", "constant"),
            ("piecewise_constant", "piecewise_constant:boundaries=\(steps / 2)/\(3 * steps / 4),values=\(base)/\(base / 10)/\(base / 100)"),
            ("exponential_decay", "exponential_decay:\(d),decay_rate=0.05"),
            ("natural_exp_decay", "natural_exp_decay:\(d),decay_rate=3"),
            ("inverse_time_decay", "inverse_time_decay:\(d),decay_rate=10"),
            ("polynomial_decay", "polynomial_decay:\(d),end_learning_rate=0.0005,power=2"),
            ("cosine_decay", "cosine_decay:\(d)"),
            ("cosine_decay_restarts", "cosine_decay_restarts:first_decay_steps=\(steps / 3)"),
            ("linear_cosine_decay", "linear_cosine_decay:\(d)"),
            ("noisy_linear_cosine_decay", "noisy_linear_cosine_decay:\(d),initial_variance=0.05"),
            ("one_cycle", "one_cycle:max_lr=\(base * 2),total_steps=\(steps)"),
        ]
    }

    /// Trains the MLP with every schedule, over seeds.
    public func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement {
        let (epochs, batchSize, base): (Int, Int, Float) = (quick ? 8 : 20, 64, 0.05)
        let trainingSamples = try MNIST.load(directory: MNIST.embeddedDirectory, split: .train).count
        let steps = epochs * ((trainingSamples + batchSize - 1) / batchSize)
        let specs = Self.specs(steps: steps, base: base)
        let seedCount = quick ? min(seeds, 2) : seeds
        var outcomes: [Outcome] = []
        for (i, (label, spec)) in specs.enumerated() {
            var outcome = Outcome(label: label, spec: spec, testAccuracy: [], seconds: 0, diverged: 0, trainingLossSeed0: [])
            for seed in 0..<UInt64(seedCount) {
                progress(Double(i * seedCount + Int(seed)) / Double(specs.count * seedCount), "training with \(label), seed \(seed)")
                var configuration = Self.configuration(spec, base: base, epochs: epochs, batchSize: batchSize, seed: seed)
                configuration.tensorboard = LabNetwork.nextLogDirectory("schedules-\(label)-seed\(seed)")?.path
                let run = TrainingRun(configuration, directory: nil)
                run.progressStyle = .silent
                let started = ProcessInfo.processInfo.systemUptime
                do { try run.run() } catch TrainingError.nonFiniteLoss { outcome.diverged += 1 }  // evaluated before the NaN step
                outcome.seconds += (ProcessInfo.processInfo.systemUptime - started) / Double(seedCount)
                outcome.testAccuracy.append(run.metrics?.testAccuracy ?? .nan)
                if seed == 0 { outcome.trainingLossSeed0 = run.history?.epochs.map(\.trainLoss) ?? [] }
            }
            outcomes.append(outcome)
        }
        return Measurement(epochs: epochs, seeds: seedCount, batchSize: batchSize, baseLearningRate: base, steps: steps, outcomes: outcomes)
    }

    /// One run of the study as a `keel train` configuration: the MLP on z-scored MNIST-5k, SGD with momentum 0.9 at
    /// base rate `base`, the schedule `spec`, no augmentation or dropout.
    static func configuration(_ spec: String, base: Float, epochs: Int, batchSize: Int, seed: UInt64) -> RunConfiguration {
        var c = RunConfiguration()
        (c.model.architecture, c.recipe, c.seed, c.epochs, c.batchSize) = (.mlp, .plain, seed, epochs, batchSize)
        (c.optimizer.name, c.optimizer.learningRate, c.optimizer.momentum) = (.sgd, base, 0.9)
        c.schedule = spec
        return c
    }

    /// A decay counts as better only when its mean beats the constant rate's by more than the typical seed-to-seed
    /// spread (the mean of the schedules' standard deviations, printed with the verdict); with one seed there is no
    /// spread and any difference counts.
    public func verdicts(_ m: Measurement) -> [Verdict] {
        let constant = m.constant.accuracy.mean
        let better = m.decays.filter { $0.accuracy.mean - constant > m.spread }
        let best = m.outcomes.max { $0.accuracy.mean < $1.accuracy.mean }!
        return [
            Verdict(
                "Decaying the learning rate ends at a better test accuracy than a constant rate",
                supported: better.count * 2 > m.decays.count,
                evidence: String(
                    format: "constant %.2f %%; %d of %d decays do better by more than the seed-to-seed spread of %.2f points (%@); "
                        + "best: %@ %@", constant * 100, better.count, m.decays.count, m.spread * 100,
                    better.isEmpty ? "none" : better.map(\.label).joined(separator: ", "), best.label,
                    best.accuracy.formatted(digits: 2, scale: 100, unit: " %")))
        ]
    }

    /// The decay figures, the loss curves, the accuracy bars and the table.
    public func render(_ m: Measurement) -> StudyFigures {
        let rows = m.outcomes.map { o in
            [
                o.label, o.spec, o.accuracy.formatted(digits: 2, scale: 100, unit: " %"),
                String(format: "%.2f s", o.seconds) + (o.diverged > 0 ? " (NaN loss in \(o.diverged) seeds: stopped early)" : ""),
            ]
        }
        let note =
            "All runs: the MLP 784-256-128-10, SGD with momentum 0.9, base rate \(m.baseLearningRate), batch \(m.batchSize), "
            + "\(m.epochs) epochs, z-scored inputs, \(m.seeds) seed(s) (mean ± std); decay steps = the run's \(m.steps) iterations."
        return StudyFigures(
            charts: Self.decayFigures() + [lossChart(m), accuracyChart(m)],
            tables: [htmlTable(["schedule", "spec", "test accuracy", "training time"], rows)], notes: [note])
    }

    /// The classic comparison figures of the decay functions themselves.
    static func decayFigures() -> [String] {
        let catalog = ScheduleFigures.catalog
        func named(_ names: [String]) -> [(String, Schedule)] { catalog.filter { names.contains($0.0) } }
        return [
            ScheduleFigures.chart(
                "Piecewise constant vs exponential vs natural exponential decay",
                named(["piecewise_constant", "exponential_decay", "natural_exp_decay", "exponential_decay (staircase)"]), steps: 120),
            ScheduleFigures.chart("Polynomial decay with and without cycle", catalog.filter { $0.0.hasPrefix("polynomial_decay") }, steps: 120),
            ScheduleFigures.chart(
                "Cosine, linear cosine and noisy linear cosine",
                catalog.filter { ["cosine_decay", "linear_cosine_decay"].contains($0.0) || $0.0.hasPrefix("noisy") }, steps: 120),
            ScheduleFigures.chart(
                "Inverse time decay and cosine decay with restarts", named(["inverse_time_decay", "cosine_decay_restarts"]), steps: 120),
            ScheduleFigures.chart(
                "PyTorch's schedulers: step, multistep, warm restarts, cyclic, one-cycle, warm-up",
                named(["step", "multistep", "cosine_annealing_warm_restarts", "cyclic (triangular2)", "one_cycle", "warm-up then cosine"]),
                steps: 120),
        ]
    }

    func lossChart(_ m: Measurement) -> String {
        var chart = LineChart(title: "MNIST-5k MLP: training loss per epoch, one curve per schedule", xLabel: "epoch", yLabel: "training loss")
        chart.series = m.outcomes.enumerated().map { i, o in
            .init(
                name: o.label, points: o.trainingLossSeed0.enumerated().map { (Double($0.offset + 1), Double($0.element)) },
                color: LineChart.palette[i % LineChart.palette.count], dashed: i >= LineChart.palette.count)
        }
        chart.logY = true
        return chart.svg()
    }

    func accuracyChart(_ m: Measurement) -> String {
        var bars = BarChart(
            title: "Test accuracy after \(m.epochs) epochs by schedule (mean ± std)", valueLabel: "test accuracy (%)",
            categories: m.outcomes.map(\.label))
        let means = m.outcomes.map { $0.accuracy.mean * 100 }
        bars.domain = max(0, floor(means.min() ?? 0) - 2)...100
        bars.valueFormat = "%.2f"
        bars.series = [.init(name: "test accuracy", values: means, errors: m.outcomes.map { $0.accuracy.std * 100 }, color: LineChart.palette[0])]
        return bars.svg()
    }
}
