import CKeelKernels
import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// The SIMD exp/log/sum kernels at every instruction-set level against double precision.
struct VectorMathTests {
    /// Inputs across the whole useful range, odd-length so every tail path runs.
    static func samples(from low: Float, to high: Float, count: Int = 20_011) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    /// Error in units in the last place of the correctly rounded float result.
    static func ulpError(_ value: Float, _ exact: Double) -> Double {
        let rounded = Float(exact)
        if rounded.isInfinite || value.isInfinite { return value == rounded ? 0 : .infinity }
        if rounded == 0 { return value == 0 ? 0 : Double(Swift.abs(value) / Float.leastNonzeroMagnitude) }
        return Swift.abs(Double(value) - exact) / Double(rounded.ulp)
    }

    static func run(
        _ level: Int32, _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
        _ x: [Float]
    ) -> [Float] {
        keel_set_cpu_level(level)
        defer { keel_set_cpu_level(-1) }
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { kernel(px.baseAddress!, $0.baseAddress!, x.count) } }
        return y
    }

    @Test(arguments: [0, 1, 2] as [Int32])
    func expWithinTwoUlp(level: Int32) {
        let x = Self.samples(from: -103, to: 88.7) + Self.samples(from: -2, to: 2, count: 4001)
        let y = Self.run(level, { keel_vexp($0, $1, $2) }, x)
        let worst = zip(x, y).map { Self.ulpError($1, Foundation.exp(Double($0))) }.max()!
        #expect(worst <= 2, "level \(level): worst exp error \(worst) ulp")
        let special: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 89, -104, 1e-30, -1e-30, 88.72, -87.5, -100]
        let ys = Self.run(level, { keel_vexp($0, $1, $2) }, special)
        let expected = special.map { expf($0) }
        for (got, want) in zip(ys, expected) {
            #expect(
                got == want || (got.isNaN && want.isNaN) || Swift.abs(got - want) <= 2 * want.ulp,
                "level \(level): exp gave \(got), libm \(want)")
        }
    }

    @Test(arguments: [0, 1, 2] as [Int32])
    func logWithinTwoUlp(level: Int32) {
        var x = Self.samples(from: 1e-6, to: 10) + Self.samples(from: 0.5, to: 2, count: 4001)
        x += (0..<300).map { Float(sign: .plus, exponent: $0 - 149, significand: 1.37) }  // subnormals to huge
        let y = Self.run(level, { keel_vlog($0, $1, $2) }, x)
        let worst = zip(x, y).map { Self.ulpError($1, Foundation.log(Double($0))) }.max()!
        #expect(worst <= 2, "level \(level): worst log error \(worst) ulp")
        let special: [Float] = [0, -0.0, -1, .infinity, -.infinity, .nan, 1, Float.leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let ys = Self.run(level, { keel_vlog($0, $1, $2) }, special)
        for (got, want) in zip(ys, special.map { logf($0) }) {
            #expect(
                got == want || (got.isNaN && want.isNaN) || Swift.abs(got - want) <= 2 * want.ulp,
                "level \(level): log gave \(got), libm \(want)")
        }
    }

    @Test(arguments: [0, 1, 2] as [Int32])
    func sumMatchesDouble(level: Int32) {
        for n in [0, 1, 7, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let x = randomTensor([n], seed: UInt64(n)).scalars
            keel_set_cpu_level(level)
            let total = keel_vsum(x, n)
            keel_set_cpu_level(-1)
            let exact = x.reduce(0.0) { $0 + Double($1) }
            #expect(Swift.abs(Double(total) - exact) <= 1e-5 * Double(max(n, 1)).squareRoot(), "level \(level) n \(n)")
        }
    }
}
