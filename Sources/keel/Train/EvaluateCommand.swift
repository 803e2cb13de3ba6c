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
    @Option(help: "mnist-5k or an MNIST-format folder (default: the one the model was trained on).") var dataset: String?
    @Option(help: "Split: train or test.") var split: String = "test"
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard MNIST.Split(rawValue: split) != nil else { throw ValidationError("--split must be train or test, got '\(split)'") }
    }

    func run() throws {
        try reportingErrors {
            let (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            let data = try loadImageDataset(dataset ?? description.dataset, split: MNIST.Split(rawValue: split)!)
            guard data.sampleShape == description.inputShape else {
                throw CLIError("the dataset's samples have shape \(data.sampleShape) but the model expects \(description.inputShape)")
            }
            let normalized = data.mapFeatures(description.normalizer.apply)
            let result = Metrics.evaluate(network, on: normalized) { crossEntropy(logits: $0, labels: $1) }
            if json {
                let object: [String: Any] = ["accuracy": Double(result.accuracy), "loss": Double(result.loss),
                                             "samples": data.count, "split": split, "model": description.model]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(String(format: "%@ on %d %@ samples: accuracy %.2f%%, loss %.4f", description.model, data.count, split,
                             result.accuracy * 100, result.loss))
            }
        }
    }
}

/// `keel predict --model DIR INPUT…`: the predicted class and probabilities of each input. An input is a
/// test-split index (`#12`), an IDX file of 28×28 images (each image is predicted), or a raw file of 784
/// bytes (one 28×28 grayscale image, row-major).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict the class of images (test-set indices like #12, IDX files, raw 784-byte files).")

    @Option(help: "A folder written by `keel train`.") var model: String
    @Argument(help: "#INDEX of the test split, an IDX file, or a raw 28×28 byte file.") var inputs: [String]
    @Flag(help: "Print one JSON object per image.") var json = false

    func run() throws {
        try reportingErrors {
            let (description, network) = try ModelDescription.load(from: URL(fileURLWithPath: model))
            let shape = description.inputShape
            let size = shape.reduce(1, *)
            var images: [(name: String, pixels: [Float])] = []
            var test: TensorDataset?
            for input in inputs {
                if input.hasPrefix("#") {
                    guard let index = Int(input.dropFirst()) else { throw CLIError("'\(input)': expected #INDEX, e.g. #12") }
                    if test == nil { test = try loadImageDataset(description.dataset, split: .test) }
                    guard index >= 0 && index < test!.count else {
                        throw CLIError("'\(input)': index out of range (the test split has \(test!.count) images)")
                    }
                    images.append((input, test!.samples([index]).scalars))
                    continue
                }
                let url = URL(fileURLWithPath: input)
                guard let data = try? Data(contentsOf: url) else { throw CLIError("\(input): file not found or unreadable") }
                if data.count == size {
                    images.append((input, data.map { Float($0) / 255 }))
                    continue
                }
                let idx = try IDX.read(url)
                let per = idx.shape.suffix(2).reduce(1, *)
                guard per == size else {
                    throw CLIError("\(input): IDX images of shape \(Array(idx.shape.suffix(2))) do not match the model's input \(shape)")
                }
                for i in 0..<(idx.bytes.count / per) {
                    images.append(("\(input)[\(i)]", idx.bytes[(i * per)..<((i + 1) * per)].map { Float($0) / 255 }))
                }
            }
            guard !images.isEmpty else { throw CLIError("no inputs") }
            let batch = Tensor(shape: [images.count] + shape, scalars: images.flatMap(\.pixels))
            let logits = withoutGradients { network(description.normalizer.apply(batch)) }
            let probabilities = logits.softmax(axis: 1)
            let classes = probabilities.shape[1]
            let p = probabilities.scalars, z = logits.scalars
            for (i, image) in images.enumerated() {
                let row = Array(p[(i * classes)..<((i + 1) * classes)])
                let predicted = row.indices.max { row[$0] < row[$1] }!
                if json {
                    let object: [String: Any] = ["input": image.name, "class": predicted, "probabilities": row.map(Double.init),
                                                 "logits": z[(i * classes)..<((i + 1) * classes)].map(Double.init)]
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    print(String(format: "%@: class %d (p = %.3f)", image.name, predicted, row[predicted]))
                }
            }
        }
    }
}

/// Runs `body`, printing user-facing errors as one line and exiting with status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CLIError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as DataError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as TrainingError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as SafeTensorsError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}
