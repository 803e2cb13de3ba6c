import Foundation
import Keel

/// MNIST-format datasets (MNIST, Fashion-MNIST, the embedded MNIST-5k): a directory with
/// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
/// `t10k-labels-idx1-ubyte`, each raw or gzipped (`.gz`).
public enum MNIST {
    /// The training or the test split.
    public enum Split: String, Sendable, CaseIterable {
        case train, test
        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// The MNIST-5k subset shipped with Keel (4,000 training and 1,000 test images).
    public static var embeddedDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("mnist-5k")
    }

    /// Loads one split: images as [N, 1, H, W] floats in [0, 1] (pixel / 255), labels 0...9.
    public static func load(directory: URL, split: Split) throws -> TensorDataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw DataError(path: directory.path, problem: "directory not found (expected an MNIST-format dataset folder)")
        }
        guard isDirectory.boolValue else {
            throw DataError(path: directory.path, problem: "not a directory (expected an MNIST-format dataset folder)")
        }
        let imagesURL = try find(directory, "\(split.prefix)-images-idx3-ubyte")
        let labelsURL = try find(directory, "\(split.prefix)-labels-idx1-ubyte")
        let images = try IDX.read(imagesURL)
        let labels = try IDX.read(labelsURL)
        guard images.shape.count == 3 else {
            throw DataError(path: imagesURL.path, problem: "expected images of rank 3 [N, rows, columns], got shape \(images.shape)")
        }
        guard labels.shape.count == 1 else {
            throw DataError(path: labelsURL.path, problem: "expected labels of rank 1 [N], got shape \(labels.shape)")
        }
        guard labels.shape[0] == images.shape[0] else {
            throw DataError(
                path: labelsURL.path,
                problem: "\(labels.shape[0]) labels for \(images.shape[0]) images in \(imagesURL.lastPathComponent)")
        }
        if let bad = labels.bytes.firstIndex(where: { $0 > 9 }) {
            throw DataError(path: labelsURL.path, problem: "label \(labels.bytes[bad]) at index \(bad) is not a digit class 0...9")
        }
        let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
        var features = Tensor.zeros([n, 1, h, w])
        features.withUnsafeMutablePointer { p in
            for i in 0..<images.bytes.count { p[i] = Float(images.bytes[i]) / 255 }
        }
        return TensorDataset(features: features, labels: labels.bytes.map { Int32($0) }, classCount: 10)
    }

    /// `name.gz` or `name` inside `directory`.
    static func find(_ directory: URL, _ name: String) throws -> URL {
        for candidate in [name + ".gz", name] {
            let url = directory.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError(path: directory.appendingPathComponent(name).path, problem: "file not found (nor \(name).gz)")
    }
}
