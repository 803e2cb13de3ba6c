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
        // The streamed folder's listing and decoding, every image decoded once, in order (a failure names its file).
        let folder = try ImageFolderDataset.list(directory, size: size, channels: channels)
        guard checkedProduct([folder.count, folder.sampleSize], limit: maxFloats) != nil else {
            throw DataError(
                path: directory.path,
                problem: "the images need more than \(maxFloats / (1 << 28)) GiB as floats in memory (Keel decodes an image folder whole)")
        }
        var samples: [Float] = []
        samples.reserveCapacity(folder.count * folder.sampleSize)
        for i in 0..<folder.count { samples += try folder.pixels(i) }
        return TensorDataset(
            features: Tensor(shape: [folder.count] + folder.sampleShape, scalars: samples), labels: folder.labels,
            classCount: folder.classCount, classNames: folder.classNames)
    }
}
