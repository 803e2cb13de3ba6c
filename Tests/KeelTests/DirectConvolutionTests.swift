import CKeelKernels
import KeelTestSupport
import Testing

@testable import Keel

/// The direct convolution gives the im2col path's bits — forward (with bias and fused ReLU, any stride), input
/// gradient, and the whole backward — at every kernel level and at 1 and 2 threads.
struct DirectConvolutionTests {
    struct Case: CustomStringConvertible, Sendable {
        let n, c, h, w, oc, kh, kw, ph, pw: Int
        var sh = 1, sw = 1
        var description: String { "N\(n) C\(c) \(h)×\(w) → \(oc), k \(kh)×\(kw), p \(ph)×\(pw), s \(sh)×\(sw)" }
        var dimensions: ConvolutionKernel.Dimensions {
            let window = Window2D(kernel: (kh, kw), stride: (sh, sw), padding: (ph, pw))
            let out = window.outputSize(height: h, width: w)
            return ConvolutionKernel.Dimensions(
                batch: n, inChannels: c, height: h, width: w, outChannels: oc, outHeight: out.height,
                outWidth: out.width, window: window)
        }
    }

    static let cases: [Case] = [
        Case(n: 3, c: 16, h: 32, w: 32, oc: 16, kh: 3, kw: 3, ph: 1, pw: 1),  // ResNet's first stage
        Case(n: 2, c: 3, h: 9, w: 11, oc: 5, kh: 3, kw: 3, ph: 0, pw: 0),
        Case(n: 2, c: 7, h: 13, w: 13, oc: 33, kh: 3, kw: 3, ph: 1, pw: 1),
        Case(n: 1, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, ph: 0, pw: 0),  // the CNN's first layer
        Case(n: 2, c: 5, h: 7, w: 6, oc: 17, kh: 1, kw: 1, ph: 0, pw: 0),
        Case(n: 2, c: 4, h: 10, w: 9, oc: 6, kh: 5, kw: 2, ph: 2, pw: 1),
        Case(n: 1, c: 2, h: 4, w: 5, oc: 3, kh: 3, kw: 3, ph: 2, pw: 2),
        Case(n: 2, c: 9, h: 3, w: 3, oc: 64, kh: 3, kw: 3, ph: 1, pw: 1),
        // Rows of whole vectors (written in place) with a last tile part-empty and channels not filling a tile.
        Case(n: 2, c: 3, h: 5, w: 16, oc: 5, kh: 3, kw: 3, ph: 1, pw: 1),
        // ResNet's third stage: 80 grid positions, which the wide tile shape fits exactly at AVX-512.
        Case(n: 2, c: 8, h: 8, w: 8, oc: 64, kh: 3, kw: 3, ph: 1, pw: 1),
        // Strided (a direct forward over the phase planes; the gradients on the im2col path): ResNet's downsampling
        // convolution and projection, odd sizes, unequal strides, a stride larger than the kernel.
        Case(n: 2, c: 16, h: 32, w: 32, oc: 32, kh: 3, kw: 3, ph: 1, pw: 1, sh: 2, sw: 2),
        Case(n: 2, c: 16, h: 32, w: 32, oc: 32, kh: 1, kw: 1, ph: 0, pw: 0, sh: 2, sw: 2),
        Case(n: 2, c: 3, h: 9, w: 11, oc: 5, kh: 3, kw: 3, ph: 1, pw: 0, sh: 2, sw: 3),
        Case(n: 1, c: 4, h: 12, w: 7, oc: 18, kh: 5, kw: 2, ph: 2, pw: 1, sh: 3, sw: 2),
        Case(n: 2, c: 2, h: 9, w: 9, oc: 3, kh: 2, kw: 2, ph: 0, pw: 1, sh: 3, sw: 3),
    ]

    @Test func smallGridsTakeTheWideTileShapeAtAVX512() {
        for level in KernelLevel.available where level == .avx512 {
            var rows: Int32 = 0
            var lanes: Int32 = 0
            #expect(KernelLevel.with(level) { keel_conv_direct_shape(0, 80, &rows, &lanes) } == 1, "\(level)")
            #expect(KernelLevel.with(level) { keel_conv_direct_shape(1, 80, &rows, &lanes) } == 1, "\(level)")
            #expect(KernelLevel.with(level) { keel_conv_direct_shape(0, 1088, &rows, &lanes) } == 0, "\(level)")
        }
    }

    /// (y, dx, dW, db) of one forward and backward pass by `method`.
    static func run(_ t: Case, _ method: ConvolutionKernel.Method, relu: Bool) -> [[Float]] {
        let d = t.dimensions
        var rng = KeelRandom(seed: 5)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
        // Some exact zeros, so ReLU′ and the zero-padding taps meet −0 · w as well.
        let x = values(d.batch * d.imageIn).enumerated().map { $0.offset % 7 == 0 ? 0 : $0.element }
        let weight = values(d.outChannels * d.patch)
        let bias = values(d.outChannels)
        let dy = values(d.batch * d.imageOut)
        var y = [Float](repeating: .nan, count: d.batch * d.imageOut)
        var dx = [Float](repeating: .nan, count: d.batch * d.imageIn)
        var dWeight = [Float](repeating: .nan, count: weight.count)
        var dBias = [Float](repeating: .nan, count: bias.count)
        ConvolutionKernel.forward(x: x, weight: weight, bias: bias, y: &y, relu: relu, d, method: method)
        ConvolutionKernel.backward(
            x: x, weight: weight, dy: dy, dx: &dx, dWeight: &dWeight, dBias: &dBias, reluOutput: relu ? y : nil, d,
            method: method)
        return [y, dx, dWeight, dBias]
    }

    @Test(arguments: cases)
    func matchesTheIm2colPathBitForBit(_ t: Case) {
        #expect(ConvolutionKernel.usesDirectForward(t.dimensions, .automatic))
        #expect(ConvolutionKernel.usesDirect(t.dimensions, .automatic) == (t.sh == 1 && t.sw == 1))
        for relu in [false, true] {
            let reference = KernelLevel.with(.portable) { withThreads(1) { Self.run(t, .im2col, relu: relu) } }
            for level in KernelLevel.available {
                for (threads, method) in [(1, ConvolutionKernel.Method.direct), (2, .direct), (2, .automatic)] {
                    let got = KernelLevel.with(level) { withThreads(threads) { Self.run(t, method, relu: relu) } }
                    for (name, (a, b)) in zip(["y", "dx", "dW", "db"], zip(got, reference)) {
                        let same = a.map(\.bitPattern) == b.map(\.bitPattern)
                        let first = same ? nil : zip(a, b).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
                        #expect(
                            same,
                            "\(t) relu \(relu) \(level) \(method) \(threads) threads: \(name) differs at \(first.map { "[\($0.offset)] \($0.element)" } ?? "")"
                        )
                    }
                }
            }
        }
    }

    /// The 3 × 3 weight gradient walks only the output positions: an infinite input that no output position reads
    /// through tap (0, 0) — the last columns, which the grid positions past a row's end would read — leaves that tap's
    /// gradient finite, as on the im2col path (the grid's extra positions would add ∞ · 0 = NaN).
    @Test func weightGradientReadsOnlyWhatTheOutputPositionsRead() {
        let t = Case(n: 2, c: 2, h: 5, w: 7, oc: 8, kh: 3, kw: 3, ph: 0, pw: 0)
        let d = t.dimensions
        var rng = KeelRandom(seed: 9)
        var x = (0..<(d.batch * d.imageIn)).map { _ in Float.random(in: -1...1, using: &rng) }
        for row in 0..<d.height { x[row * d.width + d.width - 1] = .infinity }  // image 0, channel 0, last column
        let weight = (0..<(d.outChannels * d.patch)).map { _ in Float.random(in: -1...1, using: &rng) }
        let dy = (0..<(d.batch * d.imageOut)).map { _ in Float.random(in: -1...1, using: &rng) }
        func dWeight(_ method: ConvolutionKernel.Method) -> [Float] {
            var dx = [Float](repeating: .nan, count: x.count)
            var dW = [Float](repeating: .nan, count: weight.count)
            var db = [Float](repeating: .nan, count: d.outChannels)
            ConvolutionKernel.backward(
                x: x, weight: weight, dy: dy, dx: &dx, dWeight: &dW, dBias: &db, reluOutput: nil, d, method: method)
            return dW
        }
        let reference = KernelLevel.with(.portable) { dWeight(.im2col) }
        for o in 0..<d.outChannels { #expect(reference[o * d.patch].isFinite, "tap (0, 0) of channel 0 reads no ∞") }
        for level in KernelLevel.available {
            let got = KernelLevel.with(level) { dWeight(.direct) }
            for k in got.indices {
                let same = got[k].bitPattern == reference[k].bitPattern || (got[k].isNaN && reference[k].isNaN)
                #expect(same, "\(level): dW[\(k)] \(got[k]) against \(reference[k])")
            }
        }
    }

    @Test func appliesOnlyToStrideOneDilationOneAndSmallPadding() {
        func dims(stride: Int = 1, padding: Int = 1, dilation: Int = 1) -> ConvolutionKernel.Dimensions {
            let window = Window2D(kernel: (3, 3), stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation))
            let out = window.outputSize(height: 9, width: 9)
            return ConvolutionKernel.Dimensions(
                batch: 1, inChannels: 1, height: 9, width: 9, outChannels: 1, outHeight: out.height, outWidth: out.width,
                window: window)
        }
        #expect(ConvolutionKernel.usesDirect(dims(), .automatic))
        #expect(ConvolutionKernel.usesDirect(dims(), .direct))
        #expect(!ConvolutionKernel.usesDirect(dims(), .im2col))
        #expect(!ConvolutionKernel.usesDirect(dims(stride: 2), .automatic))
        #expect(ConvolutionKernel.usesDirectForward(dims(stride: 2), .automatic))
        #expect(!ConvolutionKernel.usesDirectForward(dims(stride: 2), .im2col))
        #expect(!ConvolutionKernel.usesDirect(dims(dilation: 2), .automatic))
        #expect(!ConvolutionKernel.usesDirectForward(dims(dilation: 2), .automatic))
        #expect(!ConvolutionKernel.usesDirect(dims(padding: 3), .automatic))
        #expect(!ConvolutionKernel.usesDirectForward(dims(stride: 2, padding: 3), .automatic))
    }
}
