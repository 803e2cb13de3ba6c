import Foundation
import Keel
import KeelData
import KeelTrain

/// The seed's learning-rate decay figures, and one training run per schedule on MNIST-5k.
public struct SchedulesLabStudy: Study {
    public let name = "schedules"
    public let title = "Learning-rate decay"
    public let claim =
        "Decaying the learning rate over training (piecewise, exponential, polynomial, cosine, …) ends "
        + "training at a better model than keeping it constant."
    public init() {}

    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult {
        var result = emptyResult(quick: quick)
        result.charts.append(
            ScheduleFigures.chart(
                "Piecewise constant vs exponential vs natural exponential decay",
                ScheduleFigures.catalog.filter {
                    ["piecewise_constant", "exponential_decay", "natural_exp_decay", "exponential_decay (staircase)"].contains($0.0)
                },
                steps: 120))
        result.charts.append(
            ScheduleFigures.chart(
                "Polynomial decay with and without cycle",
                ScheduleFigures.catalog.filter { $0.0.hasPrefix("polynomial_decay") }, steps: 120))
        result.charts.append(
            ScheduleFigures.chart(
                "Cosine, linear cosine and noisy linear cosine",
                ScheduleFigures.catalog.filter { ["cosine_decay", "linear_cosine_decay"].contains($0.0) || $0.0.hasPrefix("noisy") }, steps: 120))
        result.charts.append(
            ScheduleFigures.chart(
                "Inverse time decay and cosine decay with restarts",
                ScheduleFigures.catalog.filter { ["inverse_time_decay", "cosine_decay_restarts"].contains($0.0) }, steps: 120))
        result.charts.append(
            ScheduleFigures.chart(
                "PyTorch's schedulers: step, multistep, warm restarts, cyclic, one-cycle, warm-up",
                ScheduleFigures.catalog.filter {
                    [
                        "step", "multistep", "cosine_annealing_warm_restarts", "cyclic (triangular2)", "one_cycle",
                        "warm-up then cosine",
                    ].contains($0.0)
                }, steps: 120))

        let epochs = quick ? 8 : 20
        let batchSize = 64
        let base: Float = 0.05
        let data = try PreparedData.prepare(.named("mnist-5k"), normalize: .standard, validationFraction: 0, seed: 0)
        let steps = epochs * ((data.train.count + batchSize - 1) / batchSize)
        let d = "decay_steps=\(steps)"
        let specs: [(String, String)] = [
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
        let seedCount = quick ? min(seeds, 2) : seeds
        var rows: [[String]] = []
        var numbers: [String: any Sendable] = [:]
        var lossSeries: [LineChart.Series] = []
        var accuracy: [String: MeanStd] = [:]
        var order: [String] = []
        for (i, (label, spec)) in specs.enumerated() {
            var accuracies: [Float] = []
            var seconds = 0.0
            var losses: [Float] = []
            var diverged = 0
            for seed in 0..<UInt64(seedCount) {
                progress(Double(i * seedCount + Int(seed)) / Double(specs.count * seedCount), "training with \(label), seed \(seed)")
                var g = KeelRandom(seed: seed)
                let model = ReferenceModel.mlp.make(generator: &g)
                let schedule = try Schedule.parse(spec, defaultLearningRate: base)
                let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: schedule, momentum: 0.9))
                let started = ProcessInfo.processInfo.systemUptime
                if !(try LabNetwork.unlessDiverged { try trainer.fit(DataLoader(data.train, batchSize: batchSize, seed: seed), epochs: epochs) }) {
                    diverged += 1  // evaluated with the weights before the NaN step
                }
                seconds += ProcessInfo.processInfo.systemUptime - started
                accuracies.append(trainer.evaluate(data.test).accuracy)
                if seed == 0 { losses = trainer.history.epochs.map(\.trainLoss) }
            }
            let summary = MeanStd(accuracies)
            accuracy[label] = summary
            order.append(label)
            rows.append([
                label, spec, summary.formatted(digits: 2, scale: 100, unit: " %"),
                String(format: "%.2f s", seconds / Double(seedCount)) + (diverged > 0 ? " (NaN loss in \(diverged) seeds: stopped early)" : ""),
            ])
            numbers[label] =
                [
                    "spec": spec, "test_accuracy": summary.json, "test_accuracy_per_seed": accuracies.map(Double.init),
                    "seconds": seconds / Double(seedCount), "training_loss_seed0": losses.map(Double.init),
                ] as [String: any Sendable]
            lossSeries.append(
                .init(
                    name: label, points: losses.enumerated().map { (Double($0.offset + 1), Double($0.element)) },
                    color: LineChart.palette[i % LineChart.palette.count], dashed: i >= LineChart.palette.count))
        }
        var lossChart = LineChart(title: "MNIST-5k MLP: training loss per epoch, one curve per schedule", xLabel: "epoch", yLabel: "training loss")
        lossChart.series = lossSeries
        lossChart.logY = true
        result.charts.append(lossChart.svg())
        var bars = BarChart(
            title: "Test accuracy after \(epochs) epochs by schedule (mean ± std)", valueLabel: "test accuracy (%)", categories: order)
        let low = order.map { accuracy[$0]!.mean * 100 }.min() ?? 0
        bars.domain = max(0, floor(low) - 2)...100
        bars.valueFormat = "%.2f"
        bars.series = [
            .init(
                name: "test accuracy", values: order.map { accuracy[$0]!.mean * 100 }, errors: order.map { accuracy[$0]!.std * 100 },
                color: LineChart.palette[0])
        ]
        result.charts.append(bars.svg())
        result.tables.append(htmlTable(["schedule", "spec", "test accuracy", "training time"], rows))
        let constant = accuracy["constant"]!.mean
        let better = order.filter { $0 != "constant" && accuracy[$0]!.mean > constant }
        let best = order.max { accuracy[$0]!.mean < accuracy[$1]!.mean }!
        result.verdicts.append(
            Verdict(
                "Decaying the learning rate ends at a better test accuracy than a constant rate",
                supported: better.count * 2 > order.count - 1,
                evidence: String(
                    format: "constant %.2f %%; %d of %d decays do better (%@); best: %@ %@; the typical " + "seed-to-seed std is %.2f points",
                    constant * 100, better.count, order.count - 1,
                    better.joined(separator: ", "), best, accuracy[best]!.formatted(digits: 2, scale: 100, unit: " %"),
                    MeanStd(order.map { accuracy[$0]!.std }).mean * 100)))
        result.numbers["training"] = numbers
        result.numbers["epochs"] = epochs
        result.notes.append(
            "All runs: the MLP 784-256-128-10, SGD with momentum 0.9, base rate \(base), batch 64, \(epochs) epochs, "
                + "z-scored inputs, \(seedCount) seed(s) (mean ± std); decay steps = the run's \(steps) iterations.")
        progress(1, "done")
        return result
    }
}
