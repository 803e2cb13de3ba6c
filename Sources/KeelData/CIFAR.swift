import Foundation
import Keel

/// The CIFAR-10 and CIFAR-100 binary format (Krizhevsky 2009): records of label byte(s) then 3,072 pixel bytes, the
/// 32×32 red plane, then green, then blue. CIFAR-10: `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`,
/// one label byte (0…9), class names in `batches.meta.txt`; CIFAR-100: `train.bin` and `test.bin`, a coarse then a
/// fine label byte (the fine label, 0…99, is used), class names in `fine_label_names.txt`. Files may be gzipped.
public enum CIFAR {
    /// Which variant a folder holds.
    public enum Variant: Sendable {
        case cifar10, cifar100

        /// Label bytes per record.
        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        /// The number of classes.
        var classes: Int { self == .cifar10 ? 10 : 100 }
        var namesFile: String { self == .cifar10 ? "batches.meta.txt" : "fine_label_names.txt" }
    }

    /// Pixel bytes per record.
    static let imageBytes = 3 * 32 * 32

    /// The variant of `directory`'s files, or nil when it holds neither layout.
    public static func variant(of directory: URL) -> Variant? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        if files.contains(where: { $0.hasPrefix("data_batch_") }) && files.contains(where: { $0.hasPrefix("test_batch") }) { return .cifar10 }
        if files.contains(where: { $0.hasPrefix("train.bin") }) && files.contains(where: { $0.hasPrefix("test.bin") }) { return .cifar100 }
        return nil
    }

    /// Loads one split as [N, 3, 32, 32] in [0, 1] (pixel / 255) with class names when the folder has them.
    public static func load(directory: URL, split: MNIST.Split) throws -> TensorDataset {
        guard let variant = variant(of: directory) else {
            throw DataError(
                path: directory.path, problem: "not a CIFAR folder (expected data_batch_*.bin and test_batch.bin, or train.bin and test.bin)")
        }
        var records: [UInt8] = []
        for url in try files(directory, variant, split) {
            records += try decode(Array(try read(url)), variant: variant, path: url.path)
        }
        let recordBytes = variant.labelBytes + imageBytes
        let count = records.count / recordBytes
        guard count > 0 else { throw DataError(path: directory.path, problem: "no \(split.rawValue) images") }
        var pixels = [Float](repeating: 0, count: count * imageBytes)
        var labels = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let base = i * recordBytes
            labels[i] = Int32(records[base + variant.labelBytes - 1])
            for j in 0..<imageBytes { pixels[i * imageBytes + j] = Float(records[base + variant.labelBytes + j]) / 255 }
        }
        return TensorDataset(
            features: Tensor(shape: [count, 3, 32, 32], scalars: pixels), labels: labels, classCount: variant.classes,
            classNames: classNames(directory, variant))
    }

    /// Checks a file's records: whole records, labels below the class count. Returns the bytes.
    public static func decode(_ bytes: [UInt8], variant: Variant, path: String) throws -> [UInt8] {
        let recordBytes = variant.labelBytes + imageBytes
        guard !bytes.isEmpty, bytes.count % recordBytes == 0 else {
            throw DataError(path: path, problem: "\(bytes.count) bytes is not a whole number of \(recordBytes)-byte CIFAR records")
        }
        for record in 0..<(bytes.count / recordBytes) {
            let label = Int(bytes[record * recordBytes + variant.labelBytes - 1])
            guard label < variant.classes else {
                throw DataError(path: path, problem: "record \(record): label \(label) is not below \(variant.classes)")
            }
        }
        return bytes
    }

    /// The split's files in order (data_batch_1 … 5 or train.bin; test_batch or test.bin), raw or gzipped.
    static func files(_ directory: URL, _ variant: Variant, _ split: MNIST.Split) throws -> [URL] {
        let stems: [String] =
            switch (variant, split) {
            case (.cifar10, .train): (1...5).map { "data_batch_\($0).bin" }
            case (.cifar10, .test): ["test_batch.bin"]
            case (.cifar100, .train): ["train.bin"]
            case (.cifar100, .test): ["test.bin"]
            }
        let urls = stems.compactMap { stem -> URL? in
            let plain = directory.appendingPathComponent(stem)
            if InputFile.kind(atPath: plain.path) != nil { return plain }
            let gzipped = directory.appendingPathComponent(stem + ".gz")
            return InputFile.kind(atPath: gzipped.path) != nil ? gzipped : nil
        }
        guard !urls.isEmpty else { throw DataError(path: directory.path, problem: "no \(stems.joined(separator: ", ")) file") }
        return urls
    }

    /// A file's bytes, decompressed when gzipped (at most 1 GiB).
    static func read(_ url: URL) throws -> Data {
        let data = try InputFile.read(url, maxBytes: 1 << 30)
        return Gzip.isCompressed(data) ? try Gzip.decompress(data, path: url.path) : data
    }

    /// The class names file's non-empty lines, when it has exactly one per class.
    static func classNames(_ directory: URL, _ variant: Variant) -> [String]? {
        guard let text = try? InputFile.text(directory.appendingPathComponent(variant.namesFile), maxBytes: 1 << 20) else { return nil }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.count == variant.classes ? names : nil
    }
}
