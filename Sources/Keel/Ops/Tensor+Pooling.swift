import CKeelKernels

/// 2-D max and average pooling over NCHW input with autograd (PyTorch's `max_pool2d` / `avg_pool2d`).
///
/// Shapes: [N, C, H, W] → [N, C, OH, OW], OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1 (rounded up
/// with `ceilMode`, see `Window2D.outputSize`).
/// Stride defaults to the kernel size. Padding may be at most half the kernel, as in PyTorch.
public func maxPool2d(
    _ input: Tensor, kernelSize kernel: (Int, Int), stride: (Int, Int)? = nil,
    padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), ceilMode: Bool = false
) -> Tensor {
    maxPool2d(input, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, relu: false)
}

/// `maxPool2d(relu(x), …)` in one op: the ReLU is applied to each value as the windows read it, and in the
/// backward pass each window's gradient reaches its maximum only when that maximum is positive (ReLU′), then
/// multiplied by ReLU′ exactly as the ReLU kernel's backward does — the same bits as the two ops, without
/// relu(x) or its gradient ever being written. (`Sequential` runs a ReLU layer followed by a MaxPool2d this way.)
func maxPool2d(
    _ input: Tensor, kernelSize kernel: (Int, Int), stride: (Int, Int)?,
    padding: (Int, Int), dilation: (Int, Int), ceilMode: Bool, relu: Bool
) -> Tensor {
    let window = Window2D(kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation, ceilMode: ceilMode)
    let (planes, h, w, out) = Pooling.prepare(input, window, op: "maxPool2d")
    let planeOut = out.height * out.width
    var y = Tensor(uninitializedShape: [input.shape[0], input.shape[1], out.height, out.width])
    var argmax = [Int32](repeating: 0, count: planes * planeOut)
    let src = input.storage.pointer
    let geometry = Pooling.Geometry(height: h, width: w, outHeight: out.height, outWidth: out.width, window: window)
    // With the ReLU, which planes may hold a NaN (their ReLU′ is NaN there): the backward pass checks only those.
    var mayHoldNaN = [Bool](repeating: false, count: relu ? planes : 0)
    y.withUnsafeMutablePointer { dst in
        argmax.withUnsafeMutableBufferPointer { indexBuffer in
            mayHoldNaN.withUnsafeMutableBufferPointer { marks in
                let indices = indexBuffer.baseAddress!
                Pooling.forPlaneRanges(planes, planeSize: planeOut) { r in
                    let flagged = Pooling.maxPlanes(src, dst, indices, planes: r, geometry, relu: relu)
                    if relu {
                        for plane in r { marks[plane] = flagged || Pooling.unreadHoldsNaN(src + plane * h * w, geometry) }
                    }
                }
            }
        }
    }
    let inputShape = input.shape
    // With the ReLU, the backward pass reads x and the pooled output.
    let kept = relu ? (input: input.storage, output: y.storage) : nil
    return Tensor.record(y, op: relu ? "relu+maxPool2d" : "maxPool2d", inputs: [input]) { [kept, mayHoldNaN] g, _ in
        var dx = Tensor(uninitializedShape: inputShape)
        let pg = g.storage.pointer
        dx.withUnsafeMutablePointer { d in
            argmax.withUnsafeBufferPointer { indexBuffer in
                mayHoldNaN.withUnsafeBufferPointer { marks in
                    let indices = indexBuffer.baseAddress!
                    let fused = kept.map {
                        Pooling.FusedReLU(input: $0.input.pointer, output: $0.output.pointer, mayHoldNaN: marks.baseAddress!)
                    }
                    Pooling.forPlaneRanges(planes, planeSize: planeOut) { r in
                        Pooling.maxPlanesBackward(pg, indices, d, planes: r, geometry, relu: fused)
                    }
                }
            }
        }
        return [dx]
    }
}

/// Average pooling. With `countIncludePad` (PyTorch's default) padded zeros count in the divisor; a window that
/// `ceilMode` lets run past the padding counts only what it covers of the padded input.
public func avgPool2d(
    _ input: Tensor, kernelSize kernel: (Int, Int), stride: (Int, Int)? = nil,
    padding: (Int, Int) = (0, 0), countIncludePad: Bool = true, ceilMode: Bool = false
) -> Tensor {
    let window = Window2D(kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode)
    let (planes, h, w, out) = Pooling.prepare(input, window, op: "avgPool2d")
    let planeOut = out.height * out.width
    // Divisor of each output position (the same for every plane).
    var divisors = [Float](repeating: 0, count: planeOut)
    for oh in 0..<out.height {
        for ow in 0..<out.width {
            let h0 = oh * window.stride.height - window.padding.height
            let w0 = ow * window.stride.width - window.padding.width
            let h1 = Swift.min(h0 + window.kernel.height, h + window.padding.height)
            let w1 = Swift.min(w0 + window.kernel.width, w + window.padding.width)
            let inside = (Swift.min(h1, h) - Swift.max(h0, 0)) * (Swift.min(w1, w) - Swift.max(w0, 0))
            divisors[oh * out.width + ow] = Float(countIncludePad ? (h1 - h0) * (w1 - w0) : inside)
        }
    }
    let visit = { (oh: Int, ow: Int, body: (Int) -> Void) in
        let h0 = oh * window.stride.height - window.padding.height
        let w0 = ow * window.stride.width - window.padding.width
        for ih in Swift.max(h0, 0)..<Swift.min(h0 + window.kernel.height, h) {
            for iw in Swift.max(w0, 0)..<Swift.min(w0 + window.kernel.width, w) { body(ih * w + iw) }
        }
    }
    var y = Tensor(uninitializedShape: [input.shape[0], input.shape[1], out.height, out.width])
    let src = input.storage.pointer
    y.withUnsafeMutablePointer { dst in
        Pooling.forPlaneRanges(planes, planeSize: planeOut) { r in
            for plane in r {
                let x = src + plane * h * w
                for oh in 0..<out.height {
                    for ow in 0..<out.width {
                        var total: Float = 0
                        visit(oh, ow) { total += x[$0] }
                        dst[plane * planeOut + oh * out.width + ow] = total / divisors[oh * out.width + ow]
                    }
                }
            }
        }
    }
    let inputShape = input.shape
    return Tensor.record(y, op: "avgPool2d", inputs: [input]) { g, _ in
        var dx = Tensor.zeros(inputShape)
        let pg = g.storage.pointer
        dx.withUnsafeMutablePointer { d in
            Pooling.forPlaneRanges(planes, planeSize: planeOut) { r in
                for plane in r {
                    let dplane = d + plane * h * w
                    for oh in 0..<out.height {
                        for ow in 0..<out.width {
                            let o = oh * out.width + ow
                            let share = pg[plane * planeOut + o] / divisors[o]
                            visit(oh, ow) { dplane[$0] += share }
                        }
                    }
                }
            }
        }
        return [dx]
    }
}

enum Pooling {
    /// Splits `planes` across the cores, giving each thread at least ~4096 output values of work.
    static func forPlaneRanges(_ planes: Int, planeSize: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forRanges(planes, minimumPerThread: Swift.max(1, 4096 / Swift.max(planeSize, 1)), body)
    }

    /// Everything the max-pool kernel needs, as plain integers.
    struct Geometry {
        let height, width, outHeight, outWidth: Int
        let kh, kw, sh, sw, ph, pw, dh, dw: Int

        init(height: Int, width: Int, outHeight: Int, outWidth: Int, window: Window2D) {
            self.height = height
            self.width = width
            self.outHeight = outHeight
            self.outWidth = outWidth
            (kh, kw) = (window.kernel.height, window.kernel.width)
            (sh, sw) = (window.stride.height, window.stride.width)
            (ph, pw) = (window.padding.height, window.padding.width)
            (dh, dw) = (window.dilation.height, window.dilation.width)
        }

        /// A 2×2 window without padding or dilation.
        var isPlain2x2: Bool { kh == 2 && kw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 }

        /// Whether `keel_maxpool2x2` pools these planes: plain 2×2 windows with stride 2, inside the plane.
        var takesTwoByTwoKernel: Bool { isPlain2x2 && sh == 2 && sw == 2 && 2 * outHeight <= height && 2 * outWidth <= width }

        /// Whether no two windows share an element.
        var windowsAreDisjoint: Bool { sh >= (kh - 1) * dh + 1 && sw >= (kw - 1) * dw + 1 }
    }

    /// Whether `v` beats the current maximum `best`: larger, or a NaN over a number (NaN wins, as in PyTorch).
    @inline(__always)
    static func beats(_ v: Float, _ best: Float) -> Bool { (v > best) != (v != v && best == best) }

    /// Max pooling of whole planes (of relu(x) with `relu`): values into `y`, the flat in-plane index of each
    /// maximum into `indices`. The first maximum in scan order wins; a NaN wins over numbers (as PyTorch).
    /// Returns false when no value the windows read was a NaN (true: maybe).
    @discardableResult
    static func maxPlanes(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>,
        planes: Range<Int>, _ g: Geometry, relu: Bool = false
    ) -> Bool {
        let (h, w, oh, ow) = (g.height, g.width, g.outHeight, g.outWidth)
        // The 2×2, stride-2 kernel is for numbers; it tells whether it read a NaN, and then these planes are
        // pooled again below.
        if g.takesTwoByTwoKernel
            && keel_maxpool2x2(
                x + planes.lowerBound * h * w, planes.count, h, w, oh, ow, relu ? 1 : 0, y + planes.lowerBound * oh * ow,
                indices + planes.lowerBound * oh * ow) == 0
        {
            return false
        }
        for plane in planes {
            maxPlane(x + plane * h * w, y + plane * oh * ow, indices + plane * oh * ow, g, relu: relu)
        }
        return true
    }

    /// Whether a plane holds a NaN where no window read: past the last 2 × 2 window of the 2×2, stride-2 kernel
    /// (odd sizes). Any other window: true (the backward pass then checks the plane).
    static func unreadHoldsNaN(_ xp: UnsafePointer<Float>, _ g: Geometry) -> Bool {
        let (h, w, oh, ow) = (g.height, g.width, g.outHeight, g.outWidth)
        guard g.takesTwoByTwoKernel else { return true }
        for row in 0..<h {
            let from = row < 2 * oh ? 2 * ow : 0
            for column in from..<w where xp[row * w + column].isNaN { return true }
        }
        return false
    }

    /// What the backward pass of `maxPool2d(…, relu: true)` reads: x, the pooled relu(x), and which planes may
    /// hold a NaN.
    struct FusedReLU {
        let input: UnsafePointer<Float>
        let output: UnsafePointer<Float>
        let mayHoldNaN: UnsafePointer<Bool>

        init(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, mayHoldNaN: UnsafePointer<Bool>) {
            self.input = UnsafePointer(input)
            self.output = UnsafePointer(output)
            self.mayHoldNaN = mayHoldNaN
        }
    }

    /// relu(v) as the ReLU kernel computes it (v < 0 ? 0 : v; NaN and −0 stay).
    @inline(__always)
    static func relu(_ v: Float) -> Float { v < 0 ? 0 : v }

    /// One plane, any window, NaN-aware.
    private static func maxPlane(
        _ xp: UnsafePointer<Float>, _ yp: UnsafeMutablePointer<Float>, _ ip: UnsafeMutablePointer<Int32>,
        _ g: Geometry, relu: Bool
    ) {
        let (h, w, ow) = (g.height, g.width, g.outWidth)
        for i in 0..<g.outHeight {
            let h0 = i * g.sh - g.ph
            let firstRow = h0 >= 0 ? 0 : (-h0 + g.dh - 1) / g.dh
            let lastRow = Swift.max(firstRow, Swift.min(g.kh, (h - 1 - h0) / g.dh + 1))
            for j in 0..<ow {
                let w0 = j * g.sw - g.pw
                let firstColumn = w0 >= 0 ? 0 : (-w0 + g.dw - 1) / g.dw
                let lastColumn = Swift.max(firstColumn, Swift.min(g.kw, (w - 1 - w0) / g.dw + 1))
                var bestIndex = (h0 + firstRow * g.dh) * w + w0 + firstColumn * g.dw
                var best = relu ? Self.relu(xp[bestIndex]) : xp[bestIndex]
                for a in firstRow..<lastRow {
                    let row = (h0 + a * g.dh) * w + w0
                    for b in firstColumn..<lastColumn {
                        let index = row + b * g.dw
                        let v = relu ? Self.relu(xp[index]) : xp[index]
                        if beats(v, best) {
                            best = v
                            bestIndex = index
                        }
                    }
                }
                yp[i * ow + j] = best
                ip[i * ow + j] = Int32(bestIndex)
            }
        }
    }

    /// dx of whole planes: zero, then each output's gradient added at its maximum (zeroed plane by plane on
    /// the threads that fill them, so no serial zeroing pass runs first). With `relu` (the fused op), the result
    /// is then multiplied by ReLU′(x) as the ReLU kernel's backward multiplies: for a plane without NaN only each
    /// maximum's sum changes, by (pooled > 0 ? 1 : 0), as every other element stays +0 (0 · ReLU′); a plane with a
    /// NaN (whose ReLU′ is NaN) takes the ReLU kernel's backward whole.
    static func maxPlanesBackward(
        _ g: UnsafePointer<Float>, _ indices: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
        planes: Range<Int>, _ geometry: Geometry, relu: FusedReLU? = nil
    ) {
        let (h, w, oh, ow) = (geometry.height, geometry.width, geometry.outHeight, geometry.outWidth)
        let planeOut = oh * ow
        for plane in planes {
            let dplane = dx + plane * h * w
            let gp = g + plane * planeOut
            let ip = indices + plane * planeOut
            dplane.update(repeating: 0, count: h * w)
            let xp = relu.map { $0.input + plane * h * w }
            // (±inf pairs also sum to NaN: they merely take the longer way.)
            let hasNaN = relu.map { $0.mayHoldNaN[plane] && keel_vsum(xp!, h * w).isNaN } ?? false
            if let relu, !hasNaN, geometry.windowsAreDisjoint {
                // Each maximum gets one output's gradient, so its sum and ReLU′ go in one step.
                let yp = relu.output + plane * planeOut
                for o in 0..<planeOut {
                    let i = Int(ip[o])
                    dplane[i] = (dplane[i] + gp[o]) * (yp[o] > 0 ? 1 : 0)
                }
                continue
            }
            for o in 0..<planeOut { dplane[Int(ip[o])] += gp[o] }
            guard let relu, let xp else { continue }
            if hasNaN {
                keel_activation_backward(Int32(KEEL_ACT_RELU), xp, xp, dplane, dplane, h * w, nil)
            } else {
                // After every sum is complete; a maximum shared by several windows has the same pooled value in
                // each, so multiplying once per window gives the same bits.
                let yp = relu.output + plane * planeOut
                for o in 0..<planeOut { dplane[Int(ip[o])] *= yp[o] > 0 ? 1 : 0 }
            }
        }
    }

    static func prepare(_ input: Tensor, _ window: Window2D, op: String)
        -> (planes: Int, height: Int, width: Int, out: (height: Int, width: Int))
    {
        ensure(input.rank == 4, "\(op): input must be [N, C, H, W], got shape \(input.shape)")
        ensure(
            window.padding.height * 2 <= window.kernel.height && window.padding.width * 2 <= window.kernel.width,
            "\(op): padding must be at most half the kernel (\(window))")
        window.validate(op: op, inputShape: input.shape)
        return (
            input.shape[0] * input.shape[1], input.shape[2], input.shape[3],
            window.outputSize(height: input.shape[2], width: input.shape[3])
        )
    }
}
