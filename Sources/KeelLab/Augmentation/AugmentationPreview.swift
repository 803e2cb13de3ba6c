import Foundation
import Keel
import KeelData

/// The picture a person wants before training: each classic augmentation family applied several times
/// to one image, one family per row (the original in the first column).
public enum AugmentationPreview {
    /// One row of a preview grid: a named random transformation.
    public struct Family: Sendable {
        /// The row's caption.
        public let name: String
        /// Draws one transformed copy of the image.
        public let apply: @Sendable (Image, inout KeelRandom) -> Image
    }

    /// The classic families, in row order.
    public static let families: [Family] = [
        Family(name: "color jitter (brightness, contrast, saturation, hue)") { image, g in
            ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1).apply(image, generator: &g, fill: 0)
        },
        Family(name: "PCA lighting (AlexNet, α ~ N(0, 0.1))") { image, g in
            image.pcaLighting(alphas: (0..<3).map { _ in Float(g.nextNormal() * 0.1) })
        },
        Family(name: "random scale (0.7–1.3) and crop back to size") { image, g in
            let f = 0.7 + 0.6 * g.nextUniform()
            let scaled = image.resizedBilinear(height: max(1, Int(Float(image.height) * f)), width: max(1, Int(Float(image.width) * f)))
            let top = (scaled.height - image.height) / 2
            let left = (scaled.width - image.width) / 2
            return scaled.cropped(top: top, left: left, height: image.height, width: image.width)
        },
        Family(name: "random resized crop (scale 0.08–1, ratio 3/4–4/3)") { image, g in
            RandomResizedCrop(size: min(image.width, image.height)).apply(image, generator: &g, fill: 0)
                .resizedBilinear(height: image.height, width: image.width)
        },
        Family(name: "horizontal / vertical flip") { image, g in
            let k = g.next() % 4
            let h = k & 1 == 1 ? image.flippedHorizontally() : image
            return k & 2 == 2 ? h.flippedVertically() : h
        },
        Family(name: "shift (±15 %)") { image, g in
            RandomAffine(translate: 0.15, interpolation: .nearest).apply(image, generator: &g, fill: 0)
        },
        Family(name: "rotation (±30°)") { image, g in RandomAffine(degrees: 30).apply(image, generator: &g, fill: 0) },
        Family(name: "Gaussian noise (σ = 0.08)") { image, g in GaussianNoise(sigma: 0.08).apply(image, generator: &g, fill: 0) },
        Family(name: "Gaussian blur (σ 0.5–2.5)") { image, g in
            image.gaussianBlurred(kernelSize: 9, sigma: 0.5 + 2 * g.nextUniform())
        },
    ]

    /// A grid image: one row per family, `columns` draws after the original, 4-pixel white gaps.
    public static func grid(_ image: Image, families: [Family] = families, columns: Int = 6, seed: UInt64 = 0) -> Image {
        let gap = 4
        let rgb = image.channels == 1 ? image.grayscale(outputChannels: 3) : image.dropAlpha()
        let cellW = rgb.width
        let cellH = rgb.height
        let width = (columns + 1) * cellW + (columns + 2) * gap
        let height = families.count * cellH + (families.count + 1) * gap
        var grid = Image(width: width, height: height, channels: 3, value: 1)
        for (row, family) in families.enumerated() {
            for column in 0...columns {
                var g = KeelRandom(seed: seed, stream: [UInt64(row), UInt64(column)])
                var cell = column == 0 ? rgb : family.apply(rgb, &g)
                if cell.width != cellW || cell.height != cellH { cell = cell.resizedBilinear(height: cellH, width: cellW) }
                let top = gap + row * (cellH + gap)
                let left = gap + column * (cellW + gap)
                for y in 0..<cellH { for x in 0..<cellW { for c in 0..<3 { grid[top + y, left + x, c] = cell[y, x, c] } } }
            }
        }
        return grid
    }
}
