/// Batch normalization over the channel axis 1 (PyTorch's `BatchNorm1d` / `BatchNorm2d`).
///
/// Training: y = (x − μ_B) / √(σ²_B + ε) · γ + β with the batch's mean and biased variance over every axis
/// but 1; running_mean ← (1 − m)·running_mean + m·μ_B and running_var ← (1 − m)·running_var + m·σ²_B·n/(n − 1)
/// (unbiased). Evaluation: the running statistics instead of the batch's.
public class BatchNorm: Module {
    /// γ, one per feature (nil without `affine`).
    public let weight: Parameter?
    /// β, one per feature (nil without `affine`).
    public let bias: Parameter?
    /// The running mean used in evaluation (buffer `running_mean`).
    public let runningMean: Parameter
    /// The running unbiased variance used in evaluation (buffer `running_var`).
    public let runningVariance: Parameter
    /// Batches seen in training (buffer `num_batches_tracked`).
    public let batchesTracked: Parameter
    /// ε added to the variance before the square root.
    public let epsilon: Float
    /// Weight of the new batch in the running statistics: r ← (1 − momentum) · r + momentum · batch.
    public let momentum: Float
    /// Training mode normalizes with batch statistics and updates the running ones; evaluation uses the running ones.
    public var isTraining = true
    let acceptedRanks: Set<Int>
    let layerName: String

    init(_ features: Int, epsilon: Float, momentum: Float, affine: Bool, acceptedRanks: Set<Int>, name: String) {
        ensure(features > 0, "\(name): number of features must be positive, got \(features)")
        weight = affine ? Parameter(Tensor.ones([features])) : nil
        bias = affine ? Parameter(Tensor.zeros([features])) : nil
        runningMean = Parameter(Tensor.zeros([features]))
        runningVariance = Parameter(Tensor.ones([features]))
        batchesTracked = Parameter(Tensor(0))
        self.epsilon = epsilon
        self.momentum = momentum
        self.acceptedRanks = acceptedRanks
        layerName = name
    }

    /// The number of features (channels) normalized.
    public var features: Int { runningMean.shape[0] }

    /// One training batch's statistics per channel: mean, biased variance, and the values per channel they came from.
    public struct BatchStatistics: Sendable {
        /// μ_B per channel.
        public var mean: [Float]
        /// σ²_B per channel (biased: divided by `count`).
        public var variance: [Float]
        /// Values per channel (n).
        public var count: Int
        /// The statistics of one batch.
        public init(mean: [Float], variance: [Float], count: Int) { (self.mean, self.variance, self.count) = (mean, variance, count) }
    }

    /// When not nil, every training forward pass appends its batch statistics here (data-parallel training records
    /// each rank's so that every rank can replay all the ranks' running-statistics updates in shard order).
    public var recordedStatistics: [BatchStatistics]?

    /// running ← (1 − m)·running + m·batch for the mean and the unbiased variance (σ²_B · n/(n − 1)); one more batch
    /// tracked. What each training forward pass does.
    public func updateRunningStatistics(with batch: BatchStatistics) {
        withoutGradients {
            let (m, n) = (momentum, batch.count)
            runningMean.value = runningMean.value * (1 - m) + Tensor(shape: [features], scalars: batch.mean) * m
            let unbiased = Tensor(shape: [features], scalars: batch.variance) * (Float(n) / Float(n - 1))
            runningVariance.value = runningVariance.value * (1 - m) + unbiased * m
            batchesTracked.value = batchesTracked.value + 1
        }
    }

    /// `weight` and `bias`, as PyTorch names them.
    public var ownParameters: [(name: String, parameter: Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// `running_mean`, `running_var`, `num_batches_tracked`.
    public var ownBuffers: [(name: String, buffer: Parameter)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }

    /// (x − μ) / √(σ² + ε) · γ + β per feature of axis 1.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    /// The batch norm followed by a ReLU, fused into one op while training (`Sequential` uses it for a batch norm
    /// followed by a ReLU layer): the same bits as `relu(self(input))`. Forward hooks are not called.
    public func forward(_ input: Tensor, relu: Bool) -> Tensor {
        forwardPass(input, relu: relu)
    }

    func forwardPass(_ input: Tensor, relu: Bool = false) -> Tensor {
        ensure(
            acceptedRanks.contains(input.rank) && input.shape[1] == features,
            "\(layerName): input of shape \(input.shape) does not match \(features) features")
        var statShape = [Int](repeating: 1, count: input.rank)
        statShape[1] = features
        if isTraining {
            let n = input.count / features
            ensure(n > 1, "\(layerName): training needs more than one value per channel, got input shape \(input.shape)")
            let (output, mean, variance) = batchNormTraining(
                input, weight: weight?.value, bias: bias?.value, epsilon: epsilon, relu: relu)
            recordedStatistics?.append(BatchStatistics(mean: mean, variance: variance, count: n))
            updateRunningStatistics(with: BatchStatistics(mean: mean, variance: variance, count: n))
            return output
        }
        let normalized = (input - runningMean.value.reshaped(statShape)) / (runningVariance.value.reshaped(statShape) + epsilon).sqrt()
        guard let weight, let bias else { return relu ? normalized.relu() : normalized }
        let output = normalized * weight.value.reshaped(statShape) + bias.value.reshaped(statShape)
        return relu ? output.relu() : output
    }
}

/// Batch norm for [N, C] or [N, C, L] input.
public final class BatchNorm1d: BatchNorm {
    /// Batch norm over [N, features] inputs (PyTorch's `BatchNorm1d`).
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(features, epsilon: epsilon, momentum: momentum, affine: affine, acceptedRanks: [2, 3], name: "BatchNorm1d")
    }
}

/// Batch norm for [N, C, H, W] input.
public final class BatchNorm2d: BatchNorm {
    /// Batch norm over [N, channels, H, W] inputs (PyTorch's `BatchNorm2d`).
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(features, epsilon: epsilon, momentum: momentum, affine: affine, acceptedRanks: [4], name: "BatchNorm2d")
    }
}
