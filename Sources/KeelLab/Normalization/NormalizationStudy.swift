import Foundation
import Keel
import KeelData
import KeelTrain

/// Trains the same model on the same data with different input normalizations and reports how many epochs
/// each needs to reach a validation accuracy.
public enum NormalizationStudy {
    /// One training run with one input normalization.
    public struct Result: Sendable {
        /// The input normalization.
        public var method: Normalizer.Method
        /// The seed of the split, initialization and batch order.
        public var seed: UInt64
        /// First epoch (1-based) whose validation accuracy reached the target; nil if none did.
        public var epochsToTarget: Int?
        /// Validation accuracy after each epoch.
        public var validationAccuracy: [Float]
        /// The network's input features and classes.
        public var features = 0, classes = 0
    }

    /// One run: an MLP (hidden ReLU layers of 64 and 32) trained with SGD + momentum on `data`'s stratified
    /// split (20 % test, 20 % of the rest for validation), normalized by `method` fitted on the training split.
    /// Training stops at the target unless `stopAtTarget` is false (then every run has `maxEpochs` points, or
    /// fewer if it diverged).
    public static func run(
        _ source: DataSource, method: Normalizer.Method, seed: UInt64, target: Float = 0.95,
        maxEpochs: Int = 100, learningRate: Float = 0.01, batchSize: Int = 16,
        stopAtTarget: Bool = true
    ) throws -> Result {
        let data = try PreparedData.prepare(source, normalize: method, validationFraction: 0.2, seed: seed)
        var g = KeelRandom(seed: seed)
        let features = data.train.sampleShape.reduce(1, *)
        let model = Sequential {
            Flatten()
            Linear(features, 64, generator: &g)
            ReLU()
            Linear(64, 32, generator: &g)
            ReLU()
            Linear(32, data.train.classCount, generator: &g)
        }
        let trainer = LabNetwork.trainer(
            model, SGD(model.namedParameters, learningRate: learningRate, momentum: 0.9), name: "\(method.rawValue)-seed\(seed)")
        var accuracies: [Float] = []
        trainer.callbacks.append(
            ClosureCallback(epoch: { record, _ in
                accuracies.append(record.validationAccuracy ?? 0)
                return stopAtTarget && (record.validationAccuracy ?? 0) >= target
            }))
        do {
            try trainer.fit(DataLoader(data.train, batchSize: batchSize, seed: seed), validation: data.validation, epochs: maxEpochs)
        } catch TrainingError.nonFiniteLoss {
            // Diverged (raw features with a step size that suits normalized ones): it never reaches the target.
        }
        let reached = accuracies.firstIndex { $0 >= target }.map { $0 + 1 }
        return Result(
            method: method, seed: seed, epochsToTarget: reached, validationAccuracy: accuracies, features: features,
            classes: data.train.classCount)
    }
}
