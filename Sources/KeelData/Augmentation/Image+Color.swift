import Foundation

/// Colour adjustments with torchvision's definitions (transforms.v2.functional on float images in [0, 1]).
extension Image {
    /// Luma 0.2989 R + 0.587 G + 0.114 B of each pixel (torchvision's rgb_to_grayscale).
    public func grayscaleValues() -> [Float] {
        guard channels >= 3 else { return stride(from: 0, to: pixels.count, by: channels).map { pixels[$0] } }
        var gray = [Float](repeating: 0, count: width * height)
        let stride = channels
        pixels.withUnsafeBufferPointer { src in
            gray.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count {
                    let p = i * stride
                    g[i] = 0.2989 * src[p] + 0.587 * src[p + 1] + 0.114 * src[p + 2]
                }
            }
        }
        return gray
    }

    /// A grayscale copy with `outputChannels` identical channels.
    public func grayscale(outputChannels: Int = 3) -> Image {
        let g = grayscaleValues()
        return Image(width: width, height: height, channels: outputChannels, pixels: g.flatMap { Array(repeating: $0, count: outputChannels) })
    }

    /// factor · x, clamped to [0, 1] (adjust_brightness).
    public func adjustingBrightness(_ factor: Float) -> Image { blended(with: 0, factor: factor) }

    /// Blend with the mean of the grayscale image: factor · x + (1 − factor) · mean, clamped (adjust_contrast).
    public func adjustingContrast(_ factor: Float) -> Image {
        let g = grayscaleValues()
        let mean = g.reduce(0, +) / Float(max(g.count, 1))
        return blended(with: mean, factor: factor)
    }

    /// Blend with the per-pixel grayscale: factor · x + (1 − factor) · gray, clamped (adjust_saturation).
    public func adjustingSaturation(_ factor: Float) -> Image {
        var copy = self
        copy.adjustSaturation(factor)
        return copy
    }

    /// In-place `adjustingSaturation`.
    public mutating func adjustSaturation(_ factor: Float) {
        guard channels >= 3 else { return }
        let stride = channels
        let n = width * height
        pixels.withUnsafeMutableBufferPointer { dst in
            for i in 0..<n {
                let p = i * stride
                let gray = 0.2989 * dst[p] + 0.587 * dst[p + 1] + 0.114 * dst[p + 2]
                let base = (1 - factor) * gray
                for c in 0..<3 { dst[p + c] = min(max(factor * dst[p + c] + base, 0), 1) }
            }
        }
    }

    /// In-place `adjustingContrast`.
    public mutating func adjustContrast(_ factor: Float) {
        let g = grayscaleValues()
        blend(with: g.reduce(0, +) / Float(max(g.count, 1)), factor: factor)
    }

    /// factor · x + (1 − factor) · other (a constant), clamped to [0, 1]; alpha untouched.
    func blended(with other: Float, factor: Float) -> Image {
        var copy = self
        copy.blend(with: other, factor: factor)
        return copy
    }

    /// In-place blend with a constant.
    mutating func blend(with other: Float, factor: Float) {
        let (width, height, channels) = (self.width, self.height, self.channels)
        let colour = channels == 4 ? 3 : channels
        let stride = channels
        let n = width * height
        let base = (1 - factor) * other
        _ = (width, height, channels)
        pixels.withUnsafeMutableBufferPointer { dst in
            if colour == stride {
                for p in 0..<dst.count { dst[p] = min(max(factor * dst[p] + base, 0), 1) }
            } else {
                for i in 0..<n { for c in 0..<colour { dst[i * stride + c] = min(max(factor * dst[i * stride + c] + base, 0), 1) } }
            }
        }
    }

    /// Shifts the hue by `factor` ∈ [−0.5, 0.5] of a full turn in HSV space (adjust_hue; torchvision's
    /// RGB↔HSV conversion, operation for operation).
    public func adjustingHue(_ factor: Float) -> Image {
        var copy = self
        copy.adjustHue(factor)
        return copy
    }

    /// In-place `adjustingHue`.
    public mutating func adjustHue(_ factor: Float) {
        precondition(factor >= -0.5 && factor <= 0.5, "adjustingHue: factor must be in [−0.5, 0.5], got \(factor)")
        guard channels >= 3 else { return }
        let n = width * height
        let stride = channels
        do {
            pixels.withUnsafeMutableBufferPointer { dst in
                let src = dst
                for i in 0..<n {
                    let p = i * stride
                    let r = src[p]
                    let g = src[p + 1]
                    let b = src[p + 2]
                    // RGB → HSV
                    let maxc = max(r, g, b)
                    let minc = min(r, g, b)
                    let equal = maxc == minc
                    let range = maxc - minc
                    let s = range / (equal ? 1 : maxc)
                    let inverse = 1 / (equal ? 1 : range)
                    let rc = (maxc - r) * inverse
                    let gc = (maxc - g) * inverse
                    let bc = (maxc - b) * inverse
                    let maxIsNotR = maxc != r
                    let maxIsG = maxc == g
                    let hr: Float = maxIsNotR ? 0 : bc - gc
                    let hg: Float = (maxIsG && maxIsNotR) ? 2 + rc - bc : 0
                    let hb: Float = (maxIsNotR && !maxIsG) ? 4 + gc - rc : 0
                    var h = (hr + hg + hb) / 6 + 1
                    h -= h.rounded(.down)  // fmod(h, 1) for h ≥ 0
                    // Shift (x mod 1 with the divisor's sign, as torch's %).
                    h += factor
                    h -= h.rounded(.down)
                    // HSV → RGB
                    let v = maxc
                    let h6 = h * 6
                    let sector = h6.rounded(.down)
                    let f = h6 - sector
                    let sxf = s * f
                    let q = min(max((1 - sxf) * v, 0), 1)
                    let t = min(max((sxf + (1 - s)) * v, 0), 1)
                    let pp = min(max((1 - s) * v, 0), 1)
                    switch ((Int(sector) % 6) + 6) % 6 {
                    case 0: (dst[p], dst[p + 1], dst[p + 2]) = (v, t, pp)
                    case 1: (dst[p], dst[p + 1], dst[p + 2]) = (q, v, pp)
                    case 2: (dst[p], dst[p + 1], dst[p + 2]) = (pp, v, t)
                    case 3: (dst[p], dst[p + 1], dst[p + 2]) = (pp, q, v)
                    case 4: (dst[p], dst[p + 1], dst[p + 2]) = (t, pp, v)
                    default: (dst[p], dst[p + 1], dst[p + 2]) = (v, pp, q)
                    }
                }
            }
        }
    }

    /// AlexNet's PCA lighting: rgb += V · (α ⊙ λ) for every pixel, clamped to [0, 1]. Defaults: the ImageNet
    /// eigenvalues and eigenvectors of fb.resnet.torch.
    public func pcaLighting(
        alphas: [Float], eigenvalues: [Float] = Image.imageNetEigenvalues,
        eigenvectors: [[Float]] = Image.imageNetEigenvectors
    ) -> Image {
        precondition(alphas.count == 3, "pcaLighting: three alphas needed, got \(alphas.count)")
        guard channels >= 3 else { return self }
        let offset = (0..<3).map { i in (0..<3).reduce(Float(0)) { $0 + eigenvectors[i][$1] * alphas[$1] * eigenvalues[$1] } }
        var out = pixels
        for i in 0..<(width * height) {
            for c in 0..<3 {
                let p = i * channels + c
                out[p] = min(max(pixels[p] + offset[c], 0), 1)
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// The eigenvalues of ImageNet's RGB pixel covariance (AlexNet's PCA lighting).
    public static let imageNetEigenvalues: [Float] = [0.2175, 0.0188, 0.0045]
    /// The matching eigenvectors, one per row.
    public static let imageNetEigenvectors: [[Float]] = [
        [-0.5675, 0.7192, 0.4009],
        [-0.5808, -0.0045, -0.8140],
        [-0.5836, -0.6948, 0.4203],
    ]
}
