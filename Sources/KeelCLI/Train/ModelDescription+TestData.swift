import Foundation
import Keel
import KeelData
import KeelTrain

extension ModelDescription {
    /// The test split of the model's dataset, normalized with the model's saved statistics.
    func testData() throws -> PreparedData {
        let data = try PreparedData.prepare(
            DataSource.named(dataset, labelColumn: labelColumn), normalize: normalizer.method,
            validationFraction: 0, seed: seed, normalizer: normalizer)
        guard data.test.sampleShape == inputShape else {
            throw CLIError("the dataset's samples have shape \(data.test.sampleShape) but the model expects \(inputShape)")
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
