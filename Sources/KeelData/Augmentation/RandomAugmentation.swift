import Foundation
import Keel

/// A random image augmentation: draws its parameters from `generator` (seeded per sample from
/// (seed, epoch, index), so results do not depend on threads or batch order) and applies them.
public protocol RandomAugmentation: Sendable {
    func apply(_ image: Image, generator: inout KeelRandom, fill: Float) -> Image
    /// The size every output has for an input of `height` × `width` pixels; throws a `DataError` when the
    /// augmentation cannot take such an input (a crop larger than the image) or its output would pass
    /// `InputLimits`. The default: the input's size (augmentations that keep it).
    func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int)
}

extension RandomAugmentation {
    /// The input's size.
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) { (height, width) }
}

extension KeelRandom {
    /// Uniform in [a, b].
    mutating func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * nextUniform() }
}

/// torchvision's RandomAffine: angle ~ U(−degrees, degrees), translation ~ U(−t·W, t·W) × U(−t·H, t·H) rounded,
/// scale ~ U(scale range), shear ~ U(−shear, shear) on x.
public struct RandomAffine: RandomAugmentation {
    public var degrees: Float, translate: Float, scale: ClosedRange<Float>, shear: Float
    /// How the transformed image is sampled.
    public var interpolation: Image.Interpolation

    /// torchvision's `RandomAffine`: rotation in ±`degrees`, translation up to `translate` of the size,
    /// scale from `scale`, horizontal shear in ±`shear` degrees.
    public init(
        degrees: Float = 0, translate: Float = 0, scale: ClosedRange<Float> = 1...1, shear: Float = 0,
        interpolation: Image.Interpolation = .bilinear
    ) {
        self.degrees = degrees
        self.translate = translate
        self.scale = scale
        self.shear = shear
        self.interpolation = interpolation
    }

    /// Draws the transform and applies it (outside pixels filled with `fill`).
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        let angle = g.uniform(-degrees, degrees)
        let maxDx = translate * Float(image.width)
        let maxDy = translate * Float(image.height)
        let dx = g.uniform(-maxDx, maxDx).rounded()
        let dy = g.uniform(-maxDy, maxDy).rounded()
        let s = g.uniform(scale.lowerBound, scale.upperBound)
        let shearX = g.uniform(-shear, shear)
        return image.affine(angle: angle, translate: (dx, dy), scale: s, shear: (shearX, 0), interpolation: interpolation, fill: fill)
    }
}

/// Horizontal flip with probability p.
public struct RandomHorizontalFlip: RandomAugmentation {
    /// The probability of flipping.
    public var probability: Float
    /// Flips left to right with `probability` (torchvision's `RandomHorizontalFlip`).
    public init(probability: Float = 0.5) { self.probability = probability }
    /// The image flipped, or unchanged.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        g.nextUniform() < probability ? image.flippedHorizontally() : image
    }
}

/// torchvision's ColorJitter: brightness, contrast, saturation factors ~ U(max(0, 1 − v), 1 + v), hue ~ U(−h, h),
/// applied in a random order.
public struct ColorJitter: RandomAugmentation {
    public var brightness: Float, contrast: Float, saturation: Float, hue: Float
    /// torchvision's `ColorJitter`: each factor drawn from [max(0, 1 − v), 1 + v] (hue: [−hue, hue]), applied in a
    /// random order.
    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0, hue: Float = 0) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }

    /// Draws the factors and their order, and applies them.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        var order = [0, 1, 2, 3]
        for i in stride(from: 3, to: 0, by: -1) { order.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        var out = image
        for op in order {
            switch op {
            case 0 where brightness > 0: out.blend(with: 0, factor: g.uniform(max(0, 1 - brightness), 1 + brightness))
            case 1 where contrast > 0: out.adjustContrast(g.uniform(max(0, 1 - contrast), 1 + contrast))
            case 2 where saturation > 0: out.adjustSaturation(g.uniform(max(0, 1 - saturation), 1 + saturation))
            case 3 where hue > 0: out.adjustHue(g.uniform(-hue, hue))
            default: break
            }
        }
        return out
    }
}

/// torchvision's RandomResizedCrop: area fraction ~ U(scale), log-aspect ~ U(log ratio); 10 tries, then the
/// central crop clamped to the ratio range; resized (bilinear) to size × size.
public struct RandomResizedCrop: RandomAugmentation {
    public var size: Int, scale: ClosedRange<Float>, ratio: ClosedRange<Float>
    /// torchvision's `RandomResizedCrop`: a crop of area fraction from `scale` and aspect ratio from `ratio` (log-uniform),
    /// resized to `size` × `size`.
    public init(size: Int, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = (3.0 / 4)...(4.0 / 3)) {
        self.size = size
        self.scale = scale
        self.ratio = ratio
    }

    /// `size` × `size`, whatever the input.
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) { (size, size) }

    /// Draws the crop (up to 10 tries, then a central crop, as torchvision) and resizes it.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        let area = Float(image.width * image.height)
        let logLow = log(ratio.lowerBound)
        let logHigh = log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * g.uniform(scale.lowerBound, scale.upperBound)
            let aspect = exp(g.uniform(logLow, logHigh))
            let w = Int((target * aspect).squareRoot().rounded())
            let h = Int((target / aspect).squareRoot().rounded())
            if w > 0 && h > 0 && w <= image.width && h <= image.height {
                let top = Int(g.next() % UInt64(image.height - h + 1))
                let left = Int(g.next() % UInt64(image.width - w + 1))
                return image.resizedBilinear(top: top, left: left, regionHeight: h, regionWidth: w, height: size, width: size)
            }
        }
        let inRatio = Float(image.width) / Float(image.height)
        var w = image.width
        var h = image.height
        if inRatio < ratio.lowerBound {
            h = Int((Float(w) / ratio.lowerBound).rounded())
        } else if inRatio > ratio.upperBound {
            w = Int((Float(h) * ratio.upperBound).rounded())
        }
        return image.cropped(top: (image.height - h) / 2, left: (image.width - w) / 2, height: h, width: w)
            .resizedBilinear(height: size, width: size)
    }
}

/// Additive Gaussian noise N(mean, σ²), optionally clipped to [0, 1].
public struct GaussianNoise: RandomAugmentation {
    public var mean: Float, sigma: Float, clip: Bool
    /// Adds N(`mean`, `sigma`²) to every value, then clips to [0, 1] unless `clip` is false.
    public init(mean: Float = 0, sigma: Float = 0.1, clip: Bool = true) {
        self.mean = mean
        self.sigma = sigma
        self.clip = clip
    }
    /// The noisy image.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        var out = image
        for i in out.pixels.indices {
            let v = out.pixels[i] + mean + sigma * Float(g.nextNormal())
            out.pixels[i] = clip ? min(max(v, 0), 1) : v
        }
        return out
    }
}

/// Augmentations applied one after another.
public struct AugmentationPipeline: RandomAugmentation {
    /// The augmentations, applied in order.
    public var steps: [any RandomAugmentation]
    /// A pipeline of `steps` (torchvision's `Compose`).
    public init(_ steps: [any RandomAugmentation]) { self.steps = steps }

    /// Every step in order, each drawing from the same stream.
    public func apply(_ image: Image, generator g: inout KeelRandom, fill: Float) -> Image {
        steps.reduce(image) { $1.apply($0, generator: &g, fill: fill) }
    }

    /// Each step's output size, checked against `InputLimits`.
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) {
        try steps.reduce((height: height, width: width)) { size, step in
            let next = try step.outputSize(height: size.height, width: size.width)
            if let problem = InputLimits.checkImageSize(height: next.height, width: next.width) {
                throw DataError(path: "\(type(of: step))", problem: problem)
            }
            return next
        }
    }

    /// Parses specs: `random-affine:degrees=15,translate=0.1,scale=0.9/1.1,shear=0`, `random-hflip:p=0.5`,
    /// `color-jitter:brightness=0.4,contrast=0.4,saturation=0.4,hue=0.1`, `random-resized-crop:size=224`,
    /// `noise:sigma=0.05`.
    public static func parse(_ specs: [String]) throws -> AugmentationPipeline {
        try AugmentationPipeline(specs.map(parseOne))
    }

    static func parseOne(_ spec: String) throws -> any RandomAugmentation {
        var r = try SpecReader(spec)
        let side = InputLimits.maxImageSide
        let result: any RandomAugmentation
        switch r.name {
        case "random-affine":
            result = RandomAffine(
                degrees: try r.number("degrees", 0, in: 0...360), translate: try r.number("translate", 0, in: 0...1),
                scale: try r.range("scale", 1...1, within: 1e-3...1e3), shear: try r.number("shear", 0, in: 0...89))
        case "random-hflip": result = RandomHorizontalFlip(probability: try r.number("p", 0.5, in: 0...1))
        case "random-vflip": result = RandomVerticalFlip(probability: try r.number("p", 0.5, in: 0...1))
        case "color-jitter":
            result = ColorJitter(
                brightness: try r.number("brightness", 0, in: 0...1e3), contrast: try r.number("contrast", 0, in: 0...1e3),
                saturation: try r.number("saturation", 0, in: 0...1e3), hue: try r.number("hue", 0, in: 0...0.5))
        case "random-resized-crop":
            let scale = try r.range("scale", 0.08...1, within: 0...1)
            guard scale.lowerBound > 0 else { throw r.fail("scale must be low/high in (0, 1], got \(scale.lowerBound)/\(scale.upperBound)") }
            result = RandomResizedCrop(size: try r.integer("size", 224, in: 1...side), scale: scale)
        case "noise": result = GaussianNoise(mean: try r.number("mean", 0, in: -1e3...1e3), sigma: try r.number("sigma", 0.1, in: 0...1e3))
        case "random-crop":
            let modeText = r.string("mode") ?? "constant"
            guard let mode = PaddingMode(rawValue: modeText) else {
                throw r.fail("mode must be constant, edge, reflect or symmetric, got '\(modeText)'")
            }
            let size = try r.integer("size", in: 1...side)
            result = RandomCrop(
                height: size, width: size, padding: try r.integer("padding", 0, in: 0...side), mode: mode,
                padIfNeeded: try r.flag("pad_if_needed"))
        case "scale-jitter":
            let (low, high, size) = (
                try r.integer("min", 256, in: 1...side), try r.integer("max", 480, in: 1...side),
                try r.integer("size", 224, in: 1...side)
            )
            guard high >= low else { throw r.fail("needs min ≤ max, got min=\(low), max=\(high)") }
            result = ScaleJitter(minimum: low, maximum: high, size: size)
        case "random-blur":
            let k = try r.integer("kernel", 5, in: 1...InputLimits.maxBlurKernel)
            guard k % 2 == 1 else { throw r.fail("kernel must be odd, got \(k)") }
            result = RandomGaussianBlur(kernelSize: k, sigma: try r.range("sigma", 0.1...2, within: 1e-3...1e3))
        case "salt-pepper": result = SaltAndPepper(amount: try r.number("amount", 0.02, in: 0...1))
        case "pca-lighting": result = RandomPCALighting(sigma: try r.number("sigma", 0.1, in: 0...1e3))
        default:
            throw r.fail(
                "unknown augmentation '\(r.name)' (random-affine, random-hflip, random-vflip, color-jitter, "
                    + "random-resized-crop, random-crop, scale-jitter, random-blur, noise, salt-pepper, pca-lighting)")
        }
        try r.finish()
        return result
    }
}
