import Keel

/// A labelled dataset of fixed-shape samples.
public protocol Dataset: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Shape of one sample (e.g. [1, 28, 28]).
    var sampleShape: [Int] { get }
    /// Number of classes (labels are 0..<classCount).
    var classCount: Int { get }
    /// The label of every sample.
    var labels: [Int32] { get }
    /// Writes the samples `indices` one after another into `destination`.
    func copySamples(_ indices: [Int], into destination: UnsafeMutablePointer<Float>)
    /// Regression targets [N, outputs], when the task is regression (the labels are then all 0).
    var targets: Tensor? { get }
    /// Names of the classes (label i is classNames[i]), when known.
    var classNames: [String]? { get }
    /// The samples `indices` (in that order) as a dataset of the same kind.
    func subset(_ indices: [Int]) -> Self
}

extension Dataset {
    /// None: a classification dataset.
    public var targets: Tensor? { nil }
    /// None: classes are numbered only.
    public var classNames: [String]? { nil }

    /// The indices of a random split into training, validation and test parts (`validation` and `test` are
    /// fractions; with `stratified`, of each class), each sorted; the order comes from `seed` alone.
    public func splitIndices(validation: Double, test: Double, seed: UInt64, stratified: Bool = false)
        -> (train: [Int], validation: [Int], test: [Int])
    {
        precondition(validation >= 0 && test >= 0 && validation + test < 1, "split: fractions must be ≥ 0 and sum to < 1")
        let order = Sampler.random.order(labels: labels, seed: seed ^ 0x5B117, epoch: 0)
        var trainIndices: [Int] = []
        var validationIndices: [Int] = []
        var testIndices: [Int] = []
        let groups: [[Int]] = stratified ? (0..<classCount).map { c in order.filter { labels[$0] == Int32(c) } } : [order]
        for group in groups {
            let nTest = Int((Double(group.count) * test).rounded())
            let nValidation = Int((Double(group.count) * validation).rounded())
            testIndices += group.prefix(nTest)
            validationIndices += group.dropFirst(nTest).prefix(nValidation)
            trainIndices += group.dropFirst(nTest + nValidation)
        }
        return (trainIndices.sorted(), validationIndices.sorted(), testIndices.sorted())
    }

    /// A random split into training, validation and test datasets (see `splitIndices`).
    public func split(validation: Double, test: Double, seed: UInt64, stratified: Bool = false) -> (train: Self, validation: Self, test: Self) {
        let parts = splitIndices(validation: validation, test: test, seed: seed, stratified: stratified)
        return (subset(parts.train), subset(parts.validation), subset(parts.test))
    }

    /// The targets of the samples `indices` ([indices.count, outputs]), for a regression dataset.
    public func targets(_ indices: [Int]) -> Tensor? {
        guard let targets else { return nil }
        let width = targets.shape[1]
        let all = targets.scalars
        return Tensor(shape: [indices.count, width], scalars: indices.flatMap { all[($0 * width)..<(($0 + 1) * width)] })
    }

    /// Floats per sample.
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// The samples `indices` as a tensor [indices.count] + sampleShape.
    public func samples(_ indices: [Int]) -> Tensor {
        var t = Tensor.zeros([indices.count] + sampleShape)
        t.withUnsafeMutablePointer { copySamples(indices, into: $0) }
        return t
    }

    /// Everything as one tensor.
    public var allSamples: Tensor { samples(Array(0..<count)) }
}

/// A dataset held in memory as one tensor [N, ...] and N labels.
public struct TensorDataset: Dataset {
    /// All samples, [N, …sample shape].
    public let features: Tensor
    /// One class index per sample.
    public let labels: [Int32]
    /// The number of classes (at least the largest label + 1).
    public let classCount: Int
    /// Names of the classes (label i is classNames[i]), when known.
    public let classNames: [String]?
    /// Names of the feature columns of a table, when known.
    public let featureNames: [String]?
    /// Regression targets [N, outputs] (nil for classification).
    public let targets: Tensor?

    /// A dataset of `features` [N, …] and N `labels` (and, for regression, `targets` [N, outputs]).
    public init(
        features: Tensor, labels: [Int32], classCount: Int? = nil, classNames: [String]? = nil,
        featureNames: [String]? = nil, targets: Tensor? = nil
    ) {
        if !(features.rank >= 1 && features.shape[0] == labels.count) {
            fatalError("TensorDataset: \(labels.count) labels for features of shape \(features.shape)")
        }
        if let targets, !(targets.rank == 2 && targets.shape[0] == labels.count) {
            fatalError("TensorDataset: targets of shape \(targets.shape) for \(labels.count) samples")
        }
        self.targets = targets
        self.features = features
        self.labels = labels
        self.classCount = classCount ?? Int((labels.max() ?? -1) + 1)
        self.classNames = classNames
        self.featureNames = featureNames
    }

    /// The number of samples.
    public var count: Int { labels.count }
    /// One sample's shape.
    public var sampleShape: [Int] { Array(features.shape.dropFirst()) }

    /// Copies the samples at `indices`, in order, to `destination` (count × sample size floats).
    public func copySamples(_ indices: [Int], into destination: UnsafeMutablePointer<Float>) {
        let size = sampleSize
        features.withUnsafePointer { src in
            for (row, index) in indices.enumerated() {
                (destination + row * size).update(from: src + index * size, count: size)
            }
        }
    }

    /// The samples `indices` as a new dataset.
    public func subset(_ indices: [Int]) -> TensorDataset {
        TensorDataset(
            features: samples(indices), labels: indices.map { labels[$0] }, classCount: classCount,
            classNames: classNames, featureNames: featureNames, targets: targets(indices))
    }

    /// The same labels with features transformed (e.g. normalized).
    public func mapFeatures(_ transform: (Tensor) -> Tensor) -> TensorDataset {
        TensorDataset(
            features: transform(features), labels: labels, classCount: classCount, classNames: classNames,
            featureNames: featureNames, targets: targets)
    }

    /// The same samples with the regression targets transformed (e.g. standardized).
    public func mapTargets(_ transform: (Tensor) -> Tensor) -> TensorDataset {
        TensorDataset(
            features: features, labels: labels, classCount: classCount, classNames: classNames, featureNames: featureNames,
            targets: targets.map(transform))
    }
}
