/// Per-channel count, mean, sum of squared deviations (M2), minimum and maximum of images [C, …], in double
/// precision; statistics of parts combine exactly as if computed at once (Chan et al.'s parallel update), so a
/// normalizer can be fitted in one streaming pass over a dataset that does not fit in memory.
public struct ChannelStatistics: Equatable, Sendable {
    /// Values seen per channel.
    public var count: Int
    /// Mean of each channel.
    public var mean: [Double]
    /// Σ (x − mean)² of each channel.
    public var m2: [Double]
    /// Smallest value of each channel.
    public var minimum: [Double]
    /// Largest value of each channel.
    public var maximum: [Double]

    /// No values yet.
    public init(channels: Int) {
        (count, mean, m2) = (0, .init(repeating: 0, count: channels), .init(repeating: 0, count: channels))
        (minimum, maximum) = (.init(repeating: .infinity, count: channels), .init(repeating: -.infinity, count: channels))
    }

    /// The statistics of one image stored channel-major ([C, H, W] flattened).
    public init(_ values: [Float], channels: Int) {
        self.init(channels: channels)
        let perChannel = values.count / max(channels, 1)
        count = perChannel
        for c in 0..<channels {
            let slice = values[(c * perChannel)..<((c + 1) * perChannel)]
            let m = slice.reduce(0.0) { $0 + Double($1) } / Double(max(perChannel, 1))
            mean[c] = m
            m2[c] = slice.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) }
            minimum[c] = Double(slice.min() ?? 0)
            maximum[c] = Double(slice.max() ?? 0)
        }
    }

    /// Adds the values `other` summarizes.
    public mutating func combine(_ other: ChannelStatistics) {
        guard other.count > 0 else { return }
        let (n, m) = (Double(count), Double(other.count))
        for c in mean.indices {
            let delta = other.mean[c] - mean[c]
            mean[c] += delta * m / (n + m)
            m2[c] += other.m2[c] + delta * delta * n * m / (n + m)
            minimum[c] = Swift.min(minimum[c], other.minimum[c])
            maximum[c] = Swift.max(maximum[c], other.maximum[c])
        }
        count += other.count
    }

    /// Population variance of each channel.
    public var variance: [Double] { m2.map { $0 / Double(Swift.max(count, 1)) } }
}
