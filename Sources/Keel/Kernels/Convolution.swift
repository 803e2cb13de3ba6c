import CKeelKernels

/// The geometry of a 2-D convolution or pooling window over NCHW input.
public struct Window2D: Equatable, Sendable, CustomStringConvertible {
    public var kernel: (height: Int, width: Int)
    public var stride: (height: Int, width: Int)
    public var padding: (height: Int, width: Int)
    public var dilation: (height: Int, width: Int)

    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1)) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.padding = (padding.0, padding.1)
        self.dilation = (dilation.0, dilation.1)
    }

    /// ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 for height and width.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding.height - dilation.height * (kernel.height - 1) - 1) / stride.height + 1,
         (width + 2 * padding.width - dilation.width * (kernel.width - 1) - 1) / stride.width + 1)
    }

    func validate(op: String, inputShape: [Int]) {
        ensure(kernel.height > 0 && kernel.width > 0 && stride.height > 0 && stride.width > 0 &&
                     dilation.height > 0 && dilation.width > 0 && padding.height >= 0 && padding.width >= 0,
                     "\(op): invalid window \(self)")
        let out = outputSize(height: inputShape[2], width: inputShape[3])
        ensure(out.height > 0 && out.width > 0,
                     "\(op): window \(self) does not fit input of shape \(inputShape)")
    }

    public static func == (a: Window2D, b: Window2D) -> Bool { a.description == b.description }

    public var description: String {
        "kernel \(kernel.height)×\(kernel.width), stride \(stride.height)×\(stride.width), " +
            "padding \(padding.height)×\(padding.width), dilation \(dilation.height)×\(dilation.width)"
    }
}

/// Convolution kernels: im2col + GEMM per image, images spread over threads.
enum ConvolutionKernel {
    /// Images per weight-gradient partial sum: fixed, so the sum order never depends on thread count.
    static let imagesPerPartial = 4

    struct Dimensions {
        let batch, inChannels, height, width, outChannels, outHeight, outWidth: Int
        let window: Window2D
        var patch: Int { inChannels * window.kernel.height * window.kernel.width }
        var positions: Int { outHeight * outWidth }
        var isPointwise: Bool {
            window.kernel == (1, 1) && window.stride == (1, 1) && window.padding == (0, 0)
        }
    }

    static func im2col(_ x: UnsafePointer<Float>, _ d: Dimensions, into col: UnsafeMutablePointer<Float>) {
        let w = d.window
        keel_im2col(x, d.inChannels, d.height, d.width, w.kernel.height, w.kernel.width,
                    w.padding.height, w.padding.width, w.stride.height, w.stride.width,
                    w.dilation.height, w.dilation.width, d.outHeight, d.outWidth, col)
    }

    /// y[n] = W · im2col(x[n]) + b.
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        y: UnsafeMutablePointer<Float>, _ d: Dimensions) {
        let imageIn = d.inChannels * d.height * d.width, imageOut = d.outChannels * d.positions
        let perImageThreads = d.batch >= Parallel.threadCount ? 1 : Parallel.threadCount
        Parallel.forEach(d.batch) { n in
            let out = y + n * imageOut
            let compute = { (col: UnsafePointer<Float>) in
                gemm(m: d.outChannels, n: d.positions, k: d.patch, a: weight, lda: d.patch,
                     b: col, ldb: d.positions, c: out, ldc: d.positions, threads: perImageThreads)
            }
            if d.isPointwise {
                compute(x + n * imageIn)
            } else {
                ScratchPool.shared.withBuffer(count: d.patch * d.positions) { col in
                    im2col(x + n * imageIn, d, into: col)
                    compute(col)
                }
            }
            if let bias {
                for c in 0..<d.outChannels {
                    let row = out + c * d.positions, b = bias[c]
                    for p in 0..<d.positions { row[p] += b }
                }
            }
        }
    }

    /// dW = Σₙ dy[n] · im2col(x[n])ᵀ (when `dWeight` is given) and dx[n] = col2im(Wᵀ · dy[n]) (when `dx` is).
    static func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, _ d: Dimensions) {
        let imageIn = d.inChannels * d.height * d.width, imageOut = d.outChannels * d.positions
        let weightCount = d.outChannels * d.patch
        let partials = (d.batch + imagesPerPartial - 1) / imagesPerPartial
        let partialBuffer = dWeight == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: partials * weightCount)
        defer { partialBuffer?.deallocate() }
        let perImageThreads = partials >= Parallel.threadCount ? 1 : Parallel.threadCount
        Parallel.forEach(partials) { p in
            ScratchPool.shared.withBuffer(count: d.patch * d.positions) { col in
                for n in (p * imagesPerPartial)..<min(d.batch, (p + 1) * imagesPerPartial) {
                    let g = dy + n * imageOut
                    if let partialBuffer {
                        let source: UnsafePointer<Float>
                        if d.isPointwise {
                            source = x + n * imageIn
                        } else {
                            im2col(x + n * imageIn, d, into: col)
                            source = UnsafePointer(col)
                        }
                        gemm(transposeB: true, m: d.outChannels, n: d.patch, k: d.positions,
                             a: g, lda: d.positions, b: source, ldb: d.positions,
                             beta: n == p * imagesPerPartial ? 0 : 1,
                             c: partialBuffer + p * weightCount, ldc: d.patch, threads: perImageThreads)
                    }
                    if let dx {
                        let target = dx + n * imageIn
                        if d.isPointwise {
                            gemm(transposeA: true, m: d.patch, n: d.positions, k: d.outChannels,
                                 a: weight, lda: d.patch, b: g, ldb: d.positions,
                                 c: target, ldc: d.positions, threads: perImageThreads)
                        } else {
                            gemm(transposeA: true, m: d.patch, n: d.positions, k: d.outChannels,
                                 a: weight, lda: d.patch, b: g, ldb: d.positions,
                                 c: col, ldc: d.positions, threads: perImageThreads)
                            target.update(repeating: 0, count: imageIn)
                            let w = d.window
                            keel_col2im(col, d.inChannels, d.height, d.width, w.kernel.height, w.kernel.width,
                                        w.padding.height, w.padding.width, w.stride.height, w.stride.width,
                                        w.dilation.height, w.dilation.width, d.outHeight, d.outWidth, target)
                        }
                    }
                }
            }
        }
        if let dWeight, let partialBuffer {
            dWeight.update(from: partialBuffer, count: weightCount)
            for p in 1..<max(partials, 1) {
                let src = partialBuffer + p * weightCount
                for i in 0..<weightCount { dWeight[i] += src[i] }
            }
        }
    }
}
