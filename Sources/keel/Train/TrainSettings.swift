import Foundation
import Keel
import KeelData
import KeelTrain

/// The settings of a `keel train` run: defaults, overridden by a resumed run's saved settings, overridden
/// by flags given on the command line. Saved with every checkpoint.
struct TrainSettings: Codable, Equatable {
    var dataset = "mnist-5k"
    /// "cnn", "mlp", or "auto" (cnn for images, mlp for tables).
    var model = "auto"
    /// The label column of a CSV dataset (name or index), nil for the last column.
    var labelColumn: String?
    var epochs = 10
    var batchSize = 64
    var optimizer = OptimizerName.sgd.rawValue
    var learningRate: Float?
    var momentum: Float = 0.9
    var weightDecay: Float = 0
    var seed: UInt64 = 0
    var normalize = Normalizer.Method.standard.rawValue
    var validationFraction: Double = 0
    var activation = "relu"
    /// A learning-rate schedule spec ("cosine_decay:decay_steps=630"), nil for a constant rate.
    var schedule: String?
    /// Random augmentation specs applied per training sample, in order.
    var augment: [String] = []
    /// Dropout probability before the last layer (0: none).
    var dropout: Float = 0

    enum CodingKeys: String, CodingKey {
        case dataset, model, epochs, batchSize, optimizer, learningRate, momentum, weightDecay, seed, normalize,
             validationFraction, activation, schedule, labelColumn, augment, dropout
    }

    init() {}

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainSettings()
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset) ?? d.dataset
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        optimizer = try c.decodeIfPresent(String.self, forKey: .optimizer) ?? d.optimizer
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate)
        momentum = try c.decodeIfPresent(Float.self, forKey: .momentum) ?? d.momentum
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        normalize = try c.decodeIfPresent(String.self, forKey: .normalize) ?? d.normalize
        validationFraction = try c.decodeIfPresent(Double.self, forKey: .validationFraction) ?? d.validationFraction
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? d.activation
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule)
        labelColumn = try c.decodeIfPresent(String.self, forKey: .labelColumn)
        augment = try c.decodeIfPresent([String].self, forKey: .augment) ?? []
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0
    }

    /// The learning rate used: the one set, or the optimizer's default.
    var effectiveLearningRate: Float {
        learningRate ?? ["sgd": 0.05, "adagrad": 0.01][optimizer] ?? 0.001
    }

    /// The hidden activation, from "NAME" or "NAME:PARAMETER" (leaky_relu:0.5, elu:0.5, softplus:2).
    static func parseActivation(_ text: String) throws -> Activation {
        do { return try Activation.parse(text) } catch let error as ActivationSpecError { throw CLIError(error.description) }
    }

    /// The learning rate as a function of the global step: the schedule, or the constant rate.
    func learningRateSchedule() throws -> any LearningRateSchedule {
        guard let schedule else { return ConstantLearningRate(effectiveLearningRate) }
        return try Schedule.parse(schedule, defaultLearningRate: effectiveLearningRate)
    }

    /// The key under which checkpoints store these settings.
    static let checkpointKey = "keel-train-settings"

    func encoded() throws -> String { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }

    static func decode(_ text: String) -> TrainSettings? { try? JSONDecoder().decode(TrainSettings.self, from: Data(text.utf8)) }
}
