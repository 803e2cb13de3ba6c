import Foundation
import Keel

/// A dataset of PNG/JPEG files in one sub-folder per class (the class names are the sub-folder names, in
/// sorted order). Every image is converted to `channels` and resized (bilinear) to `size` if given;
/// without a size, all images must have the first image's size.
public enum ImageFolder {
    /// The most decoded values an image folder may hold in memory (2³¹ floats, 8 GiB).
    static let maxFloats = 1 << 31

    /// Loads every PNG/JPEG under `directory`/CLASS/ as [N, channels, H, W] in [0, 1], labels by sorted class name.
    public static func load(_ directory: URL, size: (height: Int, width: Int)? = nil, channels: Int = 3) throws -> TensorDataset {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: directory.path) else {
            throw DataError(path: directory.path, problem: "directory not found or unreadable")
        }
        let classes = entries.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
        guard !classes.isEmpty else { throw DataError(path: directory.path, problem: "no class sub-folders") }
        guard classes.count <= InputLimits.maxClasses else {
            throw DataError(path: directory.path, problem: "\(classes.count) class sub-folders, more than \(InputLimits.maxClasses)")
        }
        var samples: [Float] = []
        var labels: [Int32] = []
        var shape: (Int, Int)? = size.map { ($0.height, $0.width) }
        for (label, name) in classes.enumerated() {
            let folder = directory.appendingPathComponent(name)
            let files = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for file in files {
                let url = folder.appendingPathComponent(file)
                var image = try Image.read(url)
                if image.channels != channels {
                    image =
                        channels == 1
                        ? Image(width: image.width, height: image.height, channels: 1, pixels: image.grayscaleValues())
                        : image.channels == 1 ? image.grayscale(outputChannels: 3) : image.dropAlpha()
                }
                if shape == nil { shape = (image.height, image.width) }
                if image.height != shape!.0 || image.width != shape!.1 {
                    guard size != nil else {
                        throw DataError(
                            path: url.path,
                            problem:
                                "is \(image.height)×\(image.width), the first image was \(shape!.0)×\(shape!.1); give one size for all (keel train --image-size HEIGHTxWIDTH)"
                        )
                    }
                    image = image.resizedBilinear(height: shape!.0, width: shape!.1)
                }
                guard samples.count + image.pixels.count <= Self.maxFloats else {
                    throw DataError(
                        path: directory.path,
                        problem: "the images need more than \(Self.maxFloats / (1 << 28)) GiB as floats "
                            + "in memory (Keel decodes an image folder whole)")
                }
                samples += image.tensor.scalars
                labels.append(Int32(label))
            }
        }
        guard let (h, w) = shape, !labels.isEmpty else { throw DataError(path: directory.path, problem: "no PNG or JPEG images") }
        return TensorDataset(
            features: Tensor(shape: [labels.count, channels, h, w], scalars: samples), labels: labels,
            classCount: classes.count, classNames: classes)
    }
}
