import Foundation
import Keel

/// Normalization of input features, fitted on the training split only and applied unchanged to validation
/// and test data; saved with the model (checkpoints, model.json) and applied by `keel evaluate`/`predict`.
///
/// Statistics are per channel: per feature for tables [N, F], per colour channel for images [N, C, H, W].
/// The linear methods compute y = (x − shift_c) · scale_c; the log methods are fixed non-linear maps.
public struct Normalizer: Codable, Equatable, Sendable {
    /// The normalizations Keel fits: none, min-max to [0, 1] or [−1, 1], z-score, log, signed log.
    public enum Method: String, NamedChoice, Sendable {
        /// x unchanged.
        case none
        /// (x − min) / (max − min) ∈ [0, 1].
        case minmax
        /// 2(x − min) / (max − min) − 1 ∈ [−1, 1].
        case minmaxSymmetric = "minmax-symmetric"
        /// z-score (x − μ) / σ with the population σ; a constant feature is only centred.
        case standard
        /// ln(1 + x), for non-negative heavy-tailed features (x > −1).
        case log
        /// sign(x) · ln(1 + |x|), for heavy tails of either sign.
        case signedLog = "signed-log"
    }

    /// How values are mapped.
    public var method: Method
    /// Per-channel shift and scale of the linear methods (empty for the others).
    public var shift: [Float]
    /// Per-channel factors (linear methods): x ← (x − shift) · scale.
    public var scale: [Float]

    /// The identity: no channels, nothing changed.
    public static let identity = Normalizer(method: .none, shift: [], scale: [])

    /// A normalizer from its method and per-channel shift and scale.
    public init(method: Method, shift: [Float], scale: [Float]) {
        self.method = method
        self.shift = shift
        self.scale = scale
    }

    /// Channels the statistics were fitted for (0 for the methods without statistics).
    public var channels: Int { shift.count }

    /// What makes these statistics unusable (lengths that differ, a non-finite value, a zero scale), or nil.
    public var problem: String? {
        guard shift.count == scale.count else { return "normalizer has \(shift.count) shifts but \(scale.count) scales" }
        if [.minmax, .minmaxSymmetric, .standard].contains(method) && shift.isEmpty {
            return "a \(method.rawValue) normalizer without statistics"
        }
        guard shift.count <= 1 << 24 else { return "normalizer has \(shift.count) channels" }
        if let bad = (shift + scale).first(where: { !$0.isFinite }) { return "normalizer holds a non-finite statistic (\(bad))" }
        if scale.contains(0) { return "normalizer has a zero scale" }
        return nil
    }

    /// Fits `method` on training features [N, C, …]. Throws for data the method cannot take (log of x ≤ −1).
    public static func fit(_ method: Method, on features: Tensor) throws -> Normalizer {
        guard features.rank >= 2, features.shape[0] > 0 else {
            if method == .none || method == .log || method == .signedLog { return Normalizer(method: method, shift: [], scale: []) }
            throw DataError(path: "normalizer", problem: "cannot fit \(method.rawValue) on features of shape \(features.shape)")
        }
        let axes = (0..<features.rank).filter { $0 != 1 }
        switch method {
        case .none, .signedLog:
            return Normalizer(method: method, shift: [], scale: [])
        case .log:
            let lowest = features.min().scalar
            guard lowest > -1 else {
                throw DataError(path: "normalizer", problem: "log normalization needs every feature > −1, found \(lowest); use signed-log")
            }
            return Normalizer(method: method, shift: [], scale: [])
        case .minmax, .minmaxSymmetric:
            let low = features.min(axes: axes).scalars
            let high = features.max(axes: axes).scalars
            var shift: [Float] = []
            var scale: [Float] = []
            for (l, h) in zip(low, high) {
                let range = h - l
                if method == .minmax {
                    shift.append(l)
                    scale.append(range > 0 ? 1 / range : 1)
                } else {
                    shift.append((l + h) / 2)
                    scale.append(range > 0 ? 2 / range : 1)
                }
            }
            return Normalizer(method: method, shift: shift, scale: scale)
        case .standard:
            let mean = features.mean(axes: axes).scalars
            let std = features.variance(axes: axes, correction: 0).scalars.map { $0.squareRoot() }
            return Normalizer(method: method, shift: mean, scale: std.map { $0 > 0 ? 1 / $0 : 1 })
        }
    }

    /// The normalizer `method` for data summarized by `statistics` (one streaming pass, per channel): the same
    /// shifts and scales as `fit(_:on:)` up to rounding.
    public static func fit(_ method: Method, statistics: ChannelStatistics) throws -> Normalizer {
        guard statistics.count > 0 else {
            if [.none, .log, .signedLog].contains(method) { return Normalizer(method: method, shift: [], scale: []) }
            throw DataError(path: "normalizer", problem: "cannot fit \(method.rawValue) on no data")
        }
        switch method {
        case .none, .signedLog:
            return Normalizer(method: method, shift: [], scale: [])
        case .log:
            guard let lowest = statistics.minimum.min(), lowest > -1 else {
                throw DataError(path: "normalizer", problem: "log normalization needs every feature > −1; use signed-log")
            }
            return Normalizer(method: method, shift: [], scale: [])
        case .minmax, .minmaxSymmetric:
            let pairs = zip(statistics.minimum, statistics.maximum).map { (Float($0), Float($1)) }
            let range = pairs.map { $1 - $0 }
            if method == .minmax {
                return Normalizer(method: method, shift: pairs.map(\.0), scale: range.map { $0 > 0 ? 1 / $0 : 1 })
            }
            return Normalizer(method: method, shift: pairs.map { ($0 + $1) / 2 }, scale: range.map { $0 > 0 ? 2 / $0 : 1 })
        case .standard:
            let std = statistics.variance.map { Float($0.squareRoot()) }
            return Normalizer(method: method, shift: statistics.mean.map(Float.init), scale: std.map { $0 > 0 ? 1 / $0 : 1 })
        }
    }

    /// Throws unless these statistics fit features of `shape` ([N, C, …]).
    public func check(fits shape: [Int], source: String) throws {
        guard channels > 0 else { return }
        guard shape.count >= 2, shape[1] == channels else {
            throw DataError(
                path: source,
                problem: "the normalizer was fitted on \(channels) channels/features, but the data has "
                    + "\(shape.count >= 2 ? shape[1] : 0) (shape \(shape))")
        }
    }

    /// Per-channel vector broadcastable against [N, C, …].
    private func perChannel(_ values: [Float], rank: Int) -> Tensor {
        var shape = [Int](repeating: 1, count: max(rank, 2))
        shape[1] = values.count
        return Tensor(shape: shape, scalars: values)
    }

    /// The normalized features (same shape).
    public func apply(_ x: Tensor) -> Tensor {
        switch method {
        case .none: return x
        case .log: return (x + 1).log()
        case .signedLog: return x.sign() * (x.abs() + 1).log()
        case .minmax, .minmaxSymmetric, .standard:
            return (x - perChannel(shift, rank: x.rank)) * perChannel(scale, rank: x.rank)
        }
    }

    /// The inverse map: original features from normalized ones.
    public func inverse(_ y: Tensor) -> Tensor {
        switch method {
        case .none: return y
        case .log: return y.exp() - 1
        case .signedLog: return y.sign() * (y.abs().exp() - 1)
        case .minmax, .minmaxSymmetric, .standard:
            return y / perChannel(scale, rank: y.rank) + perChannel(shift, rank: y.rank)
        }
    }
}
