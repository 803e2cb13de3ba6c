import Foundation
import Keel
import KeelData
import KeelTrain

extension ModelDescription {
    /// The test split of the model's dataset, normalized with the model's saved statistics (and the validation split
    /// the training run held out).
    func testData() throws -> PreparedData {
        let source = try DataSource.named(dataset, labelColumn: labelColumn)
        let takesImages = inputShape.count == 3
        if source.isTable && takesImages {
            throw CLIError("\(dataset): an image model (input \(inputShape)) cannot evaluate a table; give an image dataset")
        }
        if !source.isTable && !takesImages {
            throw CLIError("\(dataset): a table model (\(inputShape.first ?? 0) features) cannot evaluate images; give a CSV table")
        }
        // Image folders are resized to the model's input, as in training.
        let size = takesImages ? (inputShape[1], inputShape[2]) : nil
        let data = try PreparedData.prepare(
            source, normalize: normalizer.method, validationFraction: validationFraction, seed: seed, normalizer: normalizer, imageSize: size,
            task: task,
            targetScaler: targetScaler)
        guard data.test.sampleShape == inputShape else {
            throw CLIError("the dataset's samples have shape \(data.test.sampleShape) but the model expects \(inputShape)")
        }
        if let targets = data.test.targets, targets.shape[1] != classes {
            throw CLIError("\(dataset): \(targets.shape[1]) target columns, but the model predicts \(classes)")
        }
        if let label = data.test.labels.first(where: { Int($0) >= classes }) {
            throw CLIError("\(dataset): label \(label) in the test split, but the model has \(classes) classes (0…\(classes - 1))")
        }
        return data
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
