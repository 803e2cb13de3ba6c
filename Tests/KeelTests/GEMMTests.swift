import CKeelKernels
import KeelTestSupport
import Testing

@testable import Keel

/// GEMM against a double-precision reference: odd sizes, every transpose combination, alpha/beta,
/// leading dimensions larger than the matrix, and every instruction-set level this CPU has.
@Suite(.serialized) struct GEMMTests {
    static let sizes: [(Int, Int, Int)] = [
        (1, 1, 1), (3, 1, 5), (1, 17, 3), (17, 33, 3), (33, 17, 129), (129, 33, 17), (13, 47, 400), (100, 70, 33),
    ]

    func check(
        level: Int32, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, beta: Float, pad: Int
    ) {
        let lda = (transposeA ? m : k) + pad
        let ldb = (transposeB ? k : n) + pad
        let ldc = n + pad
        let a = randomTensor([(transposeA ? k : m) * lda], seed: 1).scalars
        let b = randomTensor([(transposeB ? n : k) * ldb], seed: 2).scalars
        let c0 = randomTensor([m * ldc], seed: 3).scalars
        var c = c0
        keel_set_cpu_level(level)
        defer { keel_set_cpu_level(-1) }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: beta,
                        c: pc.baseAddress!, ldc: ldc, threads: 1)
                }
            }
        }
        let expected = Naive.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: Double(alpha), a: a, lda: lda, b: b, ldb: ldb, beta: Double(beta),
            c: c0, ldc: ldc)
        let error = maxScaledError(c, expected)
        #expect(
            error < 1e-5 * Double(max(k, 1)).squareRoot(),
            "level \(level) tA \(transposeA) tB \(transposeB) \(m)×\(n)×\(k) α \(alpha) β \(beta): error \(error)")
        // Padding columns of C beyond n are never written.
        for i in 0..<m { for j in n..<ldc { #expect(c[i * ldc + j] == c0[i * ldc + j]) } }
    }

    @Test(arguments: [0, 1, 2] as [Int32])
    func matchesReferenceAtEveryLevel(level: Int32) {
        for (m, n, k) in Self.sizes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    check(
                        level: level, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: 1, beta: 0, pad: 0)
                }
            }
        }
    }

    @Test func alphaBetaAndLeadingDimensions() {
        for (alpha, beta) in [(Float(1), Float(1)), (0.5, -2), (-1.5, 0)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    check(
                        level: 2, transposeA: transposeA, transposeB: transposeB, m: 37, n: 45, k: 29,
                        alpha: alpha, beta: beta, pad: 3)
                }
            }
        }
    }

    @Test func zeroDepthScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let a: [Float] = [0]
        let b: [Float] = [0]
        c.withUnsafeMutableBufferPointer { pc in
            gemm(m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 2, c: pc.baseAddress!, ldc: 2)
        }
        #expect(c == [2, 4, 6, 8])
    }

    @Test func betaZeroIgnoresGarbageInC() {
        var c = [Float](repeating: .nan, count: 9)
        let a: [Float] = Array(repeating: 1, count: 9)
        let b = a
        c.withUnsafeMutableBufferPointer { pc in
            gemm(m: 3, n: 3, k: 3, a: a, lda: 3, b: b, ldb: 3, beta: 0, c: pc.baseAddress!, ldc: 3)
        }
        #expect(c == Array(repeating: 3, count: 9))
    }

    @Test func largeProductIsBitIdenticalAtAnyThreadCount() {
        let m = 301
        let n = 257
        let k = 190
        let a = randomTensor([m, k], seed: 4)
        let b = randomTensor([k, n], seed: 5)
        let one = withThreads(1) { matmul(a, b) }
        let two = withThreads(2) { matmul(a, b) }
        let three = withThreads(3) { matmul(a, b) }
        #expect(one.scalars == two.scalars)
        #expect(one.scalars == three.scalars)
    }
}
