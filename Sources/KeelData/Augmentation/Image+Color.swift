import Foundation

/// Colour adjustments with torchvision's definitions (transforms.v2.functional on float images in [0, 1]).
extension Image {
    /// Luma 0.2989 R + 0.587 G + 0.114 B of each pixel (torchvision's rgb_to_grayscale).
    public func grayscaleValues() -> [Float] {
        guard channels >= 3 else { return stride(from: 0, to: pixels.count, by: channels).map { pixels[$0] } }
        return (0..<(width * height)).map { i in
            let p = i * channels
            return 0.2989 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2]
        }
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
        guard channels >= 3 else { return self }
        let g = grayscaleValues()
        var out = pixels
        for i in 0..<(width * height) {
            for c in 0..<3 {
                let p = i * channels + c
                out[p] = min(max(factor * pixels[p] + (1 - factor) * g[i], 0), 1)
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// factor · x + (1 − factor) · other (a constant), clamped to [0, 1]; alpha untouched.
    func blended(with other: Float, factor: Float) -> Image {
        var out = pixels
        let colour = channels == 4 ? 3 : channels
        for i in 0..<(width * height) {
            for c in 0..<colour {
                let p = i * channels + c
                out[p] = min(max(factor * pixels[p] + (1 - factor) * other, 0), 1)
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// Shifts the hue by `factor` ∈ [−0.5, 0.5] of a full turn in HSV space (adjust_hue; torchvision's
    /// RGB↔HSV conversion, operation for operation).
    public func adjustingHue(_ factor: Float) -> Image {
        precondition(factor >= -0.5 && factor <= 0.5, "adjustingHue: factor must be in [−0.5, 0.5], got \(factor)")
        guard channels >= 3 else { return self }
        var out = pixels
        for i in 0..<(width * height) {
            let p = i * channels
            let r = pixels[p], g = pixels[p + 1], b = pixels[p + 2]
            // RGB → HSV
            let maxc = max(r, g, b), minc = min(r, g, b)
            let equal = maxc == minc
            let range = maxc - minc
            let s = range / (equal ? 1 : maxc)
            let divisor = equal ? 1 : range
            let rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor
            let maxIsNotR = maxc != r, maxIsG = maxc == g
            let hr: Float = maxIsNotR ? 0 : bc - gc
            let hg: Float = (maxIsG && maxIsNotR) ? 2 + rc - bc : 0
            let hb: Float = (maxIsNotR && !maxIsG) ? 4 + gc - rc : 0
            var h = ((hr + hg + hb) / 6 + 1).truncatingRemainder(dividingBy: 1)
            // Shift.
            h = (h + factor).truncatingRemainder(dividingBy: 1)
            if h < 0 { h += 1 }
            // HSV → RGB
            let v = maxc
            let h6 = h * 6
            let sector = h6.rounded(.down)
            let f = h6 - sector
            let sxf = s * f
            let q = min(max((1 - sxf) * v, 0), 1)
            let t = min(max((sxf + (1 - s)) * v, 0), 1)
            let pp = min(max((1 - s) * v, 0), 1)
            let k = ((Int(sector) % 6) + 6) % 6
            let vpqt = [v, pp, q, t]
            let select: [[Int]] = [[0, 2, 1, 1, 3, 0], [3, 0, 0, 2, 1, 1], [1, 1, 3, 0, 0, 2]]
            out[p] = vpqt[select[0][k]]
            out[p + 1] = vpqt[select[1][k]]
            out[p + 2] = vpqt[select[2][k]]
        }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// AlexNet's PCA lighting: rgb += V · (α ⊙ λ) for every pixel, clamped to [0, 1]. Defaults: the ImageNet
    /// eigenvalues and eigenvectors of fb.resnet.torch.
    public func pcaLighting(alphas: [Float], eigenvalues: [Float] = Image.imageNetEigenvalues,
                            eigenvectors: [[Float]] = Image.imageNetEigenvectors) -> Image {
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

    public static let imageNetEigenvalues: [Float] = [0.2175, 0.0188, 0.0045]
    public static let imageNetEigenvectors: [[Float]] = [[-0.5675, 0.7192, 0.4009],
                                                         [-0.5808, -0.0045, -0.8140],
                                                         [-0.5836, -0.6948, 0.4203]]
}
