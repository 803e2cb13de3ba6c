import Foundation
import KeelData
import KeelTrain

/// The settings of a `keel train` run: defaults, overridden by a resumed run's saved settings, overridden
/// by flags given on the command line. Saved with every checkpoint.
struct TrainSettings: Codable, Equatable {
    var dataset = "mnist-5k"
    var model = ReferenceModel.cnn.rawValue
    var epochs = 10
    var batchSize = 64
    var optimizer = OptimizerName.sgd.rawValue
    var learningRate: Float?
    var momentum: Float = 0.9
    var weightDecay: Float = 0
    var seed: UInt64 = 0
    var normalize = Normalizer.Method.standard.rawValue
    var validationFraction: Double = 0

    /// The learning rate used: the one set, or the optimizer's default.
    var effectiveLearningRate: Float {
        learningRate ?? ["sgd": 0.05, "adagrad": 0.01][optimizer] ?? 0.001
    }

    /// The key under which checkpoints store these settings.
    static let checkpointKey = "keel-train-settings"

    func encoded() -> String { String(decoding: try! JSONEncoder().encode(self), as: UTF8.self) }

    static func decode(_ text: String) -> TrainSettings? { try? JSONDecoder().decode(TrainSettings.self, from: Data(text.utf8)) }
}
