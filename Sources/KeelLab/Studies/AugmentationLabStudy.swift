import Foundation
import Keel
import KeelData
import KeelTrain

/// The seed's augmentation claim: on a small training set, label-preserving random transformations act as
/// a regularizer — test accuracy rises and the gap between training and test accuracy shrinks.
public struct AugmentationLabStudy: Study {
    public let name = "augmentation"
    public let title = "Data augmentation"
    public let claim =
        "Random, label-preserving transformations of the training images (geometry, color, noise, "
        + "blur) enlarge a small training set: the model overfits less and generalizes better."
    public init() {}

    /// The training conditions compared: none, each family alone, and the full recipe (decided before running).
    static let conditions: [(name: String, specs: [String])] = [
        ("none", []),
        ("rotation ±15°", ["random-affine:degrees=15"]),
        ("shift ±10 %", ["random-affine:translate=0.1"]),
        ("scale 0.85–1.15", ["random-affine:scale=0.85/1.15"]),
        ("random crop (pad 3)", ["random-crop:size=28,padding=3"]),
        ("scale jittering (28–36, crop 28)", ["scale-jitter:min=28,max=36,size=28"]),
        ("brightness/contrast ±40 %", ["color-jitter:brightness=0.4,contrast=0.4"]),
        ("Gaussian noise σ 0.1", ["noise:sigma=0.1"]),
        ("Gaussian blur σ 0.1–1", ["random-blur:kernel=3,sigma=0.1/1"]),
        ("horizontal flip", ["random-hflip"]),
        (
            "full recipe",
            [
                "random-affine:degrees=12,translate=0.1,scale=0.9/1.1", "color-jitter:brightness=0.2,contrast=0.2",
                "noise:sigma=0.05",
            ]
        ),
    ]

    struct Outcome {
        var test: [Double] = []
        var train: [Double] = []
        var testCurves: [[Double]] = []
        var seconds: [Double] = []
        var diverged = 0
        var gap: MeanStd { MeanStd(zip(train, test).map { $0 - $1 }) }
    }

    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult {
        var result = emptyResult(quick: quick)
        let data = try PreparedData.prepare(.named("mnist-5k"), normalize: .standard, validationFraction: 0, seed: 0)
        progress(0, "preview grids")
        result.charts += try previews(digit: Image(tensor: data.rawTest.samples([0]).reshaped(data.rawTest.sampleShape)))
        let subset = Array(0..<min(1000, data.rawTrain.count))
        let rawTrain = data.rawTrain.subset(subset)
        let train = data.train.subset(subset)
        let epochs = quick ? 12 : 30
        let seedCount = quick ? min(seeds, 2) : seeds
        let batchSize = 32
        var outcomes: [Outcome] = []
        for (c, condition) in Self.conditions.enumerated() {
            var outcome = Outcome()
            for seed in 0..<seedCount {
                progress(
                    0.02 + 0.98 * Double(c * seedCount + seed) / Double(Self.conditions.count * seedCount),
                    "\(condition.name), seed \(seed)")
                var g = KeelRandom(seed: UInt64(seed))
                let model = ReferenceModel.cnn.make(generator: &g)
                let steps = epochs * ((subset.count + batchSize - 1) / batchSize)
                let trainer = Trainer(
                    model: model,
                    optimizer: SGD(
                        model.namedParameters,
                        learningRate: try Schedule.parse("one_cycle:max_lr=0.05,total_steps=\(steps)", defaultLearningRate: 0.05), momentum: 0.9))
                let loader =
                    condition.specs.isEmpty
                    ? DataLoader(train, batchSize: batchSize, seed: UInt64(seed))
                    : DataLoader(
                        rawTrain, batchSize: batchSize, seed: UInt64(seed), augmentation: try AugmentationPipeline.parse(condition.specs),
                        normalizer: data.normalizer)
                let started = ProcessInfo.processInfo.systemUptime
                if !(try LabNetwork.unlessDiverged { try trainer.fit(loader, validation: data.test, epochs: epochs) }) {
                    outcome.diverged += 1  // evaluated with the weights before the NaN step
                }
                outcome.seconds.append(ProcessInfo.processInfo.systemUptime - started)
                outcome.testCurves.append(trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init))
                outcome.test.append(Double(trainer.evaluate(data.test).accuracy))
                outcome.train.append(Double(trainer.evaluate(train).accuracy))
            }
            outcomes.append(outcome)
        }
        report(outcomes, epochs: epochs, seeds: seedCount, trainCount: subset.count, testCount: data.test.count, into: &result)
        progress(1, "done")
        return result
    }

    /// The seed's families on the embedded photo, and this study's conditions on a digit, as inline PNGs.
    func previews(digit original: Image) throws -> [String] {
        var photo = try Image.read(EmbeddedPhoto.flower)
        photo = photo.resizedBilinear(height: 107, width: 160)
        let photoGrid = AugmentationPreview.grid(photo, columns: 6, seed: 0)
        let digit = original.resizedNearest(height: 84, width: 84)
        let families = Self.conditions.dropFirst().map { condition in
            let pipeline = try! AugmentationPipeline.parse(
                condition.specs.map {
                    $0.replacingOccurrences(of: "size=28", with: "size=84")
                        .replacingOccurrences(of: "min=28,max=36", with: "min=84,max=108").replacingOccurrences(of: "padding=3", with: "padding=9")
                })
            return AugmentationPreview.Family(name: condition.name) { image, g in pipeline.apply(image, generator: &g, fill: 0) }
        }
        let digitGrid = AugmentationPreview.grid(digit, families: Array(families), columns: 6, seed: 0)
        // The photo grid as JPEG (a twelfth of the PNG's size), the digit grid as PNG (sharp edges, few colours).
        func figure(_ image: Image, _ caption: String, _ rows: [String], jpeg: Bool = false) throws -> String {
            let encoded =
                jpeg
                ? "image/jpeg;base64,\(try image.jpegData(quality: 85).base64EncodedString())"
                : "image/png;base64,\(try image.pngData().base64EncodedString())"
            return "<img alt=\"\(escape(caption))\" src=\"data:\(encoded)\" width=\"\(image.width)\">" + "<figcaption>\(escape(caption)) Rows: "
                + rows.enumerated().map { "\($0.offset + 1). \(escape($0.element))" }.joined(separator: "; ")
                + ". The first column is the original; each other column is one random draw.</figcaption>"
        }
        return [
            try figure(photoGrid, "The seed's augmentation families on a photo.", AugmentationPreview.families.map(\.name), jpeg: true),
            try figure(digitGrid, "This study's training conditions on an MNIST digit.", families.map(\.name)),
        ]
    }

    func report(_ outcomes: [Outcome], epochs: Int, seeds: Int, trainCount: Int, testCount: Int, into result: inout StudyResult) {
        let conditions = Self.conditions
        var rows: [[String]] = []
        var numbers: [String: any Sendable] = [:]
        for (condition, o) in zip(conditions, outcomes) {
            rows.append([
                condition.name, condition.specs.isEmpty ? "—" : condition.specs.joined(separator: " + "),
                MeanStd(o.test).formatted(digits: 2, scale: 100, unit: " %"), MeanStd(o.train).formatted(digits: 2, scale: 100, unit: " %"),
                o.gap.formatted(digits: 2, scale: 100, unit: " points"),
                MeanStd(o.seconds).formatted(digits: 1, unit: " s") + (o.diverged > 0 ? " (NaN loss in \(o.diverged) seeds: stopped early)" : ""),
            ])
            numbers[condition.name] =
                [
                    "specs": condition.specs, "test_accuracy": MeanStd(o.test).json, "train_accuracy": MeanStd(o.train).json,
                    "train_test_gap": o.gap.json, "seconds": MeanStd(o.seconds).json,
                    "test_accuracy_per_seed": o.test, "test_accuracy_per_epoch_seed0": o.testCurves.first ?? [],
                ] as [String: any Sendable]
        }
        result.tables.append(
            htmlTable(
                [
                    "training augmentation", "specs", "test accuracy", "training accuracy (un-augmented)",
                    "train − test gap", "training time",
                ], rows))
        var curves = LineChart(title: "Test accuracy per epoch: none, each family, full recipe", xLabel: "epoch", yLabel: "test accuracy")
        for (i, (condition, o)) in zip(conditions, outcomes).enumerated() where i == 0 || i == conditions.count - 1 || i % 3 == 1 {
            curves.series.append(
                .init(
                    name: condition.name, xs: (1...epochs).map(Double.init), runs: o.testCurves,
                    color: LineChart.palette[curves.series.count % LineChart.palette.count]))
        }
        result.charts.append(curves.svg())
        var accuracy = BarChart(
            title: "Test accuracy per training condition (mean ± std over seeds)", valueLabel: "test accuracy (%)",
            categories: conditions.map(\.name))
        let low = outcomes.map { MeanStd($0.test).mean * 100 }.min() ?? 0
        accuracy.domain = max(0, floor(low / 5) * 5 - 5)...100
        accuracy.valueFormat = "%.2f"
        accuracy.series = [
            .init(
                name: "test accuracy", values: outcomes.map { MeanStd($0.test).mean * 100 },
                errors: outcomes.map { MeanStd($0.test).std * 100 }, color: LineChart.palette[0])
        ]
        result.charts.append(accuracy.svg())
        var gaps = BarChart(title: "Overfitting: training − test accuracy", valueLabel: "gap (percentage points)", categories: conditions.map(\.name))
        gaps.valueFormat = "%.2f"
        gaps.series = [
            .init(
                name: "gap", values: outcomes.map { $0.gap.mean * 100 }, errors: outcomes.map { $0.gap.std * 100 },
                color: LineChart.palette[1])
        ]
        result.charts.append(gaps.svg())

        let none = outcomes[0]
        let full = outcomes[outcomes.count - 1]
        let noneTest = MeanStd(none.test)
        let fullTest = MeanStd(full.test)
        result.verdicts.append(
            Verdict(
                "The full augmentation recipe raises test accuracy on a 1,000-image training set",
                supported: fullTest.mean > noneTest.mean,
                evidence:
                    "test accuracy: none \(noneTest.formatted(digits: 2, scale: 100, unit: " %")), full recipe \(fullTest.formatted(digits: 2, scale: 100, unit: " %"))"
            ))
        result.verdicts.append(
            Verdict(
                "Augmentation reduces overfitting (a smaller train − test gap)",
                supported: full.gap.mean < none.gap.mean,
                evidence: "train − test gap: none \(none.gap.formatted(digits: 2, scale: 100, unit: " points")), full recipe "
                    + "\(full.gap.formatted(digits: 2, scale: 100, unit: " points"))"))
        let families = Array(zip(conditions, outcomes).dropFirst().dropLast())
        let helping = families.filter { MeanStd($0.1.test).mean > noneTest.mean }.map(\.0.name)
        let hurting = families.filter { MeanStd($0.1.test).mean < noneTest.mean }.map(\.0.name)
        result.verdicts.append(
            Verdict(
                "Each label-preserving family helps on its own",
                supported: hurting.allSatisfy { $0 == "horizontal flip" } && helping.count >= families.count - 1,
                evidence: "better than none: " + (helping.isEmpty ? "none" : helping.joined(separator: ", ")) + "; worse: "
                    + (hurting.isEmpty ? "none" : hurting.joined(separator: ", "))))
        let flip = outcomes[conditions.firstIndex { $0.name == "horizontal flip" }!]
        result.verdicts.append(
            Verdict(
                "A transformation that does not preserve the label (mirroring digits) does not help",
                supported: MeanStd(flip.test).mean <= noneTest.mean + noneTest.std,
                evidence:
                    "horizontal flip \(MeanStd(flip.test).formatted(digits: 2, scale: 100, unit: " %")) vs none \(noneTest.formatted(digits: 2, scale: 100, unit: " %"))"
            ))
        result.notes.append(
            "Every run: the reference CNN, SGD momentum 0.9 with one-cycle to lr 0.05, batch 32, \(epochs) epochs, "
                + "\(trainCount) training images of MNIST-5k (z-scored after augmentation) and the \(testCount)-image test split, "
                + "\(seeds) seed(s) per condition (mean ± std). Training accuracy is measured on the un-augmented training images in "
                + "evaluation mode. PCA (AlexNet) lighting and hue/saturation need colour images: they are shown in the photo preview only.")
        result.numbers["conditions"] = numbers
        result.numbers["setup"] =
            [
                "epochs": epochs, "seeds": seeds, "training_images": trainCount, "test_images": testCount,
                "batch_size": 32,
            ] as [String: any Sendable]
    }
}
