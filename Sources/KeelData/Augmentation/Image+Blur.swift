import Foundation

extension Image {
    /// Gaussian blur with torchvision's kernel (exp(−x²/2σ²) on x = −(k−1)/2 … (k−1)/2, normalized) and
    /// reflect padding (mirror without repeating the edge), separably.
    public func gaussianBlurred(kernelSize: Int, sigma: Float) -> Image {
        precondition(kernelSize > 0 && kernelSize % 2 == 1, "gaussianBlurred: kernel size must be odd and positive, got \(kernelSize)")
        precondition(sigma > 0, "gaussianBlurred: sigma must be positive, got \(sigma)")
        let half = kernelSize / 2
        var kernel = (0..<kernelSize).map { i -> Float in
            let x = Float(i - half)
            return exp(-0.5 * (x / sigma) * (x / sigma))
        }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func reflect(_ i: Int, _ n: Int) -> Int {
            guard n > 1 else { return 0 }
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
            return j
        }
        var horizontal = Image(width: width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var s: Float = 0
                    for k in 0..<kernelSize { s += kernel[k] * self[y, reflect(x + k - half, width), c] }
                    horizontal[y, x, c] = s
                }
            }
        }
        var out = Image(width: width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var s: Float = 0
                    for k in 0..<kernelSize { s += kernel[k] * horizontal[reflect(y + k - half, height), x, c] }
                    out[y, x, c] = s
                }
            }
        }
        return out
    }
}
