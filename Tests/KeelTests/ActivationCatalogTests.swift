import KeelTestSupport
import Testing

@testable import Keel

/// The catalog's claims, checked against the functions themselves.
struct ActivationCatalogTests {
    static let grid: [Float] = stride(from: Float(-10), through: 10, by: 0.01).map { $0 }

    static func values(_ f: Activation, _ xs: [Float]) -> [Double] { f.apply(to: Tensor(xs)).scalars.map(Double.init) }

    @Test(arguments: Activation.all + [.leakyReLU(negativeSlope: 0.5)])
    func rangeHoldsOnSamplesAndIsReached(_ f: Activation) {
        let props = f.properties
        let wide = stride(from: Float(-60), through: 60, by: 0.005).map { $0 } + [-1e4, -1e3, 1e3, 1e4]
        let ys = Self.values(f, wide)
        for (x, y) in zip(wide, ys) {
            #expect(props.range.contains(y, tolerance: 1e-6), "\(f.name)(\(x)) = \(y) is outside \(props.range)")
        }
        // The bounds are tight: the samples come within 1e-3 of each finite bound, and exceed ±50 where unbounded.
        let lowest = ys.min()!
        let highest = ys.max()!
        if props.range.lower.isFinite {
            #expect(lowest - props.range.lower < 1e-3, "\(f.name): lowest sample \(lowest)")
        } else {
            #expect(lowest < -50, "\(f.name) should be unbounded below")
        }
        if props.range.upper.isFinite {
            #expect(props.range.upper - highest < 1e-3, "\(f.name): highest sample \(highest)")
        } else {
            #expect(highest > 50, "\(f.name) should be unbounded above")
        }
        // Open bounds are not reached on moderate inputs.
        let moderate = Self.values(f, stride(from: Float(-5), through: 5, by: 0.01).map { $0 })
        if !props.range.includesLower && props.range.lower.isFinite { #expect(moderate.allSatisfy { $0 > props.range.lower }) }
        if !props.range.includesUpper && props.range.upper.isFinite { #expect(moderate.allSatisfy { $0 < props.range.upper }) }
    }

    @Test(arguments: Activation.all)
    func monotonicityOnAGrid(_ f: Activation) {
        let ys = Self.values(f, Self.grid)
        let nonDecreasing = zip(ys, ys.dropFirst()).allSatisfy { $1 >= $0 - 1e-7 }
        #expect(nonDecreasing == f.properties.monotonic, "\(f.name): monotonic is \(nonDecreasing) on the grid")
    }

    @Test(arguments: Activation.all)
    func differentiabilityAtTheCandidateKinks(_ f: Activation) {
        // One-sided difference quotients at the only places where these functions can have kinks.
        let h: Double = 1e-3
        var smooth = true
        for k: Float in [0, -3, 3, 6] {
            let ys = Self.values(f, [k - Float(h), k, k + Float(h)])
            let left = (ys[1] - ys[0]) / h
            let right = (ys[2] - ys[1]) / h
            if Swift.abs(left - right) > 0.05 { smooth = false }
        }
        #expect(smooth == f.properties.differentiableEverywhere, "\(f.name): smooth at the kinks is \(smooth)")
    }

    @Test(arguments: Activation.all)
    func derivativeAtZeroAndIdentityNearZero(_ f: Activation) {
        let props = f.properties
        #expect(Swift.abs(Double(f.derivative(0)) - props.derivativeAtZero) < 1e-5, "\(f.name): f′(0) = \(f.derivative(0))")
        let xs: [Float] = [-0.01, -0.001, 0.001, 0.01]
        let identityLike = f(0) == 0 && zip(xs, Self.values(f, xs)).allSatisfy { Swift.abs($1 - Double($0)) <= 0.02 * Swift.abs(Double($0)) }
        #expect(identityLike == props.approximatesIdentityNearZero, "\(f.name): f(x) ≈ x near 0 is \(identityLike)")
    }

    @Test(arguments: Activation.all)
    func zeroCentredAndSaturating(_ f: Activation) {
        let props = f.properties
        let ys = Self.values(f, stride(from: Float(-3), through: 3, by: 0.01).map { $0 })
        let mean = ys.reduce(0, +) / Double(ys.count)
        let meanAbsolute = ys.map(Swift.abs).reduce(0, +) / Double(ys.count)
        #expect((Swift.abs(mean) < 0.1 * meanAbsolute) == props.zeroCentred, "\(f.name): mean \(mean), mean |f| \(meanAbsolute)")
        let tails = [f.derivative(-30), f.derivative(30)].map { Swift.abs(Double($0)) }
        let saturates = props.range.isBounded && tails.allSatisfy { $0 < 0.01 }
        #expect(saturates == props.saturating, "\(f.name): f′(±30) = \(tails)")
        #expect(props.nonLinear == (f != .identity))
    }
}
