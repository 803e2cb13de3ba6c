import Keel

/// Standardization of regression targets, fitted on the training split: the network learns z = (y − mean) / std,
/// and its outputs are mapped back with y = z · std + mean (per output column).
public struct TargetScaler: Codable, Equatable, Sendable {
    /// Mean of each target column over the training split.
    public var mean: [Float]
    /// Standard deviation of each target column (population; 1 where a column is constant).
    public var standardDeviation: [Float]

    enum CodingKeys: String, CodingKey {
        case mean
        case standardDeviation = "standard_deviation"
    }

    /// A scaler from its statistics.
    public init(mean: [Float], standardDeviation: [Float]) {
        (self.mean, self.standardDeviation) = (mean, standardDeviation)
    }

    /// Mean and standard deviation of each column of `targets` [N, outputs], in double precision.
    public static func fit(_ targets: Tensor) -> TargetScaler {
        let (n, width) = (targets.shape[0], targets.shape[1])
        let values = targets.scalars
        var mean = [Float](repeating: 0, count: width)
        var deviation = [Float](repeating: 1, count: width)
        for column in 0..<width {
            let items = (0..<n).map { Double(values[$0 * width + column]) }
            let m = items.reduce(0, +) / Double(max(n, 1))
            let variance = items.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(n, 1))
            mean[column] = Float(m)
            if variance > 0 { deviation[column] = Float(variance.squareRoot()) }
        }
        return TargetScaler(mean: mean, standardDeviation: deviation)
    }

    /// (y − mean) / std, column by column, for targets [N, outputs].
    public func apply(_ targets: Tensor) -> Tensor { map(targets) { value, c in (value - mean[c]) / standardDeviation[c] } }

    /// z · std + mean: network outputs [N, outputs] in the target's units.
    public func invert(_ outputs: Tensor) -> Tensor { map(outputs) { value, c in value * standardDeviation[c] + mean[c] } }

    private func map(_ tensor: Tensor, _ f: (Float, Int) -> Float) -> Tensor {
        let width = tensor.shape[1]
        return Tensor(shape: tensor.shape, scalars: tensor.scalars.enumerated().map { f($1, $0 % width) })
    }

    /// What makes the statistics unusable (from a file), or nil.
    public var problem: String? {
        guard !mean.isEmpty, mean.count == standardDeviation.count else {
            return "target scaler: \(mean.count) means for \(standardDeviation.count) deviations"
        }
        guard mean.allSatisfy(\.isFinite), standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            return "target scaler: statistics must be finite, deviations positive"
        }
        return nil
    }
}
