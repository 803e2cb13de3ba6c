import Foundation
import Keel
import KeelData
import KeelTrain

/// The seed's five statements about batch size, each checked on MNIST-5k with the same network, seeds and
/// epoch budget, at a constant learning rate and with the linear scaling rule (lr ∝ batch size).
public struct BatchSizeLabStudy: Study {
    public let name = "batch-size"
    public let title = "Batch size"
    public let claim =
        "A batch size that is too small makes training erratic; a larger one processes data faster but "
        + "needs more epochs for the same accuracy; so there is an optimum in training time and an optimum " + "in final accuracy."
    public init() {}

    /// Settings shared by every run.
    struct Setup {
        var batchSizes: [Int]
        var epochs: Int
        var seeds: Int
        var learningRate: Float = 0.02
        var referenceBatch = 64
        var momentum: Float = 0
        var target: Float = 0.92
        var layers = [784, 128, 64, 10]

        func learningRate(batch: Int, scaled: Bool) -> Float {
            scaled ? learningRate * Float(batch) / Float(referenceBatch) : learningRate
        }
    }

    /// One training run.
    struct Run {
        var epochSeconds: [Double] = []
        var validationAccuracy: [Float] = []
        var iterationLosses: [Float] = []
        var iterationsPerEpoch = 0
        var diverged = false
        var testAccuracy: Float = .nan

        var epochsToTarget: Int? { target.map { $0 + 1 } }
        /// The median epoch time: robust to another process taking the CPU for a moment.
        var secondsPerEpoch: Double {
            let sorted = epochSeconds.sorted()
            return sorted.isEmpty ? .nan : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        }
        var secondsToTarget: Double? { target.map { Double($0 + 1) * secondsPerEpoch } }
        var target: Int?
        var finalValidation: Float { diverged ? .nan : validationAccuracy.last ?? .nan }

        /// Loss-curve noise: std of the iteration-to-iteration change of the training loss divided by the mean
        /// loss, over the second half of training (needs at least 3 iterations there).
        var lossNoise: Double {
            let half = Array(iterationLosses.suffix(iterationLosses.count / 2)).map(Double.init)
            guard half.count >= 3, !diverged else { return .nan }
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
    struct Summary {
        var batch: Int
        var scaled: Bool
        var learningRate: Float
        var runs: [Run]

        var live: [Run] { runs.filter { !$0.diverged } }
        var secondsPerEpoch: MeanStd { MeanStd(live.map(\.secondsPerEpoch)) }
        var samplesPerSecond: MeanStd { MeanStd(live.map { Double(sampleCount) / $0.secondsPerEpoch }) }
        var sampleCount = 0
        var reached: [Run] { live.filter { $0.target != nil } }
        /// Epochs to target over the seeds that reached it; nil unless every seed did.
        var epochsToTarget: MeanStd? { reached.count == runs.count ? MeanStd(reached.map { Double($0.epochsToTarget!) }) : nil }
        var secondsToTarget: MeanStd? { reached.count == runs.count ? MeanStd(reached.map { $0.secondsToTarget! }) : nil }
        var finalValidation: MeanStd { MeanStd(runs.map { Double($0.finalValidation) }) }
        var finalTest: MeanStd { MeanStd(runs.map { Double($0.testAccuracy) }) }
        var lossNoise: MeanStd { MeanStd(live.map(\.lossNoise).filter(\.isFinite)) }
        var validationJitter: MeanStd { MeanStd(live.map(\.validationJitter).filter(\.isFinite)) }
    }

    func train(_ data: PreparedData, _ setup: Setup, batch: Int, scaled: Bool, seed: UInt64) throws -> Run {
        let model = LabNetwork.mlp(setup.layers, .relu, seed: seed)
        let optimizer = SGD(model.namedParameters, learningRate: setup.learningRate(batch: batch, scaled: scaled), momentum: setup.momentum)
        let trainer = Trainer(model: model, optimizer: optimizer)
        let loader = DataLoader(data.train, batchSize: batch, seed: seed)
        var run = Run(iterationsPerEpoch: loader.batchesPerEpoch)
        run.diverged = !(try LabNetwork.unlessDiverged { try trainer.fit(loader, validation: data.validation, epochs: setup.epochs) })
        run.epochSeconds = trainer.history.epochs.map(\.seconds)
        run.validationAccuracy = trainer.history.epochs.compactMap(\.validationAccuracy)
        run.iterationLosses = trainer.history.iterations.map(\.loss)
        run.target = run.validationAccuracy.firstIndex { $0 >= setup.target }
        run.testAccuracy = run.diverged ? .nan : trainer.evaluate(data.test).accuracy
        return run
    }

    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult {
        var result = emptyResult(quick: quick)
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
                summaries.append(
                    Summary(
                        batch: batch, scaled: scaled, learningRate: setup.learningRate(batch: batch, scaled: scaled),
                        runs: runs, sampleCount: n))
            }
        }
        result.numbers["validation_samples"] = data.validation?.count ?? 0
        report(summaries, setup, n: n, into: &result)
        progress(1, "done")
        return result
    }

    /// The setting with the largest mean of `value`; settings without a value (NaN) count as the smallest.
    func highest(_ list: [Summary], _ value: KeyPath<Summary, MeanStd>) -> Summary {
        list.max { a, b in
            let x = a[keyPath: value].mean
            let y = b[keyPath: value].mean
            return (x.isFinite ? x : -.infinity) < (y.isFinite ? y : -.infinity)
        }!
    }

    func report(_ summaries: [Summary], _ setup: Setup, n: Int, into result: inout StudyResult) {
        let constant = summaries.filter { !$0.scaled }
        let scaled = summaries.filter(\.scaled)
        let target = String(format: "%.0f %%", setup.target * 100)
        // Table.
        var rows: [[String]] = []
        for s in summaries {
            let diverged = s.runs.count - s.live.count
            rows.append([
                s.batch == n ? "\(s.batch) (full)" : "\(s.batch)", s.scaled ? "linear" : "constant", String(format: "%.4g", s.learningRate),
                "\(s.runs[0].iterationsPerEpoch)", s.secondsPerEpoch.formatted(digits: 3, unit: " s"),
                s.samplesPerSecond.formatted(digits: 0),
                s.epochsToTarget?.formatted(digits: 1) ?? "not reached (\(s.reached.count)/\(s.runs.count))",
                s.secondsToTarget?.formatted(digits: 2, unit: " s") ?? "—",
                diverged > 0 ? "diverged (\(diverged)/\(s.runs.count))" : s.finalValidation.formatted(digits: 2, scale: 100, unit: " %"),
                diverged > 0 ? "—" : s.finalTest.formatted(digits: 2, scale: 100, unit: " %"),
                s.lossNoise.formatted(digits: 3), s.validationJitter.formatted(digits: 2, scale: 100, unit: " %"),
            ])
        }
        result.tables.append(
            htmlTable(
                [
                    "batch size", "lr scaling", "learning rate", "iterations / epoch", "time / epoch", "samples / s",
                    "epochs to \(target)", "training time to \(target)", "final validation accuracy",
                    "final test accuracy", "loss-curve noise", "validation jitter",
                ], rows))

        // Charts: throughput, epochs and time to target, final accuracy, loss curves.
        func series(_ list: [Summary], _ name: String, _ color: Int, _ value: (Summary) -> MeanStd?) -> LineChart.Series {
            let kept = list.compactMap { s in value(s).flatMap { $0.count > 0 && $0.mean.isFinite ? (Double(s.batch), $0) : nil } }
            return .init(
                name: name, points: kept.map { ($0.0, $0.1.mean) }, color: LineChart.palette[color],
                dashed: color == 1, spread: kept.map { $0.1.std })
        }
        func chart(_ title: String, _ y: String, logY: Bool = false, _ value: (Summary) -> MeanStd?) -> String {
            var c = LineChart(title: title, xLabel: "batch size (log scale)", yLabel: y)
            c.logX = true
            c.logY = logY
            c.series = [
                series(constant, "constant lr \(setup.learningRate)", 0, value),
                series(scaled, "lr × batch/\(setup.referenceBatch)", 1, value),
            ]
            return c.svg()
        }
        result.charts.append(chart("Throughput: training samples per second", "samples / s", logY: true) { $0.samplesPerSecond })
        result.charts.append(chart("Epochs to \(target) validation accuracy", "epochs") { $0.epochsToTarget })
        result.charts.append(chart("Training time to \(target) validation accuracy", "seconds", logY: true) { $0.secondsToTarget })
        result.charts.append(chart("Final validation accuracy after \(setup.epochs) epochs", "validation accuracy") { $0.finalValidation })
        // Four sizes, linear axis (single-sample losses reach 0): the band's width is the noise.
        var curves = LineChart(title: "Training loss of each iteration (seed 0, constant lr)", xLabel: "epoch", yLabel: "training loss")
        curves.yDomain = 0...2.5
        let shown = Set([0, 2, 4, constant.count - 1].filter { $0 < constant.count })
        for (i, s) in constant.enumerated() where shown.contains(i) && s.runs[0].iterationLosses.count > 0 {
            let losses = s.runs[0].iterationLosses
            let per = Double(s.runs[0].iterationsPerEpoch)
            let step = max(1, losses.count / 1500)
            curves.series.append(
                .init(
                    name: "batch \(s.batch)",
                    points: stride(from: 0, to: losses.count, by: step).map {
                        (Double($0 + 1) / per, Double(losses[$0]))
                    }, color: LineChart.palette[curves.series.count], width: 1))
        }
        result.charts.append(curves.svg())
        var validation = LineChart(
            title: "Validation accuracy per epoch (mean of seeds, constant lr)", xLabel: "epoch", yLabel: "validation accuracy")
        for (i, s) in constant.enumerated() {
            validation.series.append(
                .init(
                    name: "batch \(s.batch)", xs: (1...setup.epochs).map(Double.init),
                    runs: s.live.map { $0.validationAccuracy.map(Double.init) }, color: LineChart.palette[i % LineChart.palette.count]))
        }
        result.charts.append(validation.svg())

        // The five statements, checked on the constant-learning-rate runs (the seed's setting); the scaled runs are reported alongside.
        let smallest = constant.first!
        let largest = constant.last!
        let noisiest = highest(constant, \.lossNoise)
        let jitteriest = highest(constant, \.validationJitter)
        result.verdicts.append(
            Verdict(
                "Too small a batch makes training erratic",
                supported: noisiest.batch == smallest.batch && jitteriest.batch == smallest.batch,
                evidence: "loss-curve noise " + constant.map { "\($0.batch): \($0.lossNoise.formatted(digits: 3))" }.joined(separator: ", ")
                    + "; validation jitter is largest at batch \(jitteriest.batch) (\(jitteriest.validationJitter.formatted(digits: 2, scale: 100, unit: " %")))"
            ))

        // Throughput from every setting (the scaled runs do the same work per step), so diverged runs do not leave gaps.
        let throughput = setup.batchSizes.map { b in
            MeanStd(summaries.filter { $0.batch == b }.flatMap { $0.live.map { Double(n) / $0.secondsPerEpoch } }).mean
        }
        let drops = zip(throughput.dropFirst(), throughput).filter { $0 < 0.9 * $1 }.count
        let saturation = throughput.firstIndex { $0 >= 0.9 * (throughput.max() ?? 0) }.map { setup.batchSizes[$0] }
        result.verdicts.append(
            Verdict(
                "A larger batch processes data faster (more samples per second)",
                supported: drops == 0 && throughput.last! > 2 * throughput.first!,
                evidence: "samples/s " + zip(setup.batchSizes, throughput).map { "\($0): \(String(format: "%.0f", $1))" }.joined(separator: ", ")
                    + "; never drops by more than 10 % from one size to the next: \(drops == 0 ? "yes" : "no")"
                    + (saturation.map { "; within 10 % of the maximum from batch \($0) on (the cores are saturated)" } ?? "")))

        // Rank correlation of batch size with epochs to target (never reached = slowest).
        let epochs = constant.map { $0.epochsToTarget?.mean ?? Double(setup.epochs + 1) + Double($0.batch) / Double(n) }
        let rho = spearman(constant.map { Double($0.batch) }, epochs)
        result.verdicts.append(
            Verdict(
                "A larger batch needs more epochs to reach the same accuracy",
                supported: rho >= 0.8,
                evidence: "epochs to \(target): "
                    + constant.map { "\($0.batch): \($0.epochsToTarget?.formatted(digits: 1) ?? "not in \(setup.epochs)")" }.joined(separator: ", ")
                    + String(format: "; Spearman ρ(batch, epochs) = %.2f", rho)))

        let timed = constant.filter { $0.secondsToTarget != nil }
        let fastest = timed.min { $0.secondsToTarget!.mean < $1.secondsToTarget!.mean }
        let interiorTime = fastest.map { $0.batch != smallest.batch && $0.batch != largest.batch } ?? false
        // A size that never reached the target is only known to be slower if its whole budget took longer than the fastest.
        let unresolved = constant.filter { s in
            s.secondsToTarget == nil && Double(setup.epochs) * s.secondsPerEpoch.mean < (fastest?.secondsToTarget?.mean ?? 0)
        }
        result.verdicts.append(
            Verdict(
                "There is an optimal batch size for training time (between the smallest and the largest)",
                supported: interiorTime && timed.count >= 2 && unresolved.isEmpty,
                evidence: "training time to \(target): "
                    + constant.map { "\($0.batch): \($0.secondsToTarget?.formatted(digits: 2, unit: " s") ?? "not reached")" }.joined(separator: ", ")
                    + (fastest.map { "; fastest at batch \($0.batch)" } ?? "")
                    + (unresolved.isEmpty
                        ? ""
                        : "; undecided: batch " + unresolved.map { "\($0.batch)" }.joined(separator: ", ")
                            + " did not reach the target, but its whole \(setup.epochs)-epoch budget took less time than the fastest")))

        let best = highest(constant, \.finalValidation)
        let runnerUp = constant.filter { $0.batch != best.batch }.map { $0.finalValidation.mean }.filter(\.isFinite).max() ?? 0
        let margin = best.finalValidation.mean - runnerUp
        result.verdicts.append(
            Verdict(
                "There is an optimal batch size for final accuracy (between the smallest and the largest)",
                supported: best.batch != smallest.batch && best.batch != largest.batch,
                evidence: "final validation accuracy after \(setup.epochs) epochs: "
                    + constant.map { "\($0.batch): \($0.finalValidation.formatted(digits: 2, scale: 100, unit: " %"))" }.joined(separator: ", ")
                    + String(
                        format: "; best at batch %d, %.2f points above the next (seed std %.2f)", best.batch, margin * 100,
                        best.finalValidation.std * 100)))

        // Runs that learned and then fell back to chance (10 classes): the extreme form of "erratic".
        let collapsed = summaries.compactMap { s -> String? in
            let count = s.live.filter { run in (run.validationAccuracy.max() ?? 0) > 0.5 && run.finalValidation < 0.15 }.count
            return count > 0 ? "batch \(s.batch)\(s.scaled ? " (scaled lr)" : "") in \(count) of \(s.runs.count) seeds" : nil
        }
        if !collapsed.isEmpty {
            result.notes.append(
                "Collapsed — learned (over 50 % validation accuracy), then fell back to chance level (under 15 %) " + "without a NaN loss: "
                    + collapsed.joined(separator: "; ") + ".")
        }
        // Linear scaling, reported beside the constant rate.
        let scaledBest = highest(scaled, \.finalValidation)
        let scaledDiverged = scaled.filter { $0.live.count < $0.runs.count }.map { "\($0.batch)" }
        result.notes.append(
            "Linear learning-rate scaling (lr = \(setup.learningRate) × batch / \(setup.referenceBatch)): best final validation "
                + "accuracy \(scaledBest.finalValidation.formatted(digits: 2, scale: 100, unit: " %")) at batch \(scaledBest.batch)"
                + (scaledDiverged.isEmpty
                    ? "; no run diverged."
                    : "; diverged (NaN loss) at batch \(scaledDiverged.joined(separator: ", ")) — the rule needs a warm-up or a cap at large batches.")
        )
        result.notes.append(
            "Every run: MLP 784-128-64-10 (ReLU), plain mini-batch SGD\(setup.momentum == 0 ? "" : " with momentum \(setup.momentum)"), "
                + "z-scored inputs, \(n) training and \(result.numbers["validation_samples"] ?? 0) validation images from MNIST-5k, \(setup.epochs) epochs, "
                + "\(setup.seeds) seed(s) per setting (mean ± std), \(Parallel.threadCount) threads. Time per epoch is the median over the run's epochs "
                + "(training steps only, validation excluded); time to target = epochs to target × time per epoch. Loss-curve noise = std of the "
                + "iteration-to-iteration change of the training loss ÷ its mean over the second half; validation jitter = mean |change| of "
                + "validation accuracy between consecutive epochs over the second half.")

        var numbers: [String: any Sendable] = [:]
        for s in summaries {
            numbers["\(s.scaled ? "scaled" : "constant")/\(s.batch)"] =
                [
                    "batch_size": s.batch, "lr_scaling": s.scaled, "learning_rate": Double(s.learningRate),
                    "iterations_per_epoch": s.runs[0].iterationsPerEpoch, "seconds_per_epoch": s.secondsPerEpoch.json,
                    "samples_per_second": s.samplesPerSecond.json, "epochs_to_target": s.epochsToTarget?.json ?? [:] as [String: any Sendable],
                    "seconds_to_target": s.secondsToTarget?.json ?? [:] as [String: any Sendable], "reached_target": s.reached.count,
                    "diverged": s.runs.count - s.live.count, "final_validation_accuracy": s.finalValidation.json,
                    "final_test_accuracy": s.finalTest.json, "loss_noise": s.lossNoise.json, "validation_jitter": s.validationJitter.json,
                    "validation_accuracy_seed0": s.runs[0].validationAccuracy.map(Double.init),
                ] as [String: any Sendable]
        }
        result.numbers["runs"] = numbers
        result.numbers["setup"] =
            [
                "epochs": setup.epochs, "seeds": setup.seeds, "target": Double(setup.target),
                "learning_rate": Double(setup.learningRate), "reference_batch": setup.referenceBatch,
                "momentum": Double(setup.momentum), "training_samples": n, "threads": Parallel.threadCount,
            ] as [String: any Sendable]
    }
}

/// Spearman's rank correlation (average ranks for ties).
func spearman(_ a: [Double], _ b: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            for k in i...j { r[order[k]] = Double(i + j) / 2 }
            i = j + 1
        }
        return r
    }
    let ra = ranks(a)
    let rb = ranks(b)
    let ma = MeanStd(ra).mean
    let mb = MeanStd(rb).mean
    let cov = zip(ra, rb).map { ($0 - ma) * ($1 - mb) }.reduce(0, +)
    let va = ra.map { ($0 - ma) * ($0 - ma) }.reduce(0, +)
    let vb = rb.map { ($0 - mb) * ($0 - mb) }.reduce(0, +)
    return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
}
