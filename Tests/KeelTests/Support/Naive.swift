@testable import Keel

/// Straightforward double-precision references for the kernels.
enum Naive {
    /// C = alpha · op(A) · op(B) + beta · C, all row-major, in Double.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: [Float], lda: Int, b: [Float], ldb: Int, beta: Double, c: [Float], ldc: Int
    ) -> [Double] {
        var out = c.map(Double.init)
        for i in 0..<m {
            for j in 0..<n {
                var total = 0.0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    total += Double(av) * Double(bv)
                }
                out[i * ldc + j] = alpha * total + (beta == 0 ? 0 : beta * Double(c[i * ldc + j]))
            }
        }
        return out
    }

    struct Conv {
        let n, c, h, w, oc, kh, kw: Int
        let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
        var oh: Int { (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1 }
        var ow: Int { (w + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1 }

        /// Calls body(n, oc, y, x, c, i, j, inputIndex, weightIndex, outputIndex) for every in-bounds tap.
        func forEachTap(_ body: (Int, Int, Int) -> Void) {
            for b in 0..<n {
                for o in 0..<oc {
                    for y in 0..<oh {
                        for x in 0..<ow {
                            for ci in 0..<c {
                                for i in 0..<kh {
                                    for j in 0..<kw {
                                        let ih = y * stride.0 - padding.0 + i * dilation.0
                                        let iw = x * stride.1 - padding.1 + j * dilation.1
                                        if ih < 0 || ih >= h || iw < 0 || iw >= w { continue }
                                        body(((b * c + ci) * h + ih) * w + iw, ((o * c + ci) * kh + i) * kw + j, ((b * oc + o) * oh + y) * ow + x)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        func forward(x: [Float], weight: [Float], bias: [Float]?) -> [Double] {
            var out = [Double](repeating: 0, count: n * oc * oh * ow)
            forEachTap { xi, wi, yi in out[yi] += Double(x[xi]) * Double(weight[wi]) }
            if let bias {
                for i in out.indices { out[i] += Double(bias[(i / (oh * ow)) % oc]) }
            }
            return out
        }

        func backward(x: [Float], weight: [Float], dy: [Float]) -> (dx: [Double], dw: [Double]) {
            var dx = [Double](repeating: 0, count: x.count)
            var dw = [Double](repeating: 0, count: weight.count)
            forEachTap { xi, wi, yi in
                dx[xi] += Double(weight[wi]) * Double(dy[yi])
                dw[wi] += Double(x[xi]) * Double(dy[yi])
            }
            return (dx, dw)
        }
    }
}

/// Largest |a − b| / (1 + |b|).
func maxScaledError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var worst = 0.0
    for (x, y) in zip(a, b) { worst = max(worst, abs(Double(x) - y) / (1 + abs(y))) }
    return worst
}

func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = KeelRandom(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, generator: &generator)
}
