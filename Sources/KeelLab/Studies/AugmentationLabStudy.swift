import Foundation
import Keel
import KeelData
import KeelTrain

/// The textbook augmentation claim: on a small training set, label-preserving random transformations act as
/// a regularizer — test accuracy rises and the gap between training and test accuracy shrinks.
public struct AugmentationLabStudy: Study {
    /// The command-line name.
    public let name = "augmentation"
    /// The report's heading.
    public let title = "Data augmentation"
    /// The claim under test.
    public let claim =
        "Random, label-preserving transformations of the training images (geometry, color, noise, "
        + "blur) enlarge a small training set: the model overfits less and generalizes better."
    /// The study.
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

    /// One training condition's runs over seeds.
    public struct Outcome: Codable, Sendable {
        var name: String
        var specs: [String]
        var test: [Double] = []
        /// Accuracy on the un-augmented training images, in evaluation mode.
        var train: [Double] = []
        var testCurves: [[Double]] = []
        var seconds: [Double] = []
        var diverged = 0
        var gap: MeanStd { MeanStd(zip(train, test).map { $0 - $1 }) }
        var testAccuracy: MeanStd { MeanStd(test) }
    }

    /// Every condition's runs and the shared settings.
    public struct Measurement: Codable, Sendable {
        var epochs: Int
        var seeds: Int
        var batchSize: Int
        var trainingImages: Int
        var testImages: Int
        var outcomes: [Outcome]

        var none: Outcome { outcomes.first { $0.specs.isEmpty }! }
        var full: Outcome { outcomes.last! }
        /// Each family alone: every condition but none and the full recipe.
        var families: [Outcome] { Array(outcomes.dropFirst().dropLast()) }
    }

    /// Trains the reference CNN on 1,000 images under each condition, over seeds.
    public func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement {
        let data = try PreparedData.prepare(.named("mnist-5k"), normalize: .standard, validationFraction: 0, seed: 0)
        let subset = Array(0..<min(1000, data.rawTrain.count))
        var m = Measurement(
            epochs: quick ? 12 : 30, seeds: quick ? min(seeds, 2) : seeds, batchSize: 32, trainingImages: subset.count,
            testImages: data.test.count, outcomes: [])
        for (c, condition) in Self.conditions.enumerated() {
            var outcome = Outcome(name: condition.name, specs: condition.specs)
            for seed in 0..<m.seeds {
                progress(Double(c * m.seeds + seed) / Double(Self.conditions.count * m.seeds), "\(condition.name), seed \(seed)")
                try train(condition.specs, data: data, subset: subset, m, seed: seed, into: &outcome)
            }
            m.outcomes.append(outcome)
        }
        return m
    }

    /// One run of the reference CNN on the subset, with `specs` applied to each training image.
    func train(_ specs: [String], data: PreparedData, subset: [Int], _ m: Measurement, seed: Int, into outcome: inout Outcome) throws {
        var g = KeelRandom(seed: UInt64(seed))
        let model = ReferenceModel.cnn.make(generator: &g)
        let steps = m.epochs * ((subset.count + m.batchSize - 1) / m.batchSize)
        let schedule = try Schedule.parse("one_cycle:max_lr=0.05,total_steps=\(steps)", defaultLearningRate: 0.05)
        let trainer = LabNetwork.trainer(
            model, SGD(model.namedParameters, learningRate: schedule, momentum: 0.9),
            name: "\(specs.isEmpty ? "none" : specs.joined(separator: "+"))-seed\(seed)")
        let train = data.train.subset(subset)
        let loader =
            specs.isEmpty
            ? DataLoader(train, batchSize: m.batchSize, seed: UInt64(seed))
            : DataLoader(
                data.rawTrain.subset(subset), batchSize: m.batchSize, seed: UInt64(seed), augmentation: try AugmentationPipeline.parse(specs),
                normalizer: data.normalizer)
        let started = ProcessInfo.processInfo.systemUptime
        if !(try LabNetwork.unlessDiverged { try trainer.fit(loader, validation: data.test, epochs: m.epochs) }) {
            outcome.diverged += 1  // evaluated with the weights before the NaN step
        }
        outcome.seconds.append(ProcessInfo.processInfo.systemUptime - started)
        outcome.testCurves.append(trainer.history.epochs.compactMap(\.validationAccuracy).map(Double.init))
        outcome.test.append(Double(trainer.evaluate(data.test).accuracy))
        outcome.train.append(Double(trainer.evaluate(train).accuracy))
    }

    /// The classic families on the embedded photo, and this study's conditions on a digit, as inline PNGs.
    func previews() throws -> [String] {
        let test = try MNIST.load(directory: MNIST.embeddedDirectory, split: .test)
        let original = Image(tensor: test.samples([0]).reshaped(test.sampleShape))
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
            try figure(photoGrid, "The classic augmentation families on a photo.", AugmentationPreview.families.map(\.name), jpeg: true),
            try figure(digitGrid, "This study's training conditions on an MNIST digit.", families.map(\.name)),
        ]
    }
}
