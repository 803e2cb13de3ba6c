/// Keel's one seeded random number generator: xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
///
/// Same seed, same sequence, on every platform. Independent streams for (seed, epoch, sample index, …)
/// come from `init(seed:stream:)`, so per-sample randomness does not depend on thread count or order.
public struct KeelRandom: RandomNumberGenerator, Codable, Equatable, Sendable {
    /// The full generator state (saved in checkpoints).
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator seeded with `seed` (expanded to 256 bits by SplitMix64).
    public init(seed: UInt64) {
        var mixer = seed
        state = (Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer))
    }

    /// A generator for one stream of a seed: e.g. `KeelRandom(seed: seed, stream: [epoch, index])`.
    public init(seed: UInt64, stream: [UInt64]) {
        var mixed = seed
        for part in stream {
            var m = mixed ^ (part &* 0x9E37_79B9_7F4A_7C15)
            mixed = Self.splitMix(&m)
        }
        self.init(seed: mixed)
    }

    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits (xoshiro256**).
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample (Box–Muller in double precision).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUniformDouble()  // (0, 1]
        let u2 = nextUniformDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    // Codable/Equatable for the tuple state.
    /// Generators are equal when their states are.
    public static func == (a: KeelRandom, b: KeelRandom) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }

    /// Reads the four state words.
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        state = (try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self))
    }

    /// Writes the four state words.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(state.0)
        try c.encode(state.1)
        try c.encode(state.2)
        try c.encode(state.3)
    }
}

extension KeelRandom {
    /// The process-wide stream that layers made without a generator draw their seeds from (PyTorch's default
    /// generator): `Linear(784, 128)`, `Dropout(0.5)`. Seeded with 0 at start; `manualSeed` restarts it, so a
    /// program that builds its layers in the same order gets the same weights every run.
    private static let global = Locked(KeelRandom(seed: 0))

    /// Restarts the process-wide stream (PyTorch's `torch.manual_seed`).
    public static func manualSeed(_ seed: UInt64) { global.withLock { $0 = KeelRandom(seed: seed) } }

    /// The next seed from the process-wide stream.
    public static func nextGlobalSeed() -> UInt64 { global.withLock { $0.next() } }
}
