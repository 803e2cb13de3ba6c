import Foundation
import Keel

/// Mean and sample standard deviation (n − 1) of one measurement over seeds: the "mean ± std" of every study table.
public struct MeanStd: Codable, Sendable, Equatable {
    /// The number of values.
    public let count: Int
    /// Their mean (NaN when there are none).
    public let mean: Double
    /// Sample standard deviation; 0 for a single value.
    public let std: Double

    /// Mean and sample std of `values`.
    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        let m = mean
        std = values.count < 2 ? 0 : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// Mean and sample std of `values`, in double precision.
    public init(_ values: [Float]) { self.init(values.map(Double.init)) }

    /// "97.12 ± 0.31" with `digits` decimals after scaling by `scale` (e.g. 100 for a percentage); just the mean for one seed.
    public func formatted(digits: Int = 2, scale: Double = 1, unit: String = "") -> String {
        guard count > 0 else { return "—" }
        let m = String(format: "%.\(digits)f", mean * scale)
        return count < 2 ? m + unit : m + " ± " + String(format: "%.\(digits)f", std * scale) + unit
    }

    enum CodingKeys: String, CodingKey {
        case mean, std
        case count = "n"
    }

    /// In results.json a NaN mean (no value: a diverged run, a target never reached) is null.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
        mean = try c.decodeFinite(Double.self, forKey: .mean)
        std = try c.decodeFinite(Double.self, forKey: .std)
    }

    /// Whether there is a finite mean.
    public var hasValue: Bool { count > 0 && mean.isFinite }
}
