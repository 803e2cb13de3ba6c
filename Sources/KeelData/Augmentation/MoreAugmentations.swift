import Foundation
import Keel

/// How `RandomCrop` pads (torchvision's padding modes).
public enum PaddingMode: String, Sendable, CaseIterable {
    /// A constant (the fill).
    case constant
    /// The edge pixel repeated.
    case edge
    /// Mirror without repeating the edge (d c b | a b c d | c b a).
    case reflect
    /// Mirror repeating the edge (b a | a b c d | d c).
    case symmetric
}

extension Image {
    /// The image with `padding` pixels added on every side.
    public func padded(_ padding: Int, mode: PaddingMode, fill: Float = 0) -> Image {
        guard padding > 0 else { return self }
        func source(_ i: Int, _ n: Int) -> Int? {
            switch mode {
            case .constant: return i >= 0 && i < n ? i : nil
            case .edge: return min(max(i, 0), n - 1)
            case .reflect:
                guard n > 1 else { return 0 }
                var j = i
                while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
                return j
            case .symmetric:
                var j = i
                while j < 0 || j >= n { j = j < 0 ? -j - 1 : 2 * n - 1 - j }
                return j
            }
        }
        var out = Image(width: width + 2 * padding, height: height + 2 * padding, channels: channels, value: fill)
        for y in 0..<out.height {
            guard let sy = source(y - padding, height) else { continue }
            for x in 0..<out.width {
                guard let sx = source(x - padding, width) else { continue }
                for c in 0..<channels { out[y, x, c] = self[sy, sx, c] }
            }
        }
        return out
    }
}

/// torchvision's RandomCrop: optional padding (any mode), pad-if-needed, then a uniformly placed crop.
public struct RandomCrop: RandomAugmentation {
    public var height: Int, width: Int, padding: Int, mode: PaddingMode, padIfNeeded: Bool
    /// A random `height` × `width` crop after padding every side by `padding` (or, with `padIfNeeded`, up to the crop size),
    /// the padding filled as `mode` says (torchvision's `RandomCrop`).
    public init(height: Int, width: Int, padding: Int = 0, mode: PaddingMode = .constant, padIfNeeded: Bool = false) {
        self.height = height
        self.width = width
        self.padding = padding
        self.mode = mode
        self.padIfNeeded = padIfNeeded
    }

    /// The crop's size; an error when the (padded) image is smaller than the crop.
    public func outputSize(height inputHeight: Int, width inputWidth: Int) throws -> (height: Int, width: Int) {
        let (h, w) = (inputHeight + 2 * padding, inputWidth + 2 * padding)
        if !padIfNeeded && (h < height || w < width) {
            throw DataError(
                path: "random-crop",
                problem: "a crop of \(width)×\(height) does not fit a \(inputWidth)×\(inputHeight) image"
                    + (padding > 0 ? " padded by \(padding)" : "") + " (add pad_if_needed=1 or padding)")
        }
        if let problem = InputLimits.checkImageSize(height: max(h, height) + 1, width: max(w, width) + 1) {
            throw DataError(path: "random-crop", problem: "the padded image: \(problem)")
        }
        return (height, width)
    }

    /// Pads, then crops at a position drawn uniformly.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        var source = image.padded(padding, mode: mode, fill: fill)
        if padIfNeeded && (source.width < width || source.height < height) {
            let extra = max(width - source.width, height - source.height)
            source = source.padded((extra + 1) / 2, mode: mode, fill: fill)
        }
        let top = source.height > height ? Int(g.next() % UInt64(source.height - height + 1)) : 0
        let left = source.width > width ? Int(g.next() % UInt64(source.width - width + 1)) : 0
        return source.cropped(top: top, left: left, height: height, width: width)
    }
}

/// Scale jittering (VGG, ResNet): resize so the shorter side is uniform in [minimum, maximum], then a random
/// size × size crop.
public struct ScaleJitter: RandomAugmentation {
    public var minimum: Int, maximum: Int, size: Int
    /// Rescales the shorter side to a length drawn from `minimum`…`maximum`, then crops `size` × `size` at random
    /// (VGG's scale jittering).
    public init(minimum: Int, maximum: Int, size: Int) {
        self.minimum = minimum
        self.maximum = maximum
        self.size = size
    }

    /// `size` × `size`; an error when `minimum` is smaller than `size`.
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) {
        // The largest intermediate image: the shorter side resized to `maximum`.
        let f = Double(maximum) / Double(min(width, height))
        guard let h = InputLimits.imageSide(Double(height) * f), let w = InputLimits.imageSide(Double(width) * f),
            InputLimits.checkImageSize(height: h + size, width: w + size) == nil
        else {
            throw DataError(
                path: "scale-jitter", problem: "resizing a \(width)×\(height) image's shorter side to \(maximum) " + "passes the image size limit")
        }
        return (size, size)
    }

    /// Draws the scale, resizes (bilinear), crops.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        let shorter = minimum + Int(g.next() % UInt64(max(maximum - minimum + 1, 1)))
        let f = Float(shorter) / Float(min(image.width, image.height))
        let resized = image.resizedBilinear(
            height: max(1, Int((Float(image.height) * f).rounded())),
            width: max(1, Int((Float(image.width) * f).rounded())))
        return RandomCrop(height: size, width: size, padIfNeeded: true).apply(resized, generator: &g, fill: fill)
    }
}

/// Vertical flip with probability p.
public struct RandomVerticalFlip: RandomAugmentation {
    /// The probability of flipping.
    public var probability: Float
    /// Flips top to bottom with `probability` (torchvision's `RandomVerticalFlip`).
    public init(probability: Float = 0.5) { self.probability = probability }
    /// The image flipped, or unchanged.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        g.nextUniform() < probability ? image.flippedVertically() : image
    }
}

/// Gaussian blur with σ ~ U(σ range).
public struct RandomGaussianBlur: RandomAugmentation {
    public var kernelSize: Int, sigma: ClosedRange<Float>
    /// A Gaussian blur with an odd `kernelSize` and σ drawn uniformly from `sigma` (torchvision's `GaussianBlur`).
    public init(kernelSize: Int, sigma: ClosedRange<Float> = 0.1...2) {
        self.kernelSize = kernelSize
        self.sigma = sigma
    }
    /// Draws σ and blurs.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        image.gaussianBlurred(kernelSize: kernelSize, sigma: g.uniform(sigma.lowerBound, sigma.upperBound))
    }
}

/// Salt-and-pepper noise: each pixel becomes 0 or 1 (all channels) with probability `amount`.
public struct SaltAndPepper: RandomAugmentation {
    /// The fraction of pixels replaced.
    public var amount: Float
    /// Sets a fraction `amount` of the pixels to 0 or 1, half each.
    public init(amount: Float = 0.02) { self.amount = amount }
    /// The image with salt-and-pepper noise.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        var out = image
        for i in 0..<(image.width * image.height) where g.nextUniform() < amount {
            let value: Float = g.nextUniform() < 0.5 ? 0 : 1
            for c in 0..<image.channels { out.pixels[i * image.channels + c] = value }
        }
        return out
    }
}

/// AlexNet's PCA lighting with α ~ N(0, σ²) per image (default: ImageNet's eigen-decomposition).
public struct RandomPCALighting: RandomAugmentation {
    public var sigma: Float, eigenvalues: [Float], eigenvectors: [[Float]]
    /// AlexNet's lighting noise: adds Σᵢ αᵢ λᵢ vᵢ to every RGB pixel, αᵢ ~ N(0, σ²), with ImageNet's
    /// eigenvalues λ and eigenvectors v by default.
    public init(sigma: Float = 0.1, eigenvalues: [Float] = Image.imageNetEigenvalues, eigenvectors: [[Float]] = Image.imageNetEigenvectors) {
        self.sigma = sigma
        self.eigenvalues = eigenvalues
        self.eigenvectors = eigenvectors
    }

    /// Eigenvalues and eigenvectors of the RGB covariance of `images` (the "fit" of fancy PCA), largest first.
    public static func fit(_ images: [Image]) -> (eigenvalues: [Float], eigenvectors: [[Float]]) {
        var mean = [Double](repeating: 0, count: 3)
        var count = 0.0
        for image in images where image.channels >= 3 {
            for i in 0..<(image.width * image.height) { for c in 0..<3 { mean[c] += Double(image.pixels[i * image.channels + c]) } }
            count += Double(image.width * image.height)
        }
        mean = mean.map { $0 / max(count, 1) }
        var cov = [[Double]](repeating: [0, 0, 0], count: 3)
        for image in images where image.channels >= 3 {
            for i in 0..<(image.width * image.height) {
                let p = i * image.channels
                let d = (0..<3).map { Double(image.pixels[p + $0]) - mean[$0] }
                for a in 0..<3 { for b in 0..<3 { cov[a][b] += d[a] * d[b] } }
            }
        }
        cov = cov.map { $0.map { $0 / max(count - 1, 1) } }
        // Jacobi eigenvalue iteration for the symmetric 3×3 covariance.
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            var (p, q, largest) = (0, 1, 0.0)
            for i in 0..<3 { for j in (i + 1)..<3 where abs(cov[i][j]) > largest { (p, q, largest) = (i, j, abs(cov[i][j])) } }
            if largest < 1e-15 { break }
            let theta = 0.5 * atan2(2 * cov[p][q], cov[q][q] - cov[p][p])
            let (cs, sn) = (cos(theta), sin(theta))
            for k in 0..<3 {
                let (akp, akq) = (cov[k][p], cov[k][q])
                cov[k][p] = cs * akp - sn * akq
                cov[k][q] = sn * akp + cs * akq
            }
            for k in 0..<3 {
                let (apk, aqk) = (cov[p][k], cov[q][k])
                cov[p][k] = cs * apk - sn * aqk
                cov[q][k] = sn * apk + cs * aqk
            }
            for k in 0..<3 {
                let (vkp, vkq) = (v[k][p], v[k][q])
                v[k][p] = cs * vkp - sn * vkq
                v[k][q] = sn * vkp + cs * vkq
            }
        }
        let order = (0..<3).sorted { cov[$0][$0] > cov[$1][$1] }
        let values = order.map { Float(cov[$0][$0]) }
        let vectors = (0..<3).map { row in order.map { Float(v[row][$0]) } }  // columns are eigenvectors
        return (values, vectors)
    }

    /// Draws α and shifts every pixel's colour.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        image.pcaLighting(alphas: (0..<3).map { _ in sigma * Float(g.nextNormal()) }, eigenvalues: eigenvalues, eigenvectors: eigenvectors)
    }
}

/// Applies `augmentation` with probability p (RandomApply).
public struct RandomApply: RandomAugmentation {
    public var augmentation: any RandomAugmentation, probability: Float
    /// Applies `augmentation` with `probability` (torchvision's `RandomApply`).
    public init(_ augmentation: any RandomAugmentation, probability: Float) {
        self.augmentation = augmentation
        self.probability = probability
    }
    /// The augmented image, or the image unchanged.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        g.nextUniform() < probability ? augmentation.apply(image, generator: &g, fill: fill) : image
    }

    /// The wrapped augmentation's size, which must equal the input's (either may happen).
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) {
        let size = try augmentation.outputSize(height: height, width: width)
        guard size == (height, width) else {
            throw DataError(path: "random-apply", problem: "an augmentation applied only sometimes must keep the image size")
        }
        return size
    }
}

/// Applies one of `choices`, picked uniformly (RandomChoice).
public struct RandomChoice: RandomAugmentation {
    /// The augmentations chosen from.
    public var choices: [any RandomAugmentation]
    /// Applies one of `choices`, drawn uniformly (torchvision's `RandomChoice`).
    public init(_ choices: [any RandomAugmentation]) { self.choices = choices }
    /// The image after the drawn choice.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        guard !choices.isEmpty else { return image }
        return choices[Int(g.next() % UInt64(choices.count))].apply(image, generator: &g, fill: fill)
    }

    /// The choices' common output size; an error when they differ.
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) {
        let sizes = try choices.map { try $0.outputSize(height: height, width: width) }
        guard let first = sizes.first else { return (height, width) }
        guard sizes.allSatisfy({ $0 == first }) else {
            throw DataError(path: "random-choice", problem: "the choices make images of different sizes")
        }
        return first
    }
}
