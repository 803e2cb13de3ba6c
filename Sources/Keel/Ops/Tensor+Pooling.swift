/// 2-D max and average pooling over NCHW input with autograd (PyTorch's `max_pool2d` / `avg_pool2d`).
///
/// Shapes: [N, C, H, W] → [N, C, OH, OW], OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1.
/// Stride defaults to the kernel size. Padding may be at most half the kernel, as in PyTorch.
public func maxPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Tensor {
    let window = Window2D(kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation)
    let (planes, h, w, out) = Pooling.prepare(input, window, op: "maxPool2d")
    let planeOut = out.height * out.width
    var y = Tensor(uninitializedShape: [input.shape[0], input.shape[1], out.height, out.width])
    var argmax = [Int32](repeating: 0, count: planes * planeOut)
    let src = input.storage.pointer
    y.withUnsafeMutablePointer { dst in
        argmax.withUnsafeMutableBufferPointer { indices in
            let indexBase = UncheckedSendable(indices.baseAddress!)
            Parallel.forRanges(planes, minimumPerThread: Swift.max(1, 4096 / Swift.max(planeOut, 1))) { r in
                for plane in r {
                    let x = src + plane * h * w
                    for oh in 0..<out.height {
                        for ow in 0..<out.width {
                            var best = -Float.infinity, bestIndex = -1
                            for kh in 0..<window.kernel.height {
                                let ih = oh * window.stride.height - window.padding.height + kh * window.dilation.height
                                if ih < 0 || ih >= h { continue }
                                for kw in 0..<window.kernel.width {
                                    let iw = ow * window.stride.width - window.padding.width + kw * window.dilation.width
                                    if iw < 0 || iw >= w { continue }
                                    let v = x[ih * w + iw]
                                    if v > best || v.isNaN || bestIndex < 0 {
                                        best = v
                                        bestIndex = ih * w + iw
                                        if v.isNaN { break }
                                    }
                                }
                            }
                            let o = plane * planeOut + oh * out.width + ow
                            dst[o] = best
                            indexBase.value[o] = Int32(bestIndex)
                        }
                    }
                }
            }
        }
    }
    let inputShape = input.shape
    return Tensor.record(y, op: "maxPool2d", inputs: [input]) { g, _ in
        var dx = Tensor.zeros(inputShape)
        let pg = g.storage.pointer
        dx.withUnsafeMutablePointer { d in
            Parallel.forRanges(planes, minimumPerThread: Swift.max(1, 4096 / Swift.max(planeOut, 1))) { r in
                for plane in r {
                    let dplane = d + plane * h * w
                    for o in (plane * planeOut)..<((plane + 1) * planeOut) { dplane[Int(argmax[o])] += pg[o] }
                }
            }
        }
        return [dx]
    }
}

/// Average pooling. With `countIncludePad` (PyTorch's default) padded zeros count in the divisor.
public func avgPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) -> Tensor {
    let window = Window2D(kernel: kernel, stride: stride ?? kernel, padding: padding)
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
        Parallel.forRanges(planes, minimumPerThread: Swift.max(1, 4096 / Swift.max(planeOut, 1))) { r in
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
            Parallel.forRanges(planes, minimumPerThread: Swift.max(1, 4096 / Swift.max(planeOut, 1))) { r in
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
    static func prepare(_ input: Tensor, _ window: Window2D, op: String)
        -> (planes: Int, height: Int, width: Int, out: (height: Int, width: Int)) {
        ensure(input.rank == 4, "\(op): input must be [N, C, H, W], got shape \(input.shape)")
        ensure(window.padding.height * 2 <= window.kernel.height && window.padding.width * 2 <= window.kernel.width,
                     "\(op): padding must be at most half the kernel (\(window))")
        window.validate(op: op, inputShape: input.shape)
        return (input.shape[0] * input.shape[1], input.shape[2], input.shape[3],
                window.outputSize(height: input.shape[2], width: input.shape[3]))
    }
}
