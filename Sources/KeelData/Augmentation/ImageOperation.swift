import Foundation
import Keel

/// A deterministic image operation, written as a spec "name:key=value,…" (lists with '/'), e.g.
/// `brightness:factor=1.3`, `rotate:degrees=30`, `shift:dx=7,dy=-4`, `blur:kernel=5,sigma=1.2`,
/// `scale:factor=1.5`, `crop:top=10,left=20,height=64,width=80`, `pca-lighting:alphas=0.1/-0.05/0.02`, `hflip`.
public enum ImageOperation: Equatable, Sendable {
    case brightness(Float)
    case contrast(Float)
    case saturation(Float)
    case hue(Float)
    case grayscale
    case horizontalFlip, verticalFlip
    case rotate(degrees: Float, expand: Bool)
    case centerCrop(height: Int, width: Int)
    case resizeNearest(height: Int, width: Int)
    case resizeAntialiased(height: Int, width: Int)
    case shift(dx: Float, dy: Float)
    case affine(degrees: Float, translate: Offset, scale: Float, shear: Offset)
    case blur(kernel: Int, sigma: Float)
    case scale(Float)
    case resize(height: Int, width: Int)
    case crop(top: Int, left: Int, height: Int, width: Int)
    case pcaLighting(alphas: [Float])

    /// A horizontal and a vertical amount (pixels of translation, degrees of shear).
    public struct Offset: Equatable, Sendable {
        /// Horizontal amount (right is positive).
        public var x: Float
        /// Vertical amount (down is positive).
        public var y: Float
        /// An offset of `x` horizontally and `y` vertically.
        public init(_ x: Float, _ y: Float) { (self.x, self.y) = (x, y) }
    }

    /// Parses a spec; throws a `DataError` naming the spec and the problem. Sizes are within
    /// 1…`InputLimits.maxImageSide`, factors and angles finite and within the ranges torchvision accepts.
    public static func parse(_ spec: String) throws -> ImageOperation {
        var r = try SpecReader(spec)
        let side = InputLimits.maxImageSide
        let op: ImageOperation
        switch r.name {
        case "brightness": op = .brightness(try r.number("factor", in: 0...1e6))
        case "contrast": op = .contrast(try r.number("factor", in: 0...1e6))
        case "saturation": op = .saturation(try r.number("factor", in: 0...1e6))
        case "hue": op = .hue(try r.number("factor", in: -0.5...0.5))
        case "grayscale": op = .grayscale
        case "hflip": op = .horizontalFlip
        case "vflip": op = .verticalFlip
        case "rotate": op = .rotate(degrees: try r.number("degrees", in: -1e6...1e6), expand: try r.flag("expand"))
        case "center-crop": op = .centerCrop(height: try r.integer("height", in: 1...side), width: try r.integer("width", in: 1...side))
        case "shift":
            op = .shift(dx: try r.number("dx", 0, in: -Float(side)...Float(side)), dy: try r.number("dy", 0, in: -Float(side)...Float(side)))
        case "affine":
            op = .affine(
                degrees: try r.number("degrees", 0, in: -1e6...1e6),
                translate: Offset(try r.number("dx", 0, in: -Float(side)...Float(side)), try r.number("dy", 0, in: -Float(side)...Float(side))),
                scale: try r.number("scale", 1, in: 1e-3...1e3),
                shear: Offset(try r.number("shear_x", 0, in: -89...89), try r.number("shear_y", 0, in: -89...89)))
        case "blur":
            let k = try r.integer("kernel", in: 1...InputLimits.maxBlurKernel)
            guard k % 2 == 1 else { throw r.fail("kernel must be odd, got \(k)") }
            op = .blur(kernel: k, sigma: try r.positive("sigma", max: 1e3))
        case "scale": op = .scale(try r.positive("factor", max: 1e3))
        case "resize":
            let (h, w) = (try r.integer("height", in: 1...side), try r.integer("width", in: 1...side))
            let interpolation = r.string("interpolation") ?? "bilinear"
            switch interpolation {
            case "bilinear": op = try r.flag("antialias") ? .resizeAntialiased(height: h, width: w) : .resize(height: h, width: w)
            case "nearest": op = .resizeNearest(height: h, width: w)
            default: throw r.fail("interpolation must be bilinear or nearest, got '\(interpolation)'")
            }
        case "crop":
            op = .crop(
                top: try r.integer("top", in: -side...side), left: try r.integer("left", in: -side...side),
                height: try r.integer("height", in: 1...side), width: try r.integer("width", in: 1...side))
        case "pca-lighting": op = .pcaLighting(alphas: try r.numbers("alphas", count: 3, within: -1e3...1e3))
        default:
            throw r.fail("unknown operation '\(r.name)'")
        }
        try r.finish()
        return op
    }

    /// The size of the image this operation makes from one of `height` × `width` pixels; throws when that
    /// is beyond `InputLimits` (a scale of 1000, a resize to 10⁶ × 10⁶, rotations that keep expanding).
    public func outputSize(height: Int, width: Int) throws -> (height: Int, width: Int) {
        let size: (height: Int, width: Int)
        switch self {
        case .centerCrop(let h, let w), .resizeNearest(let h, let w), .resizeAntialiased(let h, let w), .resize(let h, let w): size = (h, w)
        case .crop(_, _, let h, let w): size = (h, w)
        case .rotate(let degrees, true): size = Image.expandedSize(height: height, width: width, degrees: degrees)
        case .scale(let f):
            let h = (Double(Float(height) * f)).rounded(.toNearestOrEven)
            let w = (Double(Float(width) * f)).rounded(.toNearestOrEven)
            guard let hh = InputLimits.imageSide(h), let ww = InputLimits.imageSide(w) else {
                throw DataError(
                    path: "scale:factor=\(f)",
                    problem: "makes an image of \(w)×\(h) pixels from \(width)×\(height), " + "outside 1…\(InputLimits.maxImageSide) per side")
            }
            size = (hh, ww)
        default: size = (height, width)
        }
        if let problem = InputLimits.checkImageSize(height: size.height, width: size.width) {
            throw DataError(path: "\(self)", problem: problem)
        }
        return size
    }

    /// Applies the operation after checking the size it makes (`outputSize`).
    public func apply(_ image: Image) throws -> Image {
        _ = try outputSize(height: image.height, width: image.width)
        return applyUnchecked(image)
    }

    func applyUnchecked(_ image: Image) -> Image {
        switch self {
        case .brightness(let f): return image.adjustingBrightness(f)
        case .contrast(let f): return image.adjustingContrast(f)
        case .saturation(let f): return image.adjustingSaturation(f)
        case .hue(let f): return image.adjustingHue(f)
        case .grayscale: return image.grayscale(outputChannels: image.channels == 1 ? 1 : 3)
        case .horizontalFlip: return image.flippedHorizontally()
        case .verticalFlip: return image.flippedVertically()
        case .rotate(let degrees, let expand): return image.rotated(degrees: degrees, expand: expand)
        case .centerCrop(let h, let w): return image.centerCropped(height: h, width: w)
        case .resizeNearest(let h, let w): return image.resizedNearest(height: h, width: w)
        case .resizeAntialiased(let h, let w): return image.resizedBilinearAntialiased(height: h, width: w)
        case .shift(let dx, let dy): return image.shifted(dx: dx, dy: dy)
        case .affine(let degrees, let translate, let scale, let shear):
            // Clockwise, as torchvision's F.affine.
            return image.affine(angle: degrees, translate: (translate.x, translate.y), scale: scale, shear: (shear.x, shear.y))
        case .blur(let kernel, let sigma): return image.gaussianBlurred(kernelSize: kernel, sigma: sigma)
        case .scale(let f):
            return image.resizedBilinear(
                height: Int((Float(image.height) * f).rounded(.toNearestOrEven)),
                width: Int((Float(image.width) * f).rounded(.toNearestOrEven)))
        case .resize(let h, let w): return image.resizedBilinear(height: h, width: w)
        case .crop(let top, let left, let h, let w): return image.cropped(top: top, left: left, height: h, width: w)
        case .pcaLighting(let alphas): return image.pcaLighting(alphas: alphas)
        }
    }
}
