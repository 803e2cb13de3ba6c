import CKeelImageIO
import Foundation
import Keel

/// An image: height × width × channels (HWC; 1 gray, 3 RGB, 4 RGBA) Float values in [0, 1].
public struct Image: Equatable, Sendable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Values per pixel: 1 (gray), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// Row-major HWC values.
    public var pixels: [Float]

    /// An image from `pixels` in HWC order, values in [0, 1].
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(
            width >= 0 && height >= 0 && [1, 3, 4].contains(channels) && pixels.count == width * height * channels,
            "Image: \(pixels.count) values for \(height)×\(width)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A constant image.
    public init(width: Int, height: Int, channels: Int, value: Float = 0) {
        self.init(width: width, height: height, channels: channels, pixels: [Float](repeating: value, count: width * height * channels))
    }

    /// From 8-bit values (÷ 255).
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        self.init(width: width, height: height, channels: channels, pixels: bytes.map { Float($0) / 255 })
    }

    /// The value of channel `c` at row `y`, column `x`.
    @inline(__always) public subscript(y: Int, x: Int, c: Int) -> Float {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// 8-bit values, rounded half to even after clamping to [0, 1] (as torchvision's float → uint8 conversion).
    public var bytes: [UInt8] { pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded(.toNearestOrEven)) } }

    /// The image as a [C, H, W] tensor.
    public var tensor: Tensor {
        var chw = [Float](repeating: 0, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { chw[(c * height + y) * width + x] = pixels[(y * width + x) * channels + c] }
            }
        }
        return Tensor(shape: [channels, height, width], scalars: chw)
    }

    /// An image from a [C, H, W] tensor.
    public init(tensor: Tensor) {
        precondition(tensor.rank == 3, "Image(tensor:): expected [C, H, W], got \(tensor.shape)")
        let (c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let chw = tensor.scalars
        var hwc = [Float](repeating: 0, count: chw.count)
        for y in 0..<h { for x in 0..<w { for k in 0..<c { hwc[(y * w + x) * c + k] = chw[(k * h + y) * w + x] } } }
        self.init(width: w, height: h, channels: c, pixels: hwc)
    }

    // MARK: Files

    /// Reads a PNG or JPEG file (by content, not by name).
    public static func read(_ url: URL) throws -> Image {
        let data = try InputFile.read(url)
        return try decode(data, path: url.path)
    }

    /// Decodes PNG or JPEG bytes.
    public static func decode(_ data: Data, path: String = "image") throws -> Image {
        var width: Int32 = 0
        var height: Int32 = 0
        var channels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let isPNG = data.starts(with: [0x89, 0x50, 0x4E, 0x47])
        let isJPEG = data.starts(with: [0xFF, 0xD8])
        guard isPNG || isJPEG else { throw DataError(path: path, problem: "not a PNG or JPEG file") }
        let pixels: UnsafeMutablePointer<UInt8>? = data.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self).baseAddress!
            let (side, pixels) = (InputLimits.maxImageSide, Int64(InputLimits.maxImagePixels))
            return isPNG
                ? keel_png_decode(base, data.count, side, pixels, &width, &height, &channels, &message)
                : keel_jpeg_decode(base, data.count, side, pixels, &width, &height, &channels, &message)
        }
        guard let pixels else {
            throw DataError(path: path, problem: "cannot decode \(isPNG ? "PNG" : "JPEG"): \(Image.text(message))")
        }
        defer { keel_image_free(pixels) }
        var c = Int(channels)
        var bytes = Array(UnsafeBufferPointer(start: pixels, count: Int(width) * Int(height) * c))
        if c == 2 {  // gray + alpha: keep gray
            bytes = stride(from: 0, to: bytes.count, by: 2).map { bytes[$0] }
            c = 1
        }
        return Image(width: Int(width), height: Int(height), channels: c, bytes: bytes)
    }

    /// PNG bytes (8 bits per channel).
    public func pngData() throws -> Data {
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let encoded = bytes.withUnsafeBufferPointer { keel_png_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), &size, &message) }
        guard let encoded else { throw DataError(path: "image", problem: "PNG encoding failed: \(Image.text(message))") }
        defer { keel_image_free(encoded) }
        return Data(bytes: encoded, count: size)
    }

    /// JPEG bytes (gray or RGB; alpha is dropped).
    public func jpegData(quality: Int = 90) throws -> Data {
        let image = channels == 4 ? dropAlpha() : self
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let encoded = image.bytes.withUnsafeBufferPointer {
            keel_jpeg_encode($0.baseAddress, Int32(width), Int32(height), Int32(image.channels), Int32(quality), &size, &message)
        }
        guard let encoded else { throw DataError(path: "image", problem: "JPEG encoding failed: \(Image.text(message))") }
        defer { keel_image_free(encoded) }
        return Data(bytes: encoded, count: size)
    }

    /// Writes PNG or JPEG (by the file's extension), atomically.
    public func write(to url: URL) throws {
        let ext = url.pathExtension.lowercased()
        try AtomicFile.write(ext == "jpg" || ext == "jpeg" ? jpegData() : pngData(), to: url)
    }

    /// A C error buffer as text.
    static func text(_ buffer: [CChar]) -> String { buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }

    /// RGB without the alpha channel (the image itself when it has none).
    public func dropAlpha() -> Image {
        guard channels == 4 else { return self }
        var out = [Float]()
        out.reserveCapacity(width * height * 3)
        for i in 0..<(width * height) { out += pixels[(i * 4)..<(i * 4 + 3)] }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }
}
