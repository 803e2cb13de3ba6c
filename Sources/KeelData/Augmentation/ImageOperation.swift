import Foundation

/// A deterministic image operation, written as a spec "name:key=value,…" (lists with '/'), e.g.
/// `brightness:factor=1.3`, `rotate:degrees=30`, `shift:dx=7,dy=-4`, `blur:kernel=5,sigma=1.2`,
/// `scale:factor=1.5`, `crop:top=10,left=20,height=64,width=80`, `pca-lighting:alphas=0.1/-0.05/0.02`, `hflip`.
public enum ImageOperation: Equatable, Sendable {
    case brightness(Float), contrast(Float), saturation(Float), hue(Float), grayscale
    case horizontalFlip, verticalFlip
    case rotate(degrees: Float, expand: Bool)
    case centerCrop(height: Int, width: Int)
    case resizeNearest(height: Int, width: Int)
    case resizeAntialiased(height: Int, width: Int)
    case shift(dx: Float, dy: Float)
    case affine(degrees: Float, translate: (Float, Float), scale: Float, shear: (Float, Float))
    case blur(kernel: Int, sigma: Float)
    case scale(Float)
    case resize(height: Int, width: Int)
    case crop(top: Int, left: Int, height: Int, width: Int)
    case pcaLighting(alphas: [Float])

    public static func == (a: ImageOperation, b: ImageOperation) -> Bool { "\(a)" == "\(b)" }

    /// Parses a spec; throws a `DataError` naming the spec and the problem.
    public static func parse(_ spec: String) throws -> ImageOperation {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        var values: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw DataError(path: spec, problem: "expected key=value, got '\(pair)'") }
                values[kv[0]] = kv[1]
            }
        }
        func float(_ key: String, _ fallback: Float? = nil) throws -> Float {
            guard let text = values.removeValue(forKey: key) else {
                if let fallback { return fallback }
                throw DataError(path: spec, problem: "needs \(key)=…")
            }
            guard let v = Float(text), v.isFinite else { throw DataError(path: spec, problem: "\(key) must be a number, got '\(text)'") }
            return v
        }
        func int(_ key: String, _ fallback: Int? = nil) throws -> Int {
            let v = try float(key, fallback.map(Float.init))
            guard v == v.rounded(), v >= -1e6 && v <= 1e6 else { throw DataError(path: spec, problem: "\(key) must be an integer") }
            return Int(v)
        }
        let op: ImageOperation
        switch name {
        case "brightness": op = .brightness(try float("factor"))
        case "contrast": op = .contrast(try float("factor"))
        case "saturation": op = .saturation(try float("factor"))
        case "hue":
            let f = try float("factor")
            guard f >= -0.5 && f <= 0.5 else { throw DataError(path: spec, problem: "factor must be in [−0.5, 0.5]") }
            op = .hue(f)
        case "grayscale": op = .grayscale
        case "hflip": op = .horizontalFlip
        case "vflip": op = .verticalFlip
        case "rotate": op = .rotate(degrees: try float("degrees"), expand: try float("expand", 0) != 0)
        case "center-crop": op = .centerCrop(height: try int("height"), width: try int("width"))
        case "shift": op = .shift(dx: try float("dx", 0), dy: try float("dy", 0))
        case "affine":
            op = .affine(degrees: try float("degrees", 0), translate: (try float("dx", 0), try float("dy", 0)),
                         scale: try float("scale", 1), shear: (try float("shear_x", 0), try float("shear_y", 0)))
        case "blur":
            let k = try int("kernel"), s = try float("sigma")
            guard k > 0 && k % 2 == 1 else { throw DataError(path: spec, problem: "kernel must be odd and positive") }
            guard s > 0 else { throw DataError(path: spec, problem: "sigma must be positive") }
            op = .blur(kernel: k, sigma: s)
        case "scale":
            let f = try float("factor")
            guard f > 0 else { throw DataError(path: spec, problem: "factor must be positive") }
            op = .scale(f)
        case "resize":
            let (h, w) = (try int("height"), try int("width"))
            guard h > 0 && w > 0 else { throw DataError(path: spec, problem: "height and width must be positive") }
            let interpolation = values.removeValue(forKey: "interpolation") ?? "bilinear"
            switch interpolation {
            case "bilinear":
                op = try float("antialias", 0) != 0 ? .resizeAntialiased(height: h, width: w) : .resize(height: h, width: w)
            case "nearest": op = .resizeNearest(height: h, width: w)
            default: throw DataError(path: spec, problem: "interpolation must be bilinear or nearest, got '\(interpolation)'")
            }
        case "crop":
            let (t, l, h, w) = (try int("top"), try int("left"), try int("height"), try int("width"))
            guard h > 0 && w > 0 else { throw DataError(path: spec, problem: "height and width must be positive") }
            op = .crop(top: t, left: l, height: h, width: w)
        case "pca-lighting":
            guard let text = values.removeValue(forKey: "alphas") else { throw DataError(path: spec, problem: "needs alphas=a/b/c") }
            let alphas = text.split(separator: "/").compactMap { Float($0) }
            guard alphas.count == 3 else { throw DataError(path: spec, problem: "alphas needs three numbers a/b/c, got '\(text)'") }
            op = .pcaLighting(alphas: alphas)
        default:
            throw DataError(path: spec, problem: "unknown operation '\(name)'")
        }
        if let unknown = values.keys.sorted().first { throw DataError(path: spec, problem: "unknown parameter '\(unknown)'") }
        return op
    }

    public func apply(_ image: Image) -> Image {
        switch self {
        case .brightness(let f): return image.adjustingBrightness(f)
        case .contrast(let f): return image.adjustingContrast(f)
        case .saturation(let f): return image.adjustingSaturation(f)
        case .hue(let f): return image.adjustingHue(f)
        case .grayscale: return image.grayscale(outputChannels: image.channels == 1 ? 1 : 3)
        case .horizontalFlip: return image.flippedHorizontally()
        case .verticalFlip: return image.flippedVertically()
        case let .rotate(degrees, expand): return image.rotated(degrees: degrees, expand: expand)
        case let .centerCrop(h, w): return image.centerCropped(height: h, width: w)
        case let .resizeNearest(h, w): return image.resizedNearest(height: h, width: w)
        case let .resizeAntialiased(h, w): return image.resizedBilinearAntialiased(height: h, width: w)
        case .shift(let dx, let dy): return image.shifted(dx: dx, dy: dy)
        case let .affine(degrees, translate, scale, shear):
            return image.affine(angle: degrees, translate: translate, scale: scale, shear: shear)  // clockwise, as F.affine
        case let .blur(kernel, sigma): return image.gaussianBlurred(kernelSize: kernel, sigma: sigma)
        case .scale(let f):
            return image.resizedBilinear(height: Int((Float(image.height) * f).rounded(.toNearestOrEven)),
                                         width: Int((Float(image.width) * f).rounded(.toNearestOrEven)))
        case let .resize(h, w): return image.resizedBilinear(height: h, width: w)
        case let .crop(top, left, h, w): return image.cropped(top: top, left: left, height: h, width: w)
        case .pcaLighting(let alphas): return image.pcaLighting(alphas: alphas)
        }
    }
}
