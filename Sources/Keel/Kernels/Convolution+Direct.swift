import CKeelKernels

/// Direct convolution for dilation 1: the forward pass (any stride) and, for stride 1, the input and 3 × 3 weight
/// gradients without an im2col matrix, with the im2col path's bits.
///
/// Each image's planes are zero-padded so that every kernel tap is a fixed offset in a grid whose rows are the
/// padded width: y[o, q] = Σ_(c, t) w[o, c, t] · x̃[c, q + offset_t]. The C tiles put channels on rows and grid
/// positions on vector lanes; the few positions past each output row's end are computed and dropped. The input
/// gradient is the same walk over dy padded by kernel − 1 − padding, with the taps flipped:
/// dx[c, g] = Σ_t Σ_o w[o, c, t] · d̃y[o, g + offset′_t]. Each element's sum is the im2col GEMM's chain of fused
/// multiply-adds (and col2im's tap-by-tap additions), so the two paths agree bit for bit (tested). The input gradient
/// adds a few terms the im2col path leaves out — a weight times dy's zero padding, exactly zero for finite weights;
/// the 3 × 3 weight gradient walks only the output positions, so it adds none.
extension ConvolutionKernel {
    /// How a convolution is computed: `automatic` takes the direct kernels where they apply and are faster,
    /// `direct` wherever they apply (for tests), `im2col` never. All three give the same bits.
    enum Method: Sendable {
        case automatic, direct, im2col
    }

    /// Whether the direct kernels apply to the whole pass: stride 1, dilation 1 and padding at most kernel − 1 on
    /// both axes.
    static func usesDirect(_ d: Dimensions, _ method: Method) -> Bool {
        d.window.stride == (1, 1) && usesDirectForward(d, method)
    }

    /// Whether the forward pass is direct: dilation 1 and padding at most kernel − 1 on both axes, any stride (a
    /// strided convolution over the input's phase planes).
    static func usesDirectForward(_ d: Dimensions, _ method: Method) -> Bool {
        let w = d.window
        return method != .im2col && w.dilation == (1, 1) && w.padding.height <= w.kernel.height - 1
            && w.padding.width <= w.kernel.width - 1
    }

    /// Whether a direct convolution's input gradient is direct too: with 16-float vectors (AVX-512). With 8 (AVX2:
    /// 16 registers for a tile's two sets of sums) the im2col path's GEMM and col2im were faster — 7,600–8,700
    /// against 6,500–7,100 samples/s for the CNN, 505–514 against 489–507 for ResNet-20.
    static func usesDirectInputGradient(_ method: Method) -> Bool {
        method == .direct || keel_conv_direct_lanes() == 16
    }

    private static func roundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }

    /// A zero-padded copy of one image's planes and the grid that the tiles walk over it.
    private struct Grid {
        /// How the copy is laid out: each channel's plane zero-padded (stride 1), or for stride (s_h, s_w) each
        /// channel's phase planes — phase (a, b) holds the padded image's rows a, a + s_h, … and columns b, b + s_w, …
        /// — so that every tap is again a fixed offset from the output position (phases only as many as the kernel
        /// reads: min(s, kernel) per axis).
        enum Layout {
            case padded
            case phases(stride: (height: Int, width: Int), count: (height: Int, width: Int))
        }
        let layout: Layout
        /// Height and width of a padded plane (or of one phase plane); floats per channel.
        let height, width, plane: Int
        /// Where the image sits in the padded plane.
        let top, left: Int
        /// Grid positions computed (rows of `width`).
        let positions: Int
        /// The level's tile shape for this grid (`keel_conv_direct_shape`), its channels and positions per tile.
        let shape, rows, lanes: Int
        /// Floats between the result's channel rows: the positions rounded up to whole tiles.
        var leading: Int { roundUp(positions, lanes) }
        /// Each tap's offset, taps in (kh, kw) order.
        let offsets: [Int]
        init(
            layout: Layout = .padded, height: Int, width: Int, top: Int, left: Int, positions: Int, offsets: [Int],
            gradient: Bool
        ) {
            var planes = 1
            if case .phases(_, let count) = layout { planes = count.height * count.width }
            (self.layout, self.height, self.width, plane) = (layout, height, width, planes * height * width)
            (self.top, self.left, self.positions, self.offsets) = (top, left, positions, offsets)
            var rows: Int32 = 0
            var lanes: Int32 = 0
            shape = Int(keel_conv_direct_shape(gradient ? 1 : 0, positions, &rows, &lanes))
            (self.rows, self.lanes) = (Int(rows), Int(lanes))
        }

        /// Floats between a channel's phase planes (0 for a padded plane).
        var phasePlane: Int {
            if case .phases = layout { return height * width }
            return 0
        }

        /// Floats the padded copy needs: its planes, then room for the last tile's reads.
        func bufferCount(planes: Int) -> Int { planes * plane + leading + (offsets.max() ?? 0) }

        /// `source`'s planes (height × width, `stride` floats apart) zero-padded into `buffer` (`bufferCount(planes:)`
        /// floats), the room after them zeroed.
        func pad(
            _ source: UnsafePointer<Float>, planes: Int, stride: Int, height sourceHeight: Int, width sourceWidth: Int,
            into buffer: UnsafeMutablePointer<Float>
        ) {
            switch layout {
            case .padded:
                keel_pad_planes(source, planes, stride, sourceHeight, sourceWidth, top, left, buffer, height, width)
            case .phases(let step, let count):
                keel_pad_phases(
                    source, planes, stride, sourceHeight, sourceWidth, top, left, step.height, step.width, count.height,
                    count.width, buffer, height, width)
            }
            let filled = planes * plane
            (buffer + filled).update(repeating: 0, count: bufferCount(planes: planes) - filled)
        }
    }

    /// The forward grid: x padded by the convolution's padding; output row i starts at grid position i · width.
    /// A row holds the padding once, on its left: the right padding a tap reads past a row's end is the next row's
    /// left padding (or the zeros after the last row), so rows are W + padding wide, not W + 2 · padding, and a
    /// row computes kernel − 1 − padding dropped positions instead of kernel − 1. A strided convolution walks the
    /// phase planes instead: output (i, j) at grid position i · width + j, tap (kh, kw) read from phase
    /// (kh mod s_h, kw mod s_w), kh div s_h rows and kw div s_w columns on.
    private static func forwardGrid(_ d: Dimensions) -> Grid {
        let w = d.window
        guard w.stride == (1, 1) else { return phaseGrid(d) }
        let height = d.height + 2 * w.padding.height
        let width = d.width + w.padding.width
        let positions = d.outHeight * width
        var offsets: [Int] = []
        for kh in 0..<w.kernel.height {
            for kw in 0..<w.kernel.width { offsets.append(kh * width + kw) }
        }
        return Grid(
            height: height, width: width, top: w.padding.height, left: w.padding.width, positions: positions,
            offsets: offsets, gradient: false)
    }

    /// The forward grid of a strided convolution (see `forwardGrid`).
    private static func phaseGrid(_ d: Dimensions) -> Grid {
        let w = d.window
        let step = w.stride
        let count = (height: min(step.height, w.kernel.height), width: min(step.width, w.kernel.width))
        let height = (d.height + 2 * w.padding.height + step.height - 1) / step.height
        let width = (d.width + 2 * w.padding.width + step.width - 1) / step.width
        var offsets: [Int] = []
        for kh in 0..<w.kernel.height {
            for kw in 0..<w.kernel.width {
                let phase = (kh % step.height) * count.width + kw % step.width
                offsets.append(phase * height * width + (kh / step.height) * width + kw / step.width)
            }
        }
        return Grid(
            layout: .phases(stride: step, count: count), height: height, width: width, top: w.padding.height,
            left: w.padding.width, positions: d.outHeight * width, offsets: offsets, gradient: false)
    }

    /// The input-gradient grid: dy padded by kernel − 1 − padding (so every tap of every input position lands inside
    /// the plane); input row i starts at grid position i · width; tap (kh, kw) reads (KH − 1 − kh, KW − 1 − kw) away.
    /// As in the forward grid, a row holds its padding once, on the left: W + padding wide (the input's W, so an
    /// unpadded convolution's input gradient drops no position).
    private static func gradientGrid(_ d: Dimensions) -> Grid {
        let w = d.window
        let height = d.height + w.kernel.height - 1
        let width = d.width + w.padding.width
        let positions = d.height * width
        var offsets: [Int] = []
        for kh in 0..<w.kernel.height {
            for kw in 0..<w.kernel.width { offsets.append((w.kernel.height - 1 - kh) * width + (w.kernel.width - 1 - kw)) }
        }
        return Grid(
            height: height, width: width, top: w.kernel.height - 1 - w.padding.height,
            left: w.kernel.width - 1 - w.padding.width, positions: positions, offsets: offsets, gradient: true)
    }

    /// y[n] = W ⋆ x[n] (+ b, then ReLU when `relu`), image by image on the threads.
    static func forwardDirect(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, relu: Bool, _ d: Dimensions
    ) {
        let grid = forwardGrid(d)
        let rows = roundUp(d.outChannels, grid.rows)
        let taps = grid.offsets.count
        ScratchPool.shared.withBuffer(count: rows * d.patch) { packed in
            keel_conv_direct_pack_forward(weight, d.outChannels, d.patch, Int32(grid.rows), packed)
            grid.offsets.withUnsafeBufferPointer { offsets in
                Parallel.forEach(d.batch) { n in
                    ScratchPool.shared.withBuffer(count: grid.bufferCount(planes: d.inChannels)) { xp in
                        grid.pad(
                            x + n * d.imageIn, planes: d.inChannels, stride: d.imageIn / d.inChannels, height: d.height,
                            width: d.width, into: xp)
                        ScratchPool.shared.withBuffer(count: rows * grid.leading) { result in
                            keel_conv_direct_forward(
                                Int32(grid.shape), xp, grid.plane, d.inChannels, offsets.baseAddress, taps, packed, d.outChannels,
                                grid.positions, result, grid.leading)
                            keel_unpad_planes(
                                result, grid.leading, d.outChannels, d.outHeight, d.outWidth, grid.width, bias,
                                relu ? 1 : 0, y + n * d.imageOut)
                        }
                    }
                }
            }
        }
    }

    /// The packed weights for `inputGradientDirect`, made once per backward pass.
    static func withPackedGradientWeights<R>(
        _ weight: UnsafePointer<Float>, _ d: Dimensions, _ body: (UnsafePointer<Float>) -> R
    ) -> R {
        let tileRows = gradientGrid(d).rows
        let taps = d.window.kernel.height * d.window.kernel.width
        return ScratchPool.shared.withBuffer(count: roundUp(d.inChannels, tileRows) * taps * d.outChannels) { packed in
            keel_conv_direct_pack_gradient(weight, d.outChannels, d.inChannels, taps, Int32(tileRows), packed)
            return body(packed)
        }
    }

    /// dx (one image, written whole) from dy laid out as rows of `dyStride` floats per output channel.
    static func inputGradientDirect(
        dy: UnsafePointer<Float>, dyStride: Int, packed: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        _ d: Dimensions
    ) {
        let grid = gradientGrid(d)
        let rows = roundUp(d.inChannels, grid.rows)
        ScratchPool.shared.withBuffer(count: grid.bufferCount(planes: d.outChannels)) { dyp in
            grid.pad(dy, planes: d.outChannels, stride: dyStride, height: d.outHeight, width: d.outWidth, into: dyp)
            ScratchPool.shared.withBuffer(count: rows * grid.leading) { result in
                grid.offsets.withUnsafeBufferPointer { offsets in
                    keel_conv_direct_input_gradient(
                        Int32(grid.shape), dyp, grid.plane, d.outChannels, offsets.baseAddress, offsets.count, packed, d.inChannels,
                        grid.positions, result, grid.leading)
                }
                keel_unpad_planes(result, grid.leading, d.inChannels, d.height, d.width, grid.width, nil, 0, dx)
            }
        }
    }
}

extension ConvolutionKernel {
    /// Output channels rounded up to the direct kernels' vector width (the transposed dW's row length).
    static func paddedOutChannels(_ d: Dimensions) -> Int {
        roundUp(d.outChannels, Int(keel_conv_direct_lanes()))
    }

    /// Whether a 3 × 3 weight gradient is direct: stride 1, or stride 2 over the phase planes.
    static func usesDirectWeightGradient(_ d: Dimensions, _ method: Method) -> Bool {
        let w = d.window
        return w.kernel == (3, 3) && (w.stride == (1, 1) || w.stride == (2, 2)) && usesDirectForward(d, method)
    }

    /// One group's 3 × 3 dW, transposed — partial[k, o] for k < patch, o < paddedOutChannels — as the chain over the
    /// group's images and each image's output positions in order: the im2col GEMM's chain over the same columns.
    /// `dy(i)`: image i of the group's dy, its channels `dyStride` floats apart.
    static func weightGradientDirect(
        x: UnsafePointer<Float>, dy: (Int) -> UnsafePointer<Float>, dyStride: Int, images: Range<Int>,
        into partial: UnsafeMutablePointer<Float>, _ d: Dimensions
    ) {
        let grid = forwardGrid(d)
        let outPadded = paddedOutChannels(d)
        let outputs = d.outHeight * d.outWidth
        ScratchPool.shared.withBuffer(count: grid.bufferCount(planes: d.inChannels)) { xp in
            ScratchPool.shared.withBuffer(count: outputs * outPadded) { dyt in
                // dy position-major; the columns past the output channels, which the transposes never write, zeroed
                // once for all the group's images.
                if outPadded != d.outChannels { dyt.update(repeating: 0, count: outputs * outPadded) }
                for (i, n) in images.enumerated() {
                    grid.pad(
                        x + n * d.imageIn, planes: d.inChannels, stride: d.imageIn / d.inChannels, height: d.height,
                        width: d.width, into: xp)
                    keel_transpose(dy(i), dyStride, d.outChannels, outputs, nil, 0, dyt, outPadded)
                    for c in 0..<d.inChannels {
                        keel_conv_direct_weight_gradient3x3(
                            xp + c * grid.plane, grid.width, grid.phasePlane, dyt, outPadded, outPadded, d.outHeight,
                            d.outWidth, partial + c * 9 * outPadded, outPadded, i > 0 ? 1 : 0)
                    }
                }
            }
        }
    }

    /// dW[o, k] = Σ_g partials[g][k, o] in group order (each group's partial as `weightGradientDirect` leaves it):
    /// the groups added into the first, element by element, then transposed.
    static func sumTransposedPartials(
        _ partials: UnsafeMutablePointer<Float>, groups: Int, into dWeight: UnsafeMutablePointer<Float>, _ d: Dimensions
    ) {
        let outPadded = paddedOutChannels(d)
        let count = d.patch * outPadded
        Parallel.forRanges(count, grain: 64, minimumPerThread: 8192) { r in
            for g in 1..<max(groups, 1) { keel_vadd(partials + g * count + r.lowerBound, partials + r.lowerBound, r.count) }
        }
        keel_transpose(partials, outPadded, d.patch, d.outChannels, nil, 0, dWeight, d.patch)
    }
}
