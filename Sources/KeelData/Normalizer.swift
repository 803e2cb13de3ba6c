import Keel

/// Normalization of input features, fitted on the training split only and applied unchanged to
/// validation and test data (and saved with the model).
public struct Normalizer: Codable, Equatable, Sendable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// x unchanged.
        case none
        /// z-score over all features at once: (x − μ) / σ with the population σ (MNIST's usual (x − 0.1307) / 0.3081).
        case standard
    }

    public var method: Method
    public var mean: Float
    public var standardDeviation: Float

    public static let identity = Normalizer(method: .none, mean: 0, standardDeviation: 1)

    public init(method: Method, mean: Float, standardDeviation: Float) {
        self.method = method
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Fits `method` on training features.
    public static func fit(_ method: Method, on features: Tensor) -> Normalizer {
        switch method {
        case .none: return .identity
        case .standard:
            let mean = features.mean().scalar
            let std = features.variance(correction: 0).scalar.squareRoot()
            return Normalizer(method: .standard, mean: mean, standardDeviation: std > 0 ? std : 1)
        }
    }

    public func apply(_ x: Tensor) -> Tensor {
        method == .none ? x : (x - mean) / standardDeviation
    }

    public func inverse(_ y: Tensor) -> Tensor {
        method == .none ? y : y * standardDeviation + mean
    }
}
