import CKeelKernels

/// The geometry of a 2-D convolution or pooling window over NCHW input.
public struct Window2D: Equatable, Sendable, CustomStringConvertible {
    /// Kernel size (height, width).
    public var kernel: (height: Int, width: Int)
    /// Step between windows (height, width).
    public var stride: (height: Int, width: Int)
    /// Zero padding added on each side (height, width).
    public var padding: (height: Int, width: Int)
    /// Spacing between kernel taps (height, width); 1 is a dense kernel.
    public var dilation: (height: Int, width: Int)
    /// Pooling's `ceil_mode`: the output size rounds up, so a last, partial window covers the input's end.
    public var ceilMode: Bool

    /// A window; `stride` defaults to the kernel size, as PyTorch's pooling does.
    public init(
        kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), ceilMode: Bool = false
    ) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.padding = (padding.0, padding.1)
        self.dilation = (dilation.0, dilation.1)
        self.ceilMode = ceilMode
    }

    /// ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 for height and width; with `ceilMode`, ⌈…⌉ + 1,
    /// less one when the last window would start beyond the input and its left padding (PyTorch's rule).
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        func size(_ n: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) -> Int {
            let span = n + 2 * p - d * (k - 1) - 1
            guard ceilMode, span >= 0 else { return (span >= 0 ? span / s : -1) + 1 }
            let out = (span + s - 1) / s + 1
            return (out - 1) * s >= n + p ? out - 1 : out
        }
        return (
            size(height, kernel.height, stride.height, padding.height, dilation.height),
            size(width, kernel.width, stride.width, padding.width, dilation.width)
        )
    }

    func validate(op: String, inputShape: [Int]) {
        ensure(
            kernel.height > 0 && kernel.width > 0 && stride.height > 0 && stride.width > 0 && dilation.height > 0 && dilation.width > 0
                && padding.height >= 0 && padding.width >= 0,
            "\(op): invalid window \(self)")
        let out = outputSize(height: inputShape[2], width: inputShape[3])
        ensure(
            out.height > 0 && out.width > 0,
            "\(op): window \(self) does not fit input of shape \(inputShape)")
    }

    /// Windows are equal when all four pairs and the rounding are.
    public static func == (a: Window2D, b: Window2D) -> Bool { a.description == b.description }

    /// "kernel 3×3, stride 1×1, padding 0×0, dilation 1×1".
    public var description: String {
        "kernel \(kernel.height)×\(kernel.width), stride \(stride.height)×\(stride.width), "
            + "padding \(padding.height)×\(padding.width), dilation \(dilation.height)×\(dilation.width)" + (ceilMode ? ", ceil mode" : "")
    }
}

/// Convolution kernels: im2col + GEMM over groups of images.
///
/// Images are processed in groups whose im2col matrices sit side by side, so each GEMM is wide
/// ([OC, CKK] · [CKK, G·P]) and runs near the GEMM's peak even for small feature maps. The group size
/// depends only on the shapes, never on the thread count: weight-gradient partial sums are per group and
/// added in group order, so results are bit-identical at any thread count.
enum ConvolutionKernel {
    /// About this many GEMM columns (output positions × images) per group: small enough that a group's im2col
    /// matrix stays in L2 (the weight gradient rebuilds it there rather than reading a kept copy back from L3)
    /// and that the groups share out evenly between threads (a faster core takes more of them).
    static let targetColumns = 512

    struct Dimensions {
        var batch: Int
        let inChannels, height, width, outChannels, outHeight, outWidth: Int
        let window: Window2D
        var patch: Int { inChannels * window.kernel.height * window.kernel.width }
        var positions: Int { outHeight * outWidth }
        var imageIn: Int { inChannels * height * width }
        var imageOut: Int { outChannels * positions }

        /// Images per group: groups of (nearly) equal size with about `targetColumns` columns each.
        var groupSize: Int {
            let groups = max(1, min(batch, (batch * positions + targetColumns - 1) / targetColumns))
            return (batch + groups - 1) / groups
        }
        var groupCount: Int { (batch + groupSize - 1) / groupSize }
        func images(ofGroup g: Int) -> Range<Int> { (g * groupSize)..<min(batch, (g + 1) * groupSize) }
    }

    /// col[:, i·P ..< (i+1)·P] = im2col(x[n]) for the images n of `images` (i counts from 0).
    static func im2col(_ x: UnsafePointer<Float>, _ d: Dimensions, images: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        let w = d.window
        let ld = images.count * d.positions
        for (i, n) in images.enumerated() {
            keel_im2col(
                x + n * d.imageIn, d.inChannels, d.height, d.width, w.kernel.height, w.kernel.width,
                w.padding.height, w.padding.width, w.stride.height, w.stride.width,
                w.dilation.height, w.dilation.width, d.outHeight, d.outWidth, col + i * d.positions, ld)
        }
    }

    /// Threads for each group's GEMM: all of them when there are fewer groups than threads.
    static func gemmThreads(_ d: Dimensions) -> Int { d.groupCount >= Parallel.threadCount ? 1 : Parallel.threadCount }

    /// y[n] = W · im2col(x[n]) + b, then ReLU when `relu`.
    static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, relu: Bool = false, _ d: Dimensions, method: Method = .automatic
    ) {
        if usesDirectForward(d, method) {
            forwardDirect(x: x, weight: weight, bias: bias, y: y, relu: relu, d)
            return
        }
        let threads = gemmThreads(d)
        let p = d.positions
        Parallel.forEach(d.groupCount) { g in
            let images = d.images(ofGroup: g)
            let columns = images.count * p
            ScratchPool.shared.withBuffer(count: d.patch * columns) { col in
                ScratchPool.shared.withBuffer(count: d.outChannels * columns) { result in
                    im2col(x, d, images: images, into: col)
                    // result[column, oc] = colᵀ · Wᵀ: the long side (columns) on GEMM rows, OC on its
                    // vector lanes, so no part of a micro-tile is wasted for OC = 32, 64, 128, …
                    gemm(
                        transposeA: true, transposeB: true, m: columns, n: d.outChannels, k: d.patch,
                        a: col, lda: columns, b: weight, ldb: d.patch, c: result, ldc: d.outChannels,
                        threads: threads)
                    // y[n] = result[n's columns, oc]ᵀ (+ b), in SIMD blocks.
                    let oc = d.outChannels
                    for (i, n) in images.enumerated() {
                        keel_transpose(result + i * p * oc, oc, p, oc, bias, relu ? 1 : 0, y + n * d.imageOut, p)
                    }
                }
            }
        }
    }

    /// dW = Σₙ dy[n] · im2col(x[n])ᵀ (when `dWeight` is given), dx[n] = col2im(Wᵀ · dy[n]) (when `dx` is) and
    /// db[c] = Σₙ Σₚ dy[n, c, p] (when `dBias` is: per image and channel a `keel_vsum`, added image by image
    /// within a group, then group by group). With `reluOutput` (the forward's output after its fused ReLU), dy is first multiplied by ReLU′, exactly
    /// as the ReLU kernel's backward does.
    static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>? = nil, reluOutput: UnsafePointer<Float>? = nil,
        _ d: Dimensions, method: Method = .automatic
    ) {
        let directWeights = dWeight != nil && usesDirectWeightGradient(d, method)
        if usesDirect(d, method) && dx != nil && usesDirectInputGradient(method) {
            withPackedGradientWeights(weight, d) { packed in
                backwardGroups(
                    x: x, weight: weight, dy: dy, dx: dx, dWeight: dWeight, dBias: dBias, reluOutput: reluOutput, d,
                    directWeights: directWeights, directPacked: packed)
            }
        } else {
            backwardGroups(
                x: x, weight: weight, dy: dy, dx: dx, dWeight: dWeight, dBias: dBias, reluOutput: reluOutput, d,
                directWeights: directWeights, directPacked: nil)
        }
    }

    /// `backward` group by group: with `directPacked` (the direct kernels' packed weights), dx by the direct kernels;
    /// with `directWeights`, a 3 × 3 kernel's dW by the direct weight-gradient kernel.
    private static func backwardGroups(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?, reluOutput: UnsafePointer<Float>?,
        _ d: Dimensions, directWeights: Bool, directPacked: UnsafePointer<Float>?
    ) {
        let weightCount = d.outChannels * d.patch
        let p = d.positions
        let groups = d.groupCount
        let threads = gemmThreads(d)
        // Per group: dW as [OC, patch], or transposed as [patch, OC padded] from the direct 3 × 3 kernel.
        let partialCount = directWeights ? d.patch * paddedOutChannels(d) : weightCount
        let partials = dWeight == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: groups * partialCount)
        let biasPartials = dBias == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: groups * d.outChannels)
        defer {
            partials?.deallocate()
            biasPartials?.deallocate()
        }
        // The direct kernels read dy where it is when no ReLU′ is to be applied and no GEMM needs it laid out.
        let inPlace = reluOutput == nil && (dWeight == nil || directWeights) && (dx == nil || directPacked != nil)
        // The im2col matrix, for a weight gradient or an input gradient that the GEMM computes.
        let usesColumns = (dWeight != nil && !directWeights) || (dx != nil && directPacked == nil)
        Parallel.forEach(groups) { g in
            let images = d.images(ofGroup: g)
            let columns = images.count * p
            ScratchPool.shared.withBuffer(count: usesColumns ? d.patch * columns : 0) { scratch in
                ScratchPool.shared.withBuffer(count: inPlace ? 0 : d.outChannels * columns) { gradient in
                    // dy of the group laid out as [OC, images · P] (and summed per channel for the bias).
                    biasPartials?.advanced(by: g * d.outChannels).update(repeating: 0, count: d.outChannels)
                    for (i, n) in images.enumerated() {
                        for c in 0..<d.outChannels {
                            let source = dy + n * d.imageOut + c * p
                            let row = gradient + c * columns + i * p
                            if inPlace {
                                if let biasPartials { biasPartials[g * d.outChannels + c] += keel_vsum(source, p) }
                                continue
                            }
                            if let reluOutput {
                                let y = reluOutput + n * d.imageOut + c * p
                                keel_activation_backward(Int32(KEEL_ACT_RELU), y, y, source, row, p, nil)
                            } else {
                                row.update(from: source, count: p)
                            }
                            if let biasPartials { biasPartials[g * d.outChannels + c] += keel_vsum(row, p) }
                        }
                    }
                    // Image i of the group's dy, and the floats between its channels.
                    let dyImage: (Int) -> UnsafePointer<Float> = { i in
                        inPlace ? dy + (images.lowerBound + i) * d.imageOut : UnsafePointer(gradient + i * p)
                    }
                    let dyChannelStride = inPlace ? p : columns
                    if let partials, directWeights {
                        weightGradientDirect(
                            x: x, dy: dyImage, dyStride: dyChannelStride, images: images, into: partials + g * partialCount,
                            d)
                    } else if let partials {
                        // dW[oc, patch] of this group = dy · colᵀ (col rebuilt in L2, packed along the patch, 16 or 32
                        // wide, so its transposition wastes no lanes).
                        im2col(x, d, images: images, into: scratch)
                        let col = UnsafePointer(scratch)
                        gemm(
                            transposeB: true, m: d.outChannels, n: d.patch, k: columns,
                            a: gradient, lda: columns, b: col, ldb: columns,
                            c: partials + g * weightCount, ldc: d.patch, threads: threads)
                    }
                    if let dx, let directPacked {
                        for (i, n) in images.enumerated() {
                            inputGradientDirect(
                                dy: dyImage(i), dyStride: dyChannelStride, packed: directPacked, dx: dx + n * d.imageIn, d)
                        }
                    } else if let dx {
                        // dcol = Wᵀ · dy, then folded back into dx.
                        let col = scratch
                        gemm(
                            transposeA: true, m: d.patch, n: columns, k: d.outChannels,
                            a: weight, lda: d.patch, b: gradient, ldb: columns,
                            c: col, ldc: columns, threads: threads)
                        let w = d.window
                        for (i, n) in images.enumerated() {
                            let target = dx + n * d.imageIn
                            target.update(repeating: 0, count: d.imageIn)
                            keel_col2im(
                                col + i * p, d.inChannels, d.height, d.width, w.kernel.height, w.kernel.width,
                                w.padding.height, w.padding.width, w.stride.height, w.stride.width,
                                w.dilation.height, w.dilation.width, d.outHeight, d.outWidth, columns, target)
                        }
                    }
                }
            }
        }
        if let dBias, let biasPartials {
            dBias.update(from: biasPartials, count: d.outChannels)
            for g in 1..<max(groups, 1) {
                for c in 0..<d.outChannels { dBias[c] += biasPartials[g * d.outChannels + c] }
            }
        }
        if let dWeight, let partials, directWeights {
            sumTransposedPartials(partials, groups: groups, into: dWeight, d)
        } else if let dWeight, let partials {
            // Sum the groups' dW in group order: each element's groups in order, elements split between threads.
            Parallel.forRanges(weightCount, grain: 64, minimumPerThread: 4096) { r in
                (dWeight + r.lowerBound).update(from: partials + r.lowerBound, count: r.count)
                for g in 1..<max(groups, 1) {
                    let src = partials + g * weightCount
                    for i in r { dWeight[i] += src[i] }
                }
            }
        }
    }
}
