import Foundation
import Keel

/// An image folder (one sub-folder of PNG/JPEG files per class, class names in sorted order) read as it is used:
/// the files are listed up front and decoded — converted to `channels`, resized (bilinear) to the sample size —
/// when a batch asks for them, on worker threads. Memory holds the batches being made plus an optional cache of
/// decoded images capped in bytes (`DecodedImageCache`); a cached image is the same floats as a decoded one, so
/// results do not depend on the cache's size.
public struct ImageFolderDataset: Dataset {
    /// The image files, in class order then name order.
    public let files: [URL]
    /// One class index per file.
    public let labels: [Int32]
    /// The number of class sub-folders.
    public let classCount: Int
    /// The sub-folders' names.
    public let classNames: [String]?
    /// [channels, height, width].
    public let sampleShape: [Int]
    /// Applied to each sample as it is copied (nil: values in [0, 1]).
    public var normalizer: Normalizer?
    /// Whether the images were given a size to be resized to (else they must all have the first one's size).
    let resizes: Bool
    /// Decoded images kept between epochs, shared by the subsets of one listing and keyed by `keys`.
    let cache: DecodedImageCache
    /// Each file's position in the original listing (the cache key).
    let keys: [Int]

    /// The most files an image folder may list.
    public static let maxFiles = 10_000_000

    /// Lists `directory`/CLASS/*.{png,jpg,jpeg}; the sample size is `size`, or the first image's (decoded here).
    /// `cacheBytes` caps the decoded-image cache (0: decode every time).
    public static func list(
        _ directory: URL, size: (height: Int, width: Int)? = nil, channels: Int = 3, cacheBytes: Int = 0
    ) throws -> ImageFolderDataset {
        if let size, !(1...InputLimits.maxImageSide).contains(size.height) || !(1...InputLimits.maxImageSide).contains(size.width) {
            throw DataError(path: directory.path, problem: "image size \(size.height)×\(size.width): each side must be 1…\(InputLimits.maxImageSide)")
        }
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
        var files: [URL] = []
        var labels: [Int32] = []
        for (label, name) in classes.enumerated() {
            let folder = directory.appendingPathComponent(name)
            let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            files += names.map { folder.appendingPathComponent($0) }
            labels += [Int32](repeating: Int32(label), count: names.count)
            guard files.count <= maxFiles else { throw DataError(path: directory.path, problem: "more than \(maxFiles) images") }
        }
        guard let first = files.first else { throw DataError(path: directory.path, problem: "no PNG or JPEG images") }
        let shape: (Int, Int)
        if let size {
            shape = (size.height, size.width)
        } else {
            let image = try Image.read(first)
            shape = (image.height, image.width)
        }
        guard checkedProduct([channels, shape.0, shape.1], limit: InputLimits.maxImagePixels) != nil else {
            throw DataError(path: directory.path, problem: "samples of \(shape.0)×\(shape.1)×\(channels) exceed the pixel limit")
        }
        return ImageFolderDataset(
            files: files, labels: labels, classCount: classes.count, classNames: classes, sampleShape: [channels, shape.0, shape.1],
            normalizer: nil, resizes: size != nil, cache: DecodedImageCache(capacityBytes: cacheBytes), keys: Array(files.indices))
    }

    /// The number of images.
    public var count: Int { files.count }

    /// The images `indices` (sharing this listing's cache).
    public func subset(_ indices: [Int]) -> ImageFolderDataset {
        ImageFolderDataset(
            files: indices.map { files[$0] }, labels: indices.map { labels[$0] }, classCount: classCount, classNames: classNames,
            sampleShape: sampleShape, normalizer: normalizer, resizes: resizes, cache: cache, keys: indices.map { keys[$0] })
    }

    /// The same images with `normalizer` applied to each sample as it is copied.
    public func normalized(by normalizer: Normalizer?) -> ImageFolderDataset {
        var copy = self
        copy.normalizer = normalizer
        return copy
    }

    /// Image `index` as [C, H, W] floats in [0, 1]: from the cache, or decoded (and cached while there is room).
    public func pixels(_ index: Int) throws -> [Float] {
        if let cached = cache.image(keys[index]) { return cached }
        var image = try Image.read(files[index])
        let (channels, height, width) = (sampleShape[0], sampleShape[1], sampleShape[2])
        if image.channels != channels {
            image =
                channels == 1
                ? Image(width: image.width, height: image.height, channels: 1, pixels: image.grayscaleValues())
                : image.channels == 1 ? image.grayscale(outputChannels: 3) : image.dropAlpha()
        }
        if image.height != height || image.width != width {
            guard resizes else {
                throw DataError(
                    path: files[index].path,
                    problem: "is \(image.height)×\(image.width), the first image was \(height)×\(width); "
                        + "give one size for all (keel train --image-size HEIGHTxWIDTH)")
            }
            image = image.resizedBilinear(height: height, width: width)
        }
        let values = image.tensor.scalars
        guard values.count == sampleSize else {
            throw DataError(path: files[index].path, problem: "decodes to \(image.channels) channels, not \(channels)")
        }
        cache.insert(values, for: keys[index])
        return values
    }

    /// Decodes the samples on worker threads (normalized when a normalizer is set). A file that no longer decodes
    /// (changed since `scan`) gives zeros and a warning on standard error.
    public func copySamples(_ indices: [Int], into destination: UnsafeMutablePointer<Float>) {
        let size = sampleSize
        let normalizer = self.normalizer
        let shape = [1] + sampleShape
        nonisolated(unsafe) let destination = destination
        Parallel.forEach(indices.count) { row in
            let target = destination + row * size
            do {
                let values = try pixels(indices[row])
                if let normalizer {
                    normalizer.apply(Tensor(shape: shape, scalars: values)).withUnsafePointer { target.update(from: $0, count: size) }
                } else {
                    values.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: size) }
                }
            } catch {
                target.update(repeating: 0, count: size)
                FileHandle.standardError.write(Data("warning: \(error) — the sample is zeros in this batch\n".utf8))
            }
        }
    }

    /// One pass over every image on worker threads: each must decode (and, without a size given, have the first
    /// image's size) — the first failure is thrown with its path. Returns the per-channel statistics of the images
    /// `statisticsOver` (combined in index order, so they do not depend on the thread count); the pass also fills
    /// the cache.
    public func scan(statisticsOver indices: [Int]) throws -> ChannelStatistics {
        let channels = sampleShape[0]
        let wanted = Set(indices)
        var perImage = [ChannelStatistics?](repeating: nil, count: count)
        var failures = [(Int, any Error)?](repeating: nil, count: count)
        perImage.withUnsafeMutableBufferPointer { stats in
            failures.withUnsafeMutableBufferPointer { errors in
                nonisolated(unsafe) let (stats, errors) = (stats, errors)
                Parallel.forEach(count) { i in
                    do {
                        let values = try pixels(i)
                        if wanted.contains(i) { stats[i] = ChannelStatistics(values, channels: channels) }
                    } catch {
                        errors[i] = (i, error)
                    }
                }
            }
        }
        if let (_, error) = failures.lazy.compactMap({ $0 }).first { throw error }
        var total = ChannelStatistics(channels: channels)
        for i in indices.sorted() { total.combine(perImage[i]!) }
        return total
    }
}

/// Decoded images kept in memory up to a byte budget: images are admitted while they fit and then kept (no
/// eviction — every epoch visits every image, so keeping the first ones is as good as any policy). Thread-safe.
public final class DecodedImageCache: @unchecked Sendable {
    /// The most bytes of decoded floats it holds.
    public let capacityBytes: Int
    private var images: [Int: [Float]] = [:]
    private var usedBytes = 0
    private let lock = NSLock()

    /// A cache of at most `capacityBytes` (0: holds nothing).
    public init(capacityBytes: Int) { self.capacityBytes = max(0, capacityBytes) }

    /// The image stored under `key`, if any.
    public func image(_ key: Int) -> [Float]? {
        guard capacityBytes > 0 else { return nil }
        return lock.withLock { images[key] }
    }

    /// Keeps `values` under `key` when they fit in what is left.
    public func insert(_ values: [Float], for key: Int) {
        let bytes = values.count * MemoryLayout<Float>.stride
        guard capacityBytes > 0 else { return }
        lock.withLock {
            guard images[key] == nil, usedBytes + bytes <= capacityBytes else { return }
            images[key] = values
            usedBytes += bytes
        }
    }

    /// Bytes held now.
    public var bytesUsed: Int { lock.withLock { usedBytes } }
}
