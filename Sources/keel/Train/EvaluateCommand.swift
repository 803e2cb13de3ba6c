import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelTrain

/// `keel evaluate --model DIR`: loss and accuracy of a trained model on a test split, with the normalizer
/// saved at training time.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate a trained model on the test split of its dataset.")

    @Option(help: "A folder written by `keel train`.") var model: String
    @Option(help: "Another dataset of the same kind (default: the one the model was trained on).") var dataset: String?
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var kernels: KernelOptions

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            var (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            if let dataset { description.dataset = dataset }
            let data = try description.testData()
            let result = Metrics.evaluate(network, on: data.test) { crossEntropy(logits: $0, labels: $1) }
            if json {
                let object: [String: Any] = ["accuracy": Double(result.accuracy), "loss": Double(result.loss),
                                             "samples": data.test.count, "split": "test", "model": description.model]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(String(format: "%@ on %d test samples: accuracy %.2f%%, loss %.4f", description.model, data.test.count,
                             result.accuracy * 100, result.loss))
            }
        }
    }
}

/// `keel predict --model DIR INPUT…`: the predicted class and probabilities of each input, given raw (the
/// saved normalizer is applied). An input is a test-split index (`#12`), an IDX file of images, a raw file
/// of H·W bytes, or, for tables, `--features v1,v2,…` (raw feature values).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict classes of raw inputs (test indices like #12, IDX or raw image files, --features).")

    @Option(help: "A folder written by `keel train`.") var model: String
    @Option(help: "Raw feature values of one table row, comma-separated (repeatable). Use --features=-1,2 for negatives.")
    var features: [String] = []
    @Argument(help: "#INDEX of the test split, an IDX file, or a raw image file.") var inputs: [String] = []
    @Flag(help: "Print one JSON object per input (with probabilities and logits).") var json = false
    @OptionGroup var kernels: KernelOptions

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            let (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            let shape = description.inputShape
            let size = shape.reduce(1, *)
            var samples: [(name: String, values: [Float])] = []
            var data: PreparedData?
            for row in features {
                let values = try row.split(separator: ",").map { part -> Float in
                    guard let v = Float(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                        throw CLIError("--features: '\(part)' is not a finite number")
                    }
                    return v
                }
                guard values.count == size else { throw CLIError("--features: \(values.count) values, the model expects \(size)") }
                samples.append((row, values))
            }
            for input in inputs {
                if input.hasPrefix("#") {
                    guard let index = Int(input.dropFirst()) else { throw CLIError("'\(input)': expected #INDEX, e.g. #12") }
                    if data == nil { data = try description.testData() }
                    guard index >= 0 && index < data!.rawTest.count else {
                        throw CLIError("'\(input)': index out of range (the test split has \(data!.rawTest.count) samples)")
                    }
                    samples.append((input, data!.rawTest.samples([index]).scalars))
                    continue
                }
                let url = URL(fileURLWithPath: input)
                guard let bytes = try? Data(contentsOf: url) else { throw CLIError("\(input): file not found or unreadable") }
                if bytes.count == size {
                    samples.append((input, bytes.map { Float($0) / 255 }))
                    continue
                }
                let idx = try IDX.read(url)
                let per = idx.shape.suffix(2).reduce(1, *)
                guard per == size else {
                    throw CLIError("\(input): IDX images of shape \(Array(idx.shape.suffix(2))) do not match the model's input \(shape)")
                }
                for i in 0..<(idx.bytes.count / per) {
                    samples.append(("\(input)[\(i)]", idx.bytes[(i * per)..<((i + 1) * per)].map { Float($0) / 255 }))
                }
            }
            guard !samples.isEmpty else { throw CLIError("no inputs (give #INDEX, files or --features)") }
            let batch = Tensor(shape: [samples.count] + shape, scalars: samples.flatMap(\.values))
            try description.normalizer.check(fits: batch.shape, source: "input")
            let logits = withoutGradients { network(description.normalizer.apply(batch)) }
            let probabilities = logits.softmax(axis: 1)
            let classes = probabilities.shape[1]
            let p = probabilities.scalars, z = logits.scalars
            for (i, sample) in samples.enumerated() {
                let row = Array(p[(i * classes)..<((i + 1) * classes)])
                let predicted = row.indices.max { row[$0] < row[$1] }!
                let className = description.classNames.map { $0.indices.contains(predicted) ? " (\($0[predicted]))" : "" } ?? ""
                if json {
                    var object: [String: Any] = ["input": sample.name, "class": predicted, "probabilities": row.map(Double.init),
                                                 "logits": z[(i * classes)..<((i + 1) * classes)].map(Double.init)]
                    if shape.count == 1 { object["features"] = sample.values.map { Double("\($0)")! } }  // raw table row
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    print(String(format: "%@: class %d%@ (p = %.3f)", sample.name, predicted, className, row[predicted]))
                }
            }
        }
    }
}

/// Runs `body`, printing user-facing errors as one line and exiting with status 1 (anything else propagates).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        let message: String
        switch error {
        case let error as CocoaError: message = fileProblem(error)
        case is CLIError, is DataError, is TrainingError, is SafeTensorsError: message = String(describing: error)
        default: throw error
        }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
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
