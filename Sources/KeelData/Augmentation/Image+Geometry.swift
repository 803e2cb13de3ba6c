import Foundation

/// Geometric transforms with torchvision's sampling conventions (pixel centres at +0.5, align_corners=False).
extension Image {
    /// The image mirrored left to right (torchvision's `hflip`).
    public func flippedHorizontally() -> Image {
        var out = pixels
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { out[(y * width + x) * channels + c] = self[y, width - 1 - x, c] } } }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// The image mirrored top to bottom (torchvision's `vflip`).
    public func flippedVertically() -> Image {
        var out = pixels
        let row = width * channels
        for y in 0..<height { out.replaceSubrange((y * row)..<((y + 1) * row), with: pixels[((height - 1 - y) * row)..<((height - y) * row)]) }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// The region [top, top + height) × [left, left + width); parts outside the image are 0 (torchvision's crop).
    public func cropped(top: Int, left: Int, height h: Int, width w: Int) -> Image {
        var out = Image(width: w, height: h, channels: channels)
        let x0 = max(left, 0)
        let x1 = min(left + w, width)
        guard x0 < x1 else { return out }
        let c = channels
        let run = (x1 - x0) * c
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let sy = top + y
                    guard sy >= 0 && sy < height else { continue }
                    (dst.baseAddress! + (y * w + (x0 - left)) * c).update(from: src.baseAddress! + (sy * width + x0) * c, count: run)
                }
            }
        }
        return out
    }

    /// Bilinear resize without antialiasing (torch's interpolate, align_corners=False):
    /// source = (destination + 0.5) · in/out − 0.5, clamped at 0.
    public func resizedBilinear(height newHeight: Int, width newWidth: Int) -> Image {
        resizedBilinear(top: 0, left: 0, regionHeight: height, regionWidth: width, height: newHeight, width: newWidth)
    }

    /// Bilinear resize of the region [top, top + regionHeight) × [left, left + regionWidth) (inside the image) —
    /// a crop and a resize in one pass, identical to `cropped(...)` followed by `resizedBilinear(...)`.
    public func resizedBilinear(
        top: Int, left: Int, regionHeight: Int, regionWidth: Int, height newHeight: Int,
        width newWidth: Int
    ) -> Image {
        precondition(
            top >= 0 && left >= 0 && top + regionHeight <= height && left + regionWidth <= width,
            "resizedBilinear: region outside the image")
        var out = Image(width: newWidth, height: newHeight, channels: channels)
        let sy = Float(regionHeight) / Float(newHeight)
        let sx = Float(regionWidth) / Float(newWidth)
        func taps(_ i: Int, _ scale: Float, _ size: Int) -> (Int, Int, Float) {
            let source = max((Float(i) + 0.5) * scale - 0.5, 0)
            let i0 = min(Int(source), size - 1)
            let i1 = min(i0 + 1, size - 1)
            return (i0, i1, source - Float(i0))
        }
        let columns = (0..<newWidth).map { taps($0, sx, regionWidth) }
        let c = channels
        let w = width
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<newHeight {
                    let (y0, y1, ly) = taps(y, sy, regionHeight)
                    let row0 = src.baseAddress! + ((top + y0) * w + left) * c
                    let row1 = src.baseAddress! + ((top + y1) * w + left) * c
                    let outRow = dst.baseAddress! + y * newWidth * c
                    for x in 0..<newWidth {
                        let (x0, x1, lx) = columns[x]
                        for k in 0..<c {
                            let topValue = (1 - lx) * row0[x0 * c + k] + lx * row0[x1 * c + k]
                            let bottomValue = (1 - lx) * row1[x0 * c + k] + lx * row1[x1 * c + k]
                            outRow[x * c + k] = (1 - ly) * topValue + ly * bottomValue
                        }
                    }
                }
            }
        }
        return out
    }

    /// How pixels between samples are read: the nearest one, or bilinear interpolation.
    public enum Interpolation: String, Sendable { case nearest, bilinear }

    /// Antialiased bilinear resize (torch's interpolate with antialias=True, PIL's method): separable
    /// triangle filters whose support widens with the downscaling factor; identical to plain bilinear when
    /// enlarging.
    public func resizedBilinearAntialiased(height newHeight: Int, width newWidth: Int) -> Image {
        /// For each output index: the first input index and the normalized weights.
        func weights(_ inSize: Int, _ outSize: Int) -> [(Int, [Float])] {
            let scale = Double(inSize) / Double(outSize)
            let support = scale >= 1 ? scale : 1
            return (0..<outSize).map { i in
                let center = (Double(i) + 0.5) * scale
                let low = max(Int(center - support + 0.5), 0)
                let high = min(Int(center + support + 0.5), inSize)
                let invScale = scale >= 1 ? 1 / scale : 1
                var w = (low..<high).map { j in max(0, 1 - abs((Double(j) - center + 0.5) * invScale)) }
                let total = w.reduce(0, +)
                if total > 0 { w = w.map { $0 / total } }
                return (low, w.map(Float.init))
            }
        }
        let rows = weights(height, newHeight)
        let columns = weights(width, newWidth)
        var horizontal = Image(width: newWidth, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<newWidth {
                let (start, w) = columns[x]
                for c in 0..<channels {
                    var s: Float = 0
                    for (k, weight) in w.enumerated() { s += weight * self[y, start + k, c] }
                    horizontal[y, x, c] = s
                }
            }
        }
        var out = Image(width: newWidth, height: newHeight, channels: channels)
        for y in 0..<newHeight {
            let (start, w) = rows[y]
            for x in 0..<newWidth {
                for c in 0..<channels {
                    var s: Float = 0
                    for (k, weight) in w.enumerated() { s += weight * horizontal[start + k, x, c] }
                    out[y, x, c] = s
                }
            }
        }
        return out
    }

    /// Nearest-neighbour resize (torch's "nearest": source index ⌊destination · in/out⌋).
    public func resizedNearest(height newHeight: Int, width newWidth: Int) -> Image {
        var out = Image(width: newWidth, height: newHeight, channels: channels)
        for y in 0..<newHeight {
            let sy = min(Int(Float(y) * Float(height) / Float(newHeight)), height - 1)
            for x in 0..<newWidth {
                let sx = min(Int(Float(x) * Float(width) / Float(newWidth)), width - 1)
                for c in 0..<channels { out[y, x, c] = self[sy, sx, c] }
            }
        }
        return out
    }

    /// The central height × width region (torchvision's center_crop: top = round((H − h)/2)), padded with
    /// zeros where the image is smaller.
    public func centerCropped(height h: Int, width w: Int) -> Image {
        cropped(top: Int((Float(height - h) / 2).rounded()), left: Int((Float(width - w) / 2).rounded()), height: h, width: w)
    }

    /// torchvision's inverse affine matrix (rotation `angle` in degrees, counter-clockwise positive as
    /// displayed; translation; scale; shear in degrees) about `center` relative to the image centre.
    static func inverseAffineMatrix(
        center: (Float, Float), angle: Float, translate: (Float, Float), scale: Float,
        shear: (Float, Float)
    ) -> [Float] {
        let rot = Double(angle) * Double.pi / 180
        let sx = Double(shear.0) * Double.pi / 180
        let sy = Double(shear.1) * Double.pi / 180
        let (cx, cy) = (Double(center.0), Double(center.1))
        let (tx, ty) = (Double(translate.0), Double(translate.1))
        let a = cos(rot - sy) / cos(sy)
        let b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot)
        let c = sin(rot - sy) / cos(sy)
        let d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot)
        var m = [d, -b, 0, -c, a, 0].map { $0 / Double(scale) }
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
        return m.map { Float($0) }
    }

    /// torchvision's affine: output pixel (x, y) samples the input at M · (x − w/2 + ½, y − h/2 + ½, 1) +
    /// (w/2 − ½, h/2 − ½); outside the image: `fill`. Bilinear sampling is weighted by the sampled coverage
    /// mask, as torchvision does when a fill is given.
    public func affine(
        angle: Float = 0, translate: (Float, Float) = (0, 0), scale: Float = 1, shear: (Float, Float) = (0, 0),
        interpolation: Interpolation = .bilinear, fill: Float = 0, outputSize: (height: Int, width: Int)? = nil
    ) -> Image {
        let m = Image.inverseAffineMatrix(center: (0, 0), angle: angle, translate: translate, scale: scale, shear: shear)
        let (outHeight, outWidth) = outputSize ?? (height, width)
        var out = Image(width: outWidth, height: outHeight, channels: channels)
        let halfW = Float(width) / 2
        let halfH = Float(height) / 2
        let outHalfW = Float(outWidth) / 2
        let outHalfH = Float(outHeight) / 2
        let (m0, m1, m2, m3, m4, m5) = (m[0], m[1], m[2], m[3], m[4], m[5])
        let (width, height, channels) = (self.width, self.height, self.channels)
        if channels == 1 && interpolation == .bilinear {
            let sampler = GraySampler(width: width, height: height, matrix: (m0, m1, m2, m3, m4, m5), half: (halfW, halfH), fill: fill)
            pixels.withUnsafeBufferPointer { source in
                out.pixels.withUnsafeMutableBufferPointer { target in
                    sampler.sample(
                        source.baseAddress!, into: target.baseAddress!, outHeight: outHeight, outWidth: outWidth,
                        outHalf: (outHalfW, outHalfH))
                }
            }
            return out
        }
        pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                let pixels = source.baseAddress!
                let result = target.baseAddress!
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let u = Float(x) - outHalfW + 0.5
                        let v = Float(y) - outHalfH + 0.5
                        let sx = m0 * u + m1 * v + m2 + halfW - 0.5
                        let sy = m3 * u + m4 * v + m5 + halfH - 0.5
                        let outBase = (y * outWidth + x) * channels
                        if interpolation == .nearest {
                            let ix = Int(sx.rounded(.toNearestOrEven))
                            let iy = Int(sy.rounded(.toNearestOrEven))
                            let inside = ix >= 0 && ix < width && iy >= 0 && iy < height
                            for c in 0..<channels { result[outBase + c] = inside ? pixels[(iy * width + ix) * channels + c] : fill }
                            continue
                        }
                        let taps = BilinearTaps(sx: sx, sy: sy, width: width, height: height)
                        if taps.mask == 0 {
                            for c in 0..<channels { result[outBase + c] = fill }
                            continue
                        }
                        for c in 0..<channels {
                            let v = taps.value(pixels, channels: channels, channel: c)
                            result[outBase + c] = (v - fill) * taps.mask + fill
                        }
                    }
                }
            }
        }
        return out
    }

    /// Rotation by `degrees` counter-clockwise about the centre, bilinear, corners filled; with `expand` the
    /// output grows to hold the whole rotated image (torchvision's expand=True).
    public func rotated(degrees: Float, interpolation: Interpolation = .bilinear, fill: Float = 0, expand: Bool = false) -> Image {
        guard expand else { return affine(angle: -degrees, interpolation: interpolation, fill: fill) }
        let size = Image.expandedSize(height: height, width: width, degrees: degrees)
        return affine(angle: -degrees, interpolation: interpolation, fill: fill, outputSize: size)
    }

    /// The size of an image of `height` × `width` rotated by `degrees` with expand=True: torchvision's rotated
    /// corners' extent, ceil(max) − floor(min) after truncating to 1e-4.
    public static func expandedSize(height: Int, width: Int, degrees: Float) -> (height: Int, width: Int) {
        let m = Image.inverseAffineMatrix(center: (0, 0), angle: -degrees, translate: (0, 0), scale: 1, shear: (0, 0))
        let (hw, hh) = (Double(width) / 2, Double(height) / 2)
        var (minX, maxX, minY, maxY) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
        for (px, py) in [(-hw, -hh), (-hw, hh), (hw, hh), (hw, -hh)] {
            let nx = Double(m[0]) * px + Double(m[1]) * py + Double(m[2])
            let ny = Double(m[3]) * px + Double(m[4]) * py + Double(m[5])
            (minX, maxX, minY, maxY) = (min(minX, nx), max(maxX, nx), min(minY, ny), max(maxY, ny))
        }
        func truncated(_ v: Double) -> Double { (v / 1e-4).rounded(.towardZero) * 1e-4 }
        let newWidth = Int(ceil(truncated(maxX)) - floor(truncated(minX)))
        let newHeight = Int(ceil(truncated(maxY)) - floor(truncated(minY)))
        return (newHeight, newWidth)
    }

    /// Shift by (dx, dy) pixels (right and down positive), nearest, filled.
    public func shifted(dx: Float, dy: Float, fill: Float = 0) -> Image {
        affine(translate: (dx, dy), interpolation: .nearest, fill: fill)
    }
}

/// The bilinear taps of `Image.affine` at the source point (sx, sy): the weights of the four neighbours (x0, y0),
/// (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1) with x0 = ⌊sx⌋, y0 = ⌊sy⌋ — (1 − fx)(1 − fy), fx(1 − fy),
/// (1 − fx)fy, fx·fy, and 0 for a neighbour outside the image — their sum `mask`, and the neighbours' pixel
/// indices (y·width + x) clamped into the image. Both sampling paths use it, so they compute the same bits.
private struct BilinearTaps {
    let weights: (Float, Float, Float, Float)
    let mask: Float
    let pixels: (Int, Int, Int, Int)

    @inline(__always)
    init(sx: Float, sy: Float, width: Int, height: Int) {
        let x0 = Self.floor(sx)
        let y0 = Self.floor(sy)
        let fx = sx - Float(x0)
        let fy = sy - Float(y0)
        let inX = (x0 >= 0 && x0 < width, x0 + 1 >= 0 && x0 + 1 < width)
        let inY = (y0 >= 0 && y0 < height, y0 + 1 >= 0 && y0 + 1 < height)
        let w00: Float = inX.0 && inY.0 ? (1 - fx) * (1 - fy) : 0
        let w10: Float = inX.1 && inY.0 ? fx * (1 - fy) : 0
        let w01: Float = inX.0 && inY.1 ? (1 - fx) * fy : 0
        let w11: Float = inX.1 && inY.1 ? fx * fy : 0
        weights = (w00, w10, w01, w11)
        mask = w00 + w10 + w01 + w11
        let cx = (min(max(x0, 0), width - 1), min(max(x0 + 1, 0), width - 1))
        let cy = (min(max(y0, 0), height - 1) * width, min(max(y0 + 1, 0), height - 1) * width)
        pixels = (cy.0 + cx.0, cy.0 + cx.1, cy.1 + cx.0, cy.1 + cx.1)
    }

    /// ⌊v⌋ as an Int, for a finite v in Int's range (as `Int(v.rounded(.down))`, without a libm call).
    @inline(__always)
    static func floor(_ v: Float) -> Int {
        let t = Int(v)
        return Float(t) > v ? t - 1 : t
    }

    /// w00·p00 + w10·p10 + w01·p01 + w11·p11 in channel `c` of HWC pixels with `channels` channels.
    @inline(__always)
    func value(_ image: UnsafePointer<Float>, channels: Int, channel c: Int) -> Float {
        weights.0 * image[pixels.0 * channels + c] + weights.1 * image[pixels.1 * channels + c]
            + weights.2 * image[pixels.2 * channels + c] + weights.3 * image[pixels.3 * channels + c]
    }
}

/// The bilinear sampling of `Image.affine` for one channel, without the general path's per-pixel branches on the
/// channel count and interpolation: the same operations per pixel, so the same bits. (The products m0·u and m1·v
/// are computed once per column and per row; each is the same product the general path computes.)
private struct GraySampler {
    let width: Int, height: Int
    let matrix: (Float, Float, Float, Float, Float, Float)
    let half: (Float, Float)
    let fill: Float

    func sample(
        _ pixels: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
        outHalf: (Float, Float)
    ) {
        let (m0, m1, m2, m3, m4, m5) = matrix
        let (halfW, halfH) = half
        let columnTerms = (0..<outWidth).map { x -> (Float, Float) in
            let u = Float(x) - outHalf.0 + 0.5
            return (m0 * u, m3 * u)
        }
        for y in 0..<outHeight {
            let v = Float(y) - outHalf.1 + 0.5
            let (m1v, m4v) = (m1 * v, m4 * v)
            for x in 0..<outWidth {
                let sx = columnTerms[x].0 + m1v + m2 + halfW - 0.5
                let sy = columnTerms[x].1 + m4v + m5 + halfH - 0.5
                let taps = BilinearTaps(sx: sx, sy: sy, width: width, height: height)
                result[y * outWidth + x] = taps.mask == 0 ? fill : (taps.value(pixels, channels: 1, channel: 0) - fill) * taps.mask + fill
            }
        }
    }
}
