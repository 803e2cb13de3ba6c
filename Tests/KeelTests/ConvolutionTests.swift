import KeelTestSupport
import Testing

@testable import Keel

/// conv2d forward and backward against a double-precision reference for every stride/padding/dilation
/// combination on odd sizes.
struct ConvolutionTests {
    struct Case: CustomStringConvertible, Sendable {
        let n, c, h, w, oc, kh, kw: Int
        let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
        var description: String {
            "N\(n) C\(c) \(h)×\(w) → \(oc), k \(kh)×\(kw), s \(stride), p \(padding), d \(dilation)"
        }
        var naive: Naive.Conv {
            Naive.Conv(n: n, c: c, h: h, w: w, oc: oc, kh: kh, kw: kw, stride: stride, padding: padding, dilation: dilation)
        }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for stride in [(1, 1), (2, 2), (2, 1)] {
            for padding in [(0, 0), (1, 1), (2, 1)] {
                for dilation in [(1, 1), (2, 2), (1, 3)] {
                    cases.append(
                        Case(
                            n: 3, c: 3, h: 9, w: 11, oc: 5, kh: 3, kw: 3,
                            stride: stride, padding: padding, dilation: dilation))
                }
            }
        }
        cases.append(Case(n: 2, c: 5, h: 7, w: 6, oc: 17, kh: 1, kw: 1, stride: (1, 1), padding: (0, 0), dilation: (1, 1)))
        cases.append(Case(n: 1, c: 1, h: 17, w: 17, oc: 33, kh: 5, kw: 2, stride: (3, 2), padding: (2, 1), dilation: (1, 1)))
        cases.append(Case(n: 5, c: 2, h: 3, w: 3, oc: 1, kh: 3, kw: 3, stride: (1, 1), padding: (0, 0), dilation: (1, 1)))
        return cases
    }()

    @Test(arguments: cases)
    func matchesReference(_ t: Case) {
        let x = randomTensor([t.n, t.c, t.h, t.w], seed: 11)
        let weight = randomTensor([t.oc, t.c, t.kh, t.kw], seed: 12)
        let bias = randomTensor([t.oc], seed: 13)
        let xl = x.requiringGradient()
        let wl = weight.requiringGradient()
        let bl = bias.requiringGradient()
        let y = conv2d(xl, weight: wl, bias: bl, stride: t.stride, padding: t.padding, dilation: t.dilation)
        #expect(y.shape == [t.n, t.oc, t.naive.oh, t.naive.ow])
        let expected = t.naive.forward(x: x.scalars, weight: weight.scalars, bias: bias.scalars)
        #expect(maxScaledError(y.scalars, expected) < 1e-5, "forward \(t)")

        let dy = randomTensor(y.shape, seed: 14)
        y.backward(dy)
        let (dx, dw) = t.naive.backward(x: x.scalars, weight: weight.scalars, dy: dy.scalars)
        #expect(maxScaledError(xl.gradient!.scalars, dx) < 1e-5, "dx \(t)")
        #expect(maxScaledError(wl.gradient!.scalars, dw) < 1e-5, "dw \(t)")
        var db = [Double](repeating: 0, count: t.oc)
        for (i, g) in dy.scalars.enumerated() { db[(i / (t.naive.oh * t.naive.ow)) % t.oc] += Double(g) }
        #expect(maxScaledError(bl.gradient!.scalars, db) < 1e-5, "db \(t)")
    }

    @Test func gradientCheck() {
        let result = GradientCheck().run([
            randomTensor([2, 2, 5, 4], seed: 1), randomTensor([3, 2, 3, 2], seed: 2),
            randomTensor([3], seed: 3),
        ]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 1), padding: (1, 1), dilation: (1, 2))
        }
        #expect(result.passed, "\(result)")
    }

    @Test func backwardIsBitIdenticalAtAnyThreadCount() {
        let x = randomTensor([9, 4, 12, 12], seed: 21)
        let weight = randomTensor([8, 4, 3, 3], seed: 22)
        let dy = randomTensor([9, 8, 10, 10], seed: 23)
        func run() -> ([Float], [Float], [Float]) {
            let xl = x.requiringGradient()
            let wl = weight.requiringGradient()
            let y = conv2d(xl, weight: wl)
            y.backward(dy)
            return (y.scalars, xl.gradient!.scalars, wl.gradient!.scalars)
        }
        let one = withThreads(1, run)
        let two = withThreads(2, run)
        let five = withThreads(5, run)
        #expect(one == two)
        #expect(one == five)
    }

    @Test func onlyNeededGradientsAreComputed() {
        let x = randomTensor([2, 1, 5, 5], seed: 1)
        let w = Parameter(randomTensor([2, 1, 3, 3], seed: 2))
        conv2d(x, weight: w.value).sum().backward()
        #expect(w.grad != nil)
        #expect(x.gradient == nil)
    }
}

/// A convolution followed by ReLU runs fused inside `Sequential`; it must give exactly the two ops' bits.
struct FusedConvolutionReLUTests {
    @Test func fusedEqualsSeparateOps() {
        var g = KeelRandom(seed: 9)
        let conv = Conv2d(3, 5, kernelSize: 3, padding: 1, generator: &g)
        let fused = Sequential {
            conv
            ReLU()
        }
        var scalars = Tensor.normal([2, 3, 7, 6], generator: &g).scalars
        scalars[4] = .nan
        scalars[9] = -0.0
        let x = Tensor(shape: [2, 3, 7, 6], scalars: scalars)
        let upstream = Tensor.normal([2, 5, 7, 6], generator: &g)
        func run(_ body: (Tensor) -> Tensor) -> [[UInt32]] {
            let leaf = x.requiringGradient()
            conv.weight.zeroGrad()
            conv.bias?.zeroGrad()
            let y = body(leaf)
            y.backward(upstream)
            return [y.scalars, leaf.gradient!.scalars, conv.weight.grad!.scalars, conv.bias!.grad!.scalars]
                .map { $0.map(\.bitPattern) }
        }
        let separate = run { conv2d($0, weight: conv.weight.value, bias: conv.bias!.value, padding: (1, 1)).activation(.relu) }
        #expect(run { fused($0) } == separate)
        // A ReLU layer with a forward hook is not fused (the hook must see its input).
        let observed = ReLU()
        var seen: ActivationStatistics?
        let hook = ActivationStatistics.record(on: observed) { seen = $0 }
        defer { hook.remove() }
        #expect(
            run {
                Sequential {
                    conv
                    observed
                }($0)
            } == separate)
        #expect(seen != nil)
    }
}

struct PoolingTests {
    /// Reference max/avg pooling (PyTorch semantics) in Double, with gradients of Σ y ⊙ dy.
    static func reference(
        _ x: [Float], n: Int, c: Int, h: Int, w: Int, k: (Int, Int), s: (Int, Int), p: (Int, Int),
        d: (Int, Int), max isMax: Bool, includePad: Bool, dy: (Int) -> Float
    )
        -> (y: [Double], dx: [Double], oh: Int, ow: Int)
    {
        let oh = (h + 2 * p.0 - d.0 * (k.0 - 1) - 1) / s.0 + 1
        let ow = (w + 2 * p.1 - d.1 * (k.1 - 1) - 1) / s.1 + 1
        var y = [Double]()
        var dx = [Double](repeating: 0, count: x.count)
        for plane in 0..<(n * c) {
            for i in 0..<oh {
                for j in 0..<ow {
                    var taps: [Int] = []
                    for a in 0..<k.0 {
                        for b in 0..<k.1 {
                            let ih = i * s.0 - p.0 + a * d.0
                            let iw = j * s.1 - p.1 + b * d.1
                            if ih >= 0 && ih < h && iw >= 0 && iw < w { taps.append(plane * h * w + ih * w + iw) }
                        }
                    }
                    let g = Double(dy(y.count))
                    if isMax {
                        let best = taps.max { x[$0] < x[$1] || (x[$0] == x[$1] && $0 > $1) }!
                        y.append(Double(x[best]))
                        dx[best] += g
                    } else {
                        let divisor = Double(includePad ? k.0 * k.1 : taps.count)
                        y.append(taps.reduce(0.0) { $0 + Double(x[$1]) } / divisor)
                        for t in taps { dx[t] += g / divisor }
                    }
                }
            }
        }
        return (y, dx, oh, ow)
    }

    @Test func maxPoolMatchesReference() {
        for (k, s, p, d) in [
            ((2, 2), (2, 2), (0, 0), (1, 1)), ((3, 3), (2, 2), (1, 1), (1, 1)),
            ((3, 2), (1, 2), (1, 0), (2, 1)), ((2, 3), (3, 1), (0, 1), (1, 1)),
        ] {
            let x = randomTensor([2, 3, 9, 8], seed: 31)
            let xl = x.requiringGradient()
            let y = maxPool2d(xl, kernelSize: k, stride: s, padding: p, dilation: d)
            let dy = randomTensor(y.shape, seed: 32)
            let dys = dy.scalars
            let r = Self.reference(
                x.scalars, n: 2, c: 3, h: 9, w: 8, k: k, s: s, p: p, d: d, max: true,
                includePad: true
            ) { dys[$0] }
            #expect(y.shape == [2, 3, r.oh, r.ow])
            #expect(maxScaledError(y.scalars, r.y) == 0, "max pool k \(k) s \(s) p \(p) d \(d)")
            y.backward(dy)
            #expect(maxScaledError(xl.gradient!.scalars, r.dx) < 1e-6)
        }
    }

    /// The 2 × 2 kernel at every level on widths whose rows end in a short block (a block's extra lanes then reach
    /// into the following rows' outputs, or, for the last block, are stored masked): every plane, every row, odd
    /// sizes, one output column, on one and two threads.
    @Test(arguments: KernelLevel.available)
    func maxPool2x2MatchesTheReferenceOnShortRows(level: KernelLevel) {
        for (n, c, h, w) in [(3, 5, 7, 3), (2, 4, 11, 11), (1, 2, 26, 26), (2, 1, 4, 2), (1, 3, 5, 33)] {
            for threads in [1, 2] {
                KernelLevel.with(level) {
                    withThreads(threads) {
                        let x = randomTensor([n, c, h, w], seed: 34)
                        let xl = x.requiringGradient()
                        let y = maxPool2d(xl, kernelSize: (2, 2))
                        let dy = randomTensor(y.shape, seed: 35)
                        let dys = dy.scalars
                        let r = Self.reference(
                            x.scalars, n: n, c: c, h: h, w: w, k: (2, 2), s: (2, 2), p: (0, 0), d: (1, 1), max: true,
                            includePad: true
                        ) { dys[$0] }
                        #expect(y.shape == [n, c, r.oh, r.ow])
                        #expect(maxScaledError(y.scalars, r.y) == 0, "\(n)×\(c)×\(h)×\(w) at \(level), \(threads) threads")
                        y.backward(dy)
                        #expect(maxScaledError(xl.gradient!.scalars, r.dx) == 0, "dx \(n)×\(c)×\(h)×\(w) at \(level)")
                    }
                }
            }
        }
    }

    /// A NaN wins its 2 × 2 window on the fast kernel's 8-wide blocks and on a row's short last block, at every level, and
    /// the window's gradient goes to it (PyTorch's NaN propagation).
    @Test(arguments: KernelLevel.available)
    func maxPool2x2LetsANaNWin(level: KernelLevel) {
        KernelLevel.with(level) {
            var scalars = randomTensor([2, 3, 4, 37], seed: 33).scalars
            let nanPositions = [3, 148 + 37 + 34, 2 * 148 + 2 * 37 + 8]  // a block, the tail, a second-row element
            for i in nanPositions { scalars[i] = .nan }
            let x = Tensor(shape: [2, 3, 4, 37], scalars: scalars).requiringGradient()
            let y = maxPool2d(x, kernelSize: (2, 2))
            y.backward(Tensor.ones(y.shape))
            for i in nanPositions {
                let (plane, row, column) = (i / 148, i % 148 / 37, i % 37)
                #expect(y.scalars[plane * 36 + row / 2 * 18 + column / 2].isNaN, "NaN at \(i) on \(level)")
                #expect(x.gradient!.scalars[i] == 1, "gradient at NaN \(i) on \(level)")
            }
            #expect(y.scalars.filter(\.isNaN).count == nanPositions.count)
        }
    }

    @Test func avgPoolMatchesReference() {
        for (k, s, p) in [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)), ((3, 2), (1, 2), (1, 1))] {
            for includePad in [true, false] {
                let x = randomTensor([2, 2, 7, 9], seed: 41)
                let xl = x.requiringGradient()
                let y = avgPool2d(xl, kernelSize: k, stride: s, padding: p, countIncludePad: includePad)
                let dy = randomTensor(y.shape, seed: 42)
                let dys = dy.scalars
                let r = Self.reference(
                    x.scalars, n: 2, c: 2, h: 7, w: 9, k: k, s: s, p: p, d: (1, 1), max: false,
                    includePad: includePad
                ) { dys[$0] }
                #expect(y.shape == [2, 2, r.oh, r.ow])
                #expect(maxScaledError(y.scalars, r.y) < 1e-6, "avg pool k \(k) s \(s) p \(p) pad \(includePad)")
                y.backward(dy)
                #expect(maxScaledError(xl.gradient!.scalars, r.dx) < 1e-6)
            }
        }
    }

    @Test func gradientChecks() {
        // Distinct, well-separated values keep the max away from ties.
        var values = (0..<50).map { Float($0) * 0.37 }
        var generator = KeelRandom(seed: 3)
        values.shuffle(using: &generator)
        let x = Tensor(shape: [1, 2, 5, 5], scalars: values)
        let maxCheck = GradientCheck(step: 1e-2).run([x]) { maxPool2d($0[0], kernelSize: (2, 2), stride: (1, 1)) }
        #expect(maxCheck.passed, "\(maxCheck)")
        let avgCheck = GradientCheck().run([x]) { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) }
        #expect(avgCheck.passed, "\(avgCheck)")
    }
}
