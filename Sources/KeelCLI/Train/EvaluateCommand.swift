import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelLab
import KeelTrain

/// `keel evaluate --model DIR`: loss, accuracy and the per-class report of a trained model on a test split, with the
/// normalizer saved at training time.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model on the test split of its dataset: accuracy, loss, confusion matrix, per-class scores.",
        discussion: """
            Prints accuracy, loss, macro and weighted F1, top-k accuracy, the expected calibration error and the \
            per-class table (precision, recall, F1, support); --json adds the confusion matrix. --predictions writes \
            one CSV row per test sample, --report an HTML page with the confusion matrix, a reliability diagram and \
            the most confidently wrong images.
            """)

    @Option(help: "A folder written by `keel train`.") var model: String
    @Option(help: "Another dataset of the same kind (default: the one the model was trained on).") var dataset: String?
    @Option(help: "test (default) or validation: the split the training run held out (its val_loss and val_accuracy).")
    var split: EvaluationSplit = .test
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Write index,true,predicted,probability_0,… for every test sample to this CSV file.") var predictions: String?
    @Option(help: "Write report.html (confusion matrix, per-class table, reliability diagram, mistakes) into this folder.")
    var report: String?
    @OptionGroup var kernels: KernelOptions
    @OptionGroup var imageLimits: ImageLimitOptions

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            imageLimits.apply()
            var (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            if let dataset { description.dataset = dataset }
            let data = try description.testData()
            let samples: any Dataset
            switch split {
            case .test: samples = data.test
            case .validation:
                guard let validation = data.validation else {
                    throw CLIError("--split validation: \(model) was trained without a validation split (--validation-fraction)")
                }
                samples = validation
            }
            // One pass: the loss and accuracy, and every output for the scores.
            let outputs = EvaluationOutputs()
            let result = Metrics.evaluate(network, on: samples, outputs: outputs.append)
            if let scaler = data.targetScaler {
                try reportRegression(
                    RegressionMetrics(outputs: outputs.tensor, dataset: samples, scaler: scaler), description, samples: samples.count)
                return
            }
            let probabilities = outputs.tensor.softmax(axis: 1)
            let scores = ClassificationReport(probabilities: probabilities, labels: samples.labels)
            if let predictions { try writePredictions(probabilities, labels: samples.labels, to: predictions) }
            if report != nil { try writeReport(scores, probabilities, description, data, raw: split == .test ? data.rawTest : nil) }
            if json {
                var object = scores.jsonObject(classNames: description.classNames)
                object.merge(
                    [
                        "accuracy": Double(result.accuracy), "loss": Double(result.loss), "samples": samples.count, "split": split.rawValue,
                        "model": description.model,
                    ], uniquingKeysWith: { $1 })
                print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(
                    String(
                        format: "%@ on %d %@ samples: accuracy %.2f%%, loss %.4f", description.model, samples.count, split.rawValue,
                        result.accuracy * 100, result.loss))
                printScores(scores, classNames: description.classNames)
            }
        }
    }

    func printScores(_ s: ClassificationReport, classNames: [String]?) {
        print(
            String(format: "macro F1 %.4f, weighted F1 %.4f, expected calibration error %.4f", s.macroF1, s.weightedF1, s.expectedCalibrationError)
                + s.topKAccuracy.keys.sorted().filter { $0 > 1 }.map { String(format: ", top-%d accuracy %.2f%%", $0, s.topKAccuracy[$0]! * 100) }
                .joined())
        print("class".padding(toLength: 16, withPad: " ", startingAt: 0) + " precision  recall      f1  support")
        for (c, scores) in s.perClass.enumerated() {
            let name = classNames.flatMap { $0.indices.contains(c) ? $0[c] : nil } ?? "\(c)"
            print(
                String(name.prefix(16)).padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: " %9.4f %7.4f %7.4f %8d", scores.precision, scores.recall, scores.f1, scores.support))
        }
    }

    /// index,true,predicted,probability_0,… — one row per test sample, written atomically.
    func writePredictions(_ probabilities: Tensor, labels: [Int32], to path: String) throws {
        let classes = probabilities.shape[1]
        let p = probabilities.scalars
        var text = "index,true,predicted," + (0..<classes).map { "probability_\($0)" }.joined(separator: ",") + "\n"
        for (i, label) in labels.enumerated() {
            let row = p[(i * classes)..<((i + 1) * classes)]
            let predicted = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! - i * classes
            text += "\(i),\(label),\(predicted)," + row.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// report.html in the --report folder (created if needed), with up to 16 of the most confidently wrong images.
    func writeReport(
        _ scores: ClassificationReport, _ probabilities: Tensor, _ description: ModelDescription, _ data: PreparedData, raw: (any Dataset)?
    ) throws {
        let folder = URL(fileURLWithPath: report!)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let classes = probabilities.shape[1]
        let p = probabilities.scalars
        var mistakes: [EvaluationReportPage.Mistake] = []
        if let raw, description.inputShape.count == 3 && [1, 3].contains(description.inputShape[0]) {
            let wrong = raw.labels.indices.compactMap { i -> (Int, Int, Float)? in
                let row = p[(i * classes)..<((i + 1) * classes)]
                let predicted = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! - i * classes
                return predicted == Int(raw.labels[i]) ? nil : (i, predicted, row[predicted + i * classes])
            }.sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }.prefix(16)
            for (i, predicted, confidence) in wrong {
                let image = Image(tensor: data.rawTest.samples([i]).reshaped(description.inputShape))
                mistakes.append(
                    .init(index: i, truth: Int(raw.labels[i]), predicted: predicted, confidence: Double(confidence), png: try image.pngData()))
            }
        }
        let page = EvaluationReportPage(
            report: scores, title: "\(description.model) on \(description.dataset): \(probabilities.shape[0]) \(split.rawValue) samples",
            classNames: description.classNames, mistakes: mistakes)
        try AtomicFile.write(Data(page.html().utf8), to: folder.appendingPathComponent("report.html"))
    }
}

/// Which split `keel evaluate` scores.
enum EvaluationSplit: String, ExpressibleByArgument, CaseIterable { case test, validation }

extension EvaluateCommand {
    /// MAE, RMSE and R² in the target's units.
    func reportRegression(_ m: RegressionMetrics, _ description: ModelDescription, samples: Int) throws {
        if json {
            let object: [String: Any] = [
                "mae": m.meanAbsoluteError, "rmse": m.rootMeanSquaredError, "r2": m.r2, "samples": samples, "split": "test",
                "model": description.model, "task": "regression",
            ]
            print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(
                String(
                    format: "%@ on %d test samples: MAE %.4g, RMSE %.4g, R² %.4f", description.model, samples, m.meanAbsoluteError,
                    m.rootMeanSquaredError, m.r2))
        }
    }
}

/// `keel predict --model DIR INPUT…`: the predicted class and probabilities of each input, given raw (the
/// saved normalizer is applied). An input is a test-split index (`#12`), an IDX file of images, a raw file
/// of H·W bytes, or, for tables, `--features v1,v2,…` (raw feature values).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict classes (or regression values) of inputs: test indices like #12, PNG/JPEG, IDX or raw image files, --features.")

    @Option(help: "A folder written by `keel train`.") var model: String
    @Option(help: "Raw feature values of one table row, comma-separated (repeatable). Use --features=-1,2 for negatives.")
    var features: [String] = []
    @Argument(help: "#INDEX of the test split, an IDX file, or a raw image file.") var inputs: [String] = []
    @Flag(help: "Print one JSON object per input (with probabilities and logits).") var json = false
    @OptionGroup var kernels: KernelOptions
    @OptionGroup var imageLimits: ImageLimitOptions

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            imageLimits.apply()
            let (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            // The test split before normalization (what #INDEX refers to), prepared only when asked for.
            let test = inputs.contains { $0.hasPrefix("#") } ? try description.testData().rawTest : nil
            let samples =
                try featureSamples(size: description.inputShape.reduce(1, *)) + inputs.flatMap { try self.samples(of: $0, description, test) }
            guard !samples.isEmpty else { throw CLIError("no inputs (give #INDEX, files or --features)") }
            let batch = Tensor(shape: [samples.count] + description.inputShape, scalars: samples.flatMap(\.values))
            try description.normalizer.check(fits: batch.shape, source: "input")
            let logits = withoutGradients { network(description.normalizer.apply(batch)) }
            if let scaler = description.targetScaler, description.task == .regression {
                try reportValues(samples, values: scaler.invert(logits), test: test)
            } else {
                try report(samples, logits: logits, description)
            }
        }
    }

    /// The --features rows, each a raw table row of `size` values.
    func featureSamples(size: Int) throws -> [Sample] {
        try features.map { row in
            let values = try row.split(separator: ",").map { part -> Float in
                guard let v = Float(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    throw CLIError("--features: '\(part)' is not a finite number")
                }
                return v
            }
            guard values.count == size else { throw CLIError("--features: \(values.count) values, the model expects \(size)") }
            return (row, values, nil)
        }
    }

    /// One input: #INDEX of the test split, a raw image of the model's size, a PNG/JPEG, or an IDX file of images.
    func samples(of input: String, _ description: ModelDescription, _ test: (any Dataset)?) throws -> [Sample] {
        let (shape, size) = (description.inputShape, description.inputShape.reduce(1, *))
        if input.hasPrefix("#") {
            guard let index = Int(input.dropFirst()) else { throw CLIError("'\(input)': expected #INDEX, e.g. #12") }
            guard let test, index >= 0 && index < test.count else {
                throw CLIError("'\(input)': index out of range (the test split has \(test?.count ?? 0) samples)")
            }
            return [(input, test.samples([index]).scalars, test.labels[index])]
        }
        let url = URL(fileURLWithPath: input)
        let bytes = try InputFile.read(url, maxBytes: 1 << 32)
        if bytes.count == size { return [(input, bytes.map { Float($0) / 255 }, nil)] }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) || bytes.starts(with: [0xFF, 0xD8]) {
            return [(input, try Self.pixels(of: Image.decode(bytes, path: input), shape: shape, input: input), nil)]
        }
        let isIDX = bytes.starts(with: [0, 0]) || bytes.starts(with: [0x1F, 0x8B])  // raw or gzipped
        guard bytes.count >= 4, isIDX else {
            throw CLIError(
                "\(input): neither a raw image of \(size) bytes (the model's input \(shape)), a PNG/JPEG, nor an IDX file (\(bytes.count) bytes)")
        }
        let idx = try IDX.read(url)
        let per = idx.shape.suffix(2).reduce(1, *)
        guard per == size else {
            throw CLIError("\(input): IDX images of shape \(Array(idx.shape.suffix(2))) do not match the model's input \(shape)")
        }
        return (0..<(idx.bytes.count / per)).map { i in
            ("\(input)[\(i)]", idx.bytes[(i * per)..<((i + 1) * per)].map { Float($0) / 255 }, nil)
        }
    }

    /// Prints each input's predicted value(s) in the target's units, with the true value for #INDEX inputs.
    func reportValues(_ samples: [Sample], values: Tensor, test: (any Dataset)?) throws {
        let width = values.shape[1]
        for (i, sample) in samples.enumerated() {
            let predicted = values.scalars[(i * width)..<((i + 1) * width)].map(Double.init)
            let truth = sample.name.hasPrefix("#") ? Int(sample.name.dropFirst()).flatMap { test?.targets([$0])?.scalars.map(Double.init) } : nil
            if json {
                var object: [String: Any] = ["input": sample.name, "prediction": predicted]
                if let truth { object["true_value"] = truth }
                print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                let text = predicted.map { String(format: "%.4g", $0) }.joined(separator: ", ")
                print(
                    "\(sample.name): \(text)" + (truth.map { "; true value " + $0.map { String(format: "%.4g", $0) }.joined(separator: ", ") } ?? ""))
            }
        }
    }

    /// Prints each input's class and probability (or one JSON object with probabilities and logits).
    func report(_ samples: [Sample], logits: Tensor, _ description: ModelDescription) throws {
        let probabilities = logits.softmax(axis: 1)
        let (classes, p, z) = (probabilities.shape[1], probabilities.scalars, logits.scalars)
        for (i, sample) in samples.enumerated() {
            let row = Array(p[(i * classes)..<((i + 1) * classes)])
            let predicted = row.indices.max { row[$0] < row[$1] }!
            func named(_ k: Int) -> String { description.classNames.map { $0.indices.contains(k) ? " (\($0[k]))" : "" } ?? "" }
            guard json else {
                let truth = sample.label.map { "; true class \($0)\(named(Int($0)))" } ?? ""
                print(String(format: "%@: class %d%@ (p = %.3f)%@", sample.name, predicted, named(predicted), row[predicted], truth))
                continue
            }
            var object: [String: Any] = [
                "input": sample.name, "class": predicted, "probabilities": row.map(Double.init),
                "logits": z[(i * classes)..<((i + 1) * classes)].map(Double.init),
            ]
            if let label = sample.label { object["true_class"] = Int(label) }
            if description.inputShape.count == 1 { object["features"] = sample.values.map { Double("\($0)")! } }  // raw table row
            print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}

extension PredictCommand {
    /// An input's name and its raw values.
    typealias Sample = (name: String, values: [Float], label: Int32?)

    /// An image's pixels in [0, 1] for a model of input `shape` [C, H, W]: resized to H × W, converted to C channels.
    static func pixels(of image: Image, shape: [Int], input: String) throws -> [Float] {
        guard shape.count == 3, [1, 3].contains(shape[0]) else {
            throw CLIError("\(input): the model takes samples of shape \(shape), not images")
        }
        // Resized (bilinear) to the model's input, as `--image-size` resizes image folders in training.
        let sized = image.height == shape[1] && image.width == shape[2] ? image : image.resizedBilinear(height: shape[1], width: shape[2])
        var rgb = sized.dropAlpha()
        if shape[0] == 1 && rgb.channels == 3 { rgb = rgb.grayscale(outputChannels: 1) }
        if shape[0] == 3 && rgb.channels == 1 {
            rgb = Image(width: rgb.width, height: rgb.height, channels: 3, pixels: rgb.pixels.flatMap { [$0, $0, $0] })
        }
        return rgb.tensor.scalars
    }
}

/// Runs `body`, printing user-facing errors as one line and exiting with status 1 (anything else propagates).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        // Every other failure is one line on stderr and exit status 1.
        let message: String
        switch error {
        case let error as CocoaError: message = fileProblem(error)
        case is DecodingError: message = DecodingProblem.describe(error)
        case let error as EncodingError:
            if case .invalidValue(let value, let context) = error {
                message = "cannot write \(value) at \(context.codingPath.map(\.stringValue).joined(separator: ".")) as JSON"
            } else {
                message = "cannot write JSON (\(error))"
            }
        default: message = String(describing: error)
        }
        FileHandle.standardError.write(Data("error: \(FileError.oneLine(message))\n".utf8))
        throw ExitCode(1)
    }
}

/// "PATH: reason" for a Foundation file error (the POSIX reason when there is one).
func fileProblem(_ error: CocoaError) -> String {
    let path = error.filePath ?? error.url?.path ?? "file"
    let underlying = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map { $0 as NSError }
    let reason = underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : $0.localizedDescription }
    return "\(path): \(reason ?? "cannot be read or written (\(error.code.rawValue))")"
}
