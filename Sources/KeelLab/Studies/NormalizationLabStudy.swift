import Foundation
import Keel
import KeelData
import KeelTrain

/// The seed's normalization claims: gradient descent zig-zags on raw features of different scales and goes
/// straight on standardized ones; normalized inputs reach a target accuracy in fewer epochs; normalization
/// inside a deeper network (batch norm) speeds training up too.
public struct NormalizationLabStudy: Study {
    public let name = "normalization"
    public let title = "Normalization"
    public let claim =
        "With features on different scales the loss contours are long ellipses and gradient descent "
        + "zig-zags; after normalization they are round, and training converges faster. Normalizing inside "
        + "the network (batch norm) speeds up a deeper network in the same way."
    public init() {}

    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult {
        var result = emptyResult(quick: quick)
        progress(0.02, "gradient descent, raw and standardized")
        gradientDescentPicture(into: &result)
        let seedCount = quick ? min(seeds, 2) : seeds
        let maxEpochs = quick ? 40 : 100
        try inputs(.named("wine"), "Wine", seeds: seedCount, maxEpochs: maxEpochs, into: &result) { progress(0.05 + 0.35 * $0, "wine, \($1)") }
        try inputs(.named("digits"), "Digits", seeds: seedCount, maxEpochs: maxEpochs / 2, into: &result) {
            progress(0.4 + 0.3 * $0, "digits, \($1)")
        }
        try batchNorm(seeds: seedCount, epochs: quick ? 8 : 15, into: &result) { progress(0.7 + 0.3 * $0, "batch norm, \($1)") }
        progress(1, "done")
        return result
    }

    /// The two-feature least-squares picture: contours with the raw and standardized trajectories.
    func gradientDescentPicture(into result: inout StudyResult) {
        let raw = ConvergenceExperiment.seedProblem()
        let standardized = raw.standardized
        let rawRun = raw.bestRun()
        let standardRun = standardized.bestRun()
        let w = raw.optimum
        let v = standardized.optimum
        // Axes to the same scale (404 × 316 px plot for 180 × 140 units), so the contours keep their true, elongated shape.
        var rawMap = HeatmapChart(
            title: "Raw features: loss over (w₁, w₂), axes to scale", xLabel: "w₁", yLabel: "w₂", xRange: -90...90,
            yRange: -100...40, values: raw.lossGrid(w1: -90...90, w2: -100...40, resolution: 61))
        rawMap.paths = [
            (
                "gradient descent, \(rawRun.iterationsToTolerance.map(String.init) ?? "no") iterations",
                rawRun.trajectory.prefix(400).map { ($0.0, $0.1) }, "#D55E00"
            )
        ]
        let span = 1.3 * max(abs(v.0), abs(v.1), 10)
        var standardMap = HeatmapChart(
            title: "Standardized features: loss over (w₁, w₂)", xLabel: "w₁", yLabel: "w₂",
            xRange: -span...span, yRange: -span...span,
            values: standardized.lossGrid(w1: -span...span, w2: -span...span, resolution: 40))
        standardMap.paths = [
            (
                "gradient descent, \(standardRun.iterationsToTolerance.map(String.init) ?? "no") iterations",
                standardRun.trajectory.map { ($0.0, $0.1) }, "#D55E00"
            )
        ]
        var curves = LineChart(title: "Loss gap to the optimum per iteration", xLabel: "iteration", yLabel: "loss − minimum")
        curves.logY = true
        let rawBest = raw.loss(w)
        let standardBest = standardized.loss(v)
        curves.series = [
            .init(
                name: String(format: "raw (lr %.3g)", rawRun.learningRate),
                points: rawRun.losses.enumerated().map { (Double($0.offset), max($0.element - rawBest, 1e-12)) }, color: LineChart.palette[1]),
            .init(
                name: String(format: "standardized (lr %.3g)", standardRun.learningRate),
                points: standardRun.losses.enumerated().map { (Double($0.offset), max($0.element - standardBest, 1e-12)) },
                color: LineChart.palette[0]),
        ]
        result.charts += [rawMap.svg(), standardMap.svg(), curves.svg()]
        result.verdicts.append(
            Verdict(
                "Gradient descent converges in fewer iterations on standardized features",
                supported: (standardRun.iterationsToTolerance ?? .max) < (rawRun.iterationsToTolerance ?? .max),
                evidence: "to 1e-6 of the initial loss gap at each problem's best stable learning rate: raw "
                    + "\(rawRun.iterationsToTolerance.map(String.init) ?? "never") (lr \(String(format: "%.3g", rawRun.learningRate))), standardized "
                    + "\(standardRun.iterationsToTolerance.map(String.init) ?? "never") (lr \(String(format: "%.3g", standardRun.learningRate)))"))
        result.numbers["gradient_descent"] =
            [
                "raw_iterations": rawRun.iterationsToTolerance ?? -1, "raw_learning_rate": rawRun.learningRate,
                "standardized_iterations": standardRun.iterationsToTolerance ?? -1,
                "standardized_learning_rate": standardRun.learningRate,
            ] as [String: any Sendable]
    }

    /// One table: epochs to 95 % validation accuracy per input normalization, over seeds, with curves.
    func inputs(
        _ source: DataSource, _ title: String, seeds: Int, maxEpochs: Int, into result: inout StudyResult,
        progress: (Double, String) -> Void
    ) throws {
        let methods: [Normalizer.Method] = [.none, .minmax, .standard, .log]
        var rows: [[String]] = []
        var table: [String: any Sendable] = [:]
        var chart = LineChart(
            title: "\(title): validation accuracy per epoch (mean ± std over seeds)", xLabel: "epoch", yLabel: "validation accuracy")
        chart.yDomain = 0...1
        var epochsToTarget: [Normalizer.Method: MeanStd?] = [:]
        var shape = ""
        for (m, method) in methods.enumerated() {
            var runs: [NormalizationStudy.Result] = []
            for seed in 0..<seeds {
                progress(Double(m * seeds + seed) / Double(methods.count * seeds), "\(method.rawValue), seed \(seed)")
                runs.append(
                    try NormalizationStudy.run(
                        source, method: method, seed: UInt64(seed), target: 0.95, maxEpochs: maxEpochs,
                        stopAtTarget: false))
            }
            shape = "\(runs[0].features)-64-32-\(runs[0].classes)"
            let reached = runs.compactMap(\.epochsToTarget)
            let summary = reached.count == runs.count ? MeanStd(reached.map(Double.init)) : nil
            epochsToTarget[method] = summary
            let final = MeanStd(runs.map { Double($0.validationAccuracy.count == maxEpochs ? $0.validationAccuracy.last! : .nan) })
            chart.series.append(
                .init(
                    name: method.rawValue, xs: (1...maxEpochs).map(Double.init),
                    runs: runs.map { $0.validationAccuracy.map(Double.init) }, color: LineChart.palette[m]))
            let diverged = runs.filter { $0.validationAccuracy.count < maxEpochs }.count
            rows.append([
                method.rawValue, runs.map { $0.epochsToTarget.map(String.init) ?? "—" }.joined(separator: ", "),
                summary?.formatted(digits: 1) ?? "not every seed (\(reached.count)/\(runs.count))",
                diverged > 0 ? "diverged (\(diverged)/\(runs.count))" : final.formatted(digits: 2, scale: 100, unit: " %"),
            ])
            table[method.rawValue] =
                [
                    "epochs_to_95_per_seed": runs.map { $0.epochsToTarget ?? -1 }, "epochs_to_95": summary?.json ?? [:] as [String: any Sendable],
                    "final_validation_accuracy": final.json, "diverged": diverged,
                    "validation_accuracy": runs.map { $0.validationAccuracy.map(Double.init) },
                ] as [String: any Sendable]
        }
        result.charts.append(chart.svg())
        result.tables.append(
            "<h3>\(escape(title))</h3>"
                + htmlTable(
                    [
                        "input normalization", "epochs to 95 % validation accuracy per seed",
                        "mean ± std", "validation accuracy after \(maxEpochs) epochs",
                    ], rows))
        let standard = epochsToTarget[.standard] ?? nil
        let none = epochsToTarget[.none] ?? nil
        let standardText = standard?.formatted(digits: 1) ?? "not every seed"
        let noneText = none?.formatted(digits: 1) ?? "not every seed"
        result.verdicts.append(
            Verdict(
                "On \(title.lowercased()), z-scored inputs reach 95 % validation accuracy in fewer epochs than raw inputs",
                supported: standard != nil && (none == nil || standard!.mean < none!.mean),
                evidence: "mean epochs: standard \(standardText), none \(noneText) (MLP \(shape), SGD momentum 0.9, lr 0.01, batch 16, "
                    + "at most \(maxEpochs) epochs); feature ranges in the training data: " + featureScales(source)))
        result.numbers[title.lowercased()] = table
    }

    /// "max − min from A to B": how different the scales of the raw features are.
    func featureScales(_ source: DataSource) -> String {
        guard let data = try? PreparedData.prepare(source, normalize: .none, validationFraction: 0.2, seed: 0) else { return "unknown" }
        let x = data.train.samples(Array(0..<data.train.count))
        let spans = zip(x.max(axes: [0]).scalars, x.min(axes: [0]).scalars).map { $0 - $1 }.filter { $0 > 0 }
        return String(format: "max − min from %.3g to %.4g", spans.min() ?? 0, spans.max() ?? 0)
    }

    /// A deeper MLP on MNIST-5k with and without batch norm after each hidden Linear layer, at two learning rates.
    func batchNorm(seeds: Int, epochs: Int, into result: inout StudyResult, progress: (Double, String) -> Void) throws {
        let data = try LabNetwork.mnistWithValidation()
        let sizes = [784] + Array(repeating: 128, count: 6) + [10]
        let target: Float = 0.92
        let settings: [(batchNorm: Bool, lr: Float)] = [(false, 0.01), (true, 0.01), (false, 0.1), (true, 0.1)]
        var chart = LineChart(title: "6 hidden layers (MNIST-5k): validation accuracy per epoch", xLabel: "epoch", yLabel: "validation accuracy")
        chart.yDomain = 0...1
        var rows: [[String]] = []
        var numbers: [String: any Sendable] = [:]
        var epochsTo: [String: Double] = [:]
        for (k, setting) in settings.enumerated() {
            var curves: [[Double]] = []
            var reached: [Int?] = []
            var seconds: [Double] = []
            let label = "\(setting.batchNorm ? "batch norm" : "plain"), lr \(setting.lr)"
            for seed in 0..<seeds {
                progress(Double(k * seeds + seed) / Double(settings.count * seeds), "\(label), seed \(seed)")
                let model = LabNetwork.mlp(sizes, .relu, seed: UInt64(seed + 7), batchNorm: setting.batchNorm)
                let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: setting.lr, momentum: 0.9))
                let finished = try LabNetwork.unlessDiverged {
                    try trainer.fit(DataLoader(data.train, batchSize: 64, seed: UInt64(seed + 7)), validation: data.validation, epochs: epochs)
                }
                let curve = trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init)
                curves.append(finished ? curve : curve + [.nan])
                reached.append(curve.firstIndex { $0 >= Double(target) }.map { $0 + 1 })
                seconds.append(trainer.history.epochs.map(\.seconds).reduce(0, +))
            }
            let all = reached.allSatisfy { $0 != nil } ? MeanStd(reached.map { Double($0!) }) : nil
            epochsTo[label] = all?.mean ?? .infinity
            chart.series.append(
                .init(
                    name: label, xs: (1...epochs).map(Double.init), runs: curves, color: LineChart.palette[k / 2],
                    dashed: !setting.batchNorm))
            let final = MeanStd(curves.map { $0.count == epochs ? $0.last! : .nan })
            rows.append([
                label, reached.map { $0.map(String.init) ?? "—" }.joined(separator: ", "), all?.formatted(digits: 1) ?? "not every seed",
                final.formatted(digits: 2, scale: 100, unit: " %"), MeanStd(seconds).formatted(digits: 2, unit: " s"),
            ])
            numbers[label] =
                [
                    "batch_norm": setting.batchNorm, "learning_rate": Double(setting.lr), "epochs_to_target_per_seed": reached.map { $0 ?? -1 },
                    "final_validation_accuracy": final.json, "seconds": MeanStd(seconds).json, "validation_accuracy": curves,
                ] as [String: any Sendable]
        }
        result.charts.append(chart.svg())
        result.tables.append(
            "<h3>Batch norm in a deeper network</h3>"
                + htmlTable(
                    [
                        "network", "epochs to \(Int(target * 100)) % per seed",
                        "mean ± std", "final validation accuracy", "training time",
                    ], rows))
        for lr: Float in [0.01, 0.1] {
            let plain = epochsTo["plain, lr \(lr)"] ?? .infinity
            let normed = epochsTo["batch norm, lr \(lr)"] ?? .infinity
            result.verdicts.append(
                Verdict(
                    "At lr \(lr), batch norm makes the 6-hidden-layer network reach \(Int(target * 100)) % validation accuracy in fewer epochs",
                    supported: normed < plain,
                    evidence: "mean epochs: batch norm \(normed.isFinite ? String(format: "%.1f", normed) : "not every seed"), plain "
                        + "\(plain.isFinite ? String(format: "%.1f", plain) : "not every seed") (within \(epochs) epochs)"))
        }
        result.numbers["batch_norm"] = numbers
        result.notes.append(
            "Input normalization: statistics fitted on the training split only; the same network, optimizer, learning rate "
                + "and seeds for every method; a run that diverges (NaN loss) never reaches the target. Batch norm: MLP 784-128×6-10, ReLU, PyTorch's "
                + "default initialization, SGD momentum 0.9, batch 64, z-scored inputs, BatchNorm1d after every hidden Linear layer.")
    }
}
