import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData

/// Expects `body` to throw a DataError whose text contains every one of `fragments`.
func expectDataError(_ fragments: [String], _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    expectError(fragments, of: DataError.self, sourceLocation: sourceLocation, body)
}

struct IDXTests {
    @Test func roundTrip() throws {
        let bytes: [UInt8] = (0..<24).map { UInt8($0 * 7 % 256) }
        let parsed = try IDX.parse([UInt8](IDX.encode(shape: [2, 3, 4], bytes: bytes)), path: "x")
        #expect(parsed.shape == [2, 3, 4])
        #expect(parsed.bytes == bytes)
    }

    @Test func badFilesGiveClearErrors() {
        let good = [UInt8](IDX.encode(shape: [2, 3], bytes: [1, 2, 3, 4, 5, 6]))
        expectDataError(["f.idx", "wrong IDX magic number"]) { _ = try IDX.parse([1, 2, 8, 1] + good.dropFirst(4), path: "f.idx") }
        expectDataError(["unsupported IDX element type 0x0d"]) { _ = try IDX.parse([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], path: "f") }
        expectDataError(["too short"]) { _ = try IDX.parse([0, 0], path: "f") }
        expectDataError(["truncated IDX header"]) { _ = try IDX.parse([0, 0, 8, 2, 0, 0, 0], path: "f") }
        expectDataError(["truncated data", "needs 6 bytes, found 4"]) { _ = try IDX.parse(Array(good.dropLast(2)), path: "f") }
        expectDataError(["unexpected bytes"]) { _ = try IDX.parse(good + [9], path: "f") }
        expectDataError(["/no/such/file", "file not found"]) { _ = try IDX.read(URL(fileURLWithPath: "/no/such/file")) }
    }

    @Test func truncatedGzipIsReported() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = MNIST.embeddedDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        let data = try Data(contentsOf: source)
        let cut = directory.appendingPathComponent("cut.gz")
        try data.prefix(data.count / 2).write(to: cut)
        expectDataError(["cut.gz", "truncated gzip"]) { _ = try IDX.read(cut) }
        let garbage = directory.appendingPathComponent("garbage.gz")
        try Data([0x1F, 0x8B, 1, 2, 3, 4, 5, 6, 7, 8]).write(to: garbage)
        expectDataError(["garbage.gz"]) { _ = try IDX.read(garbage) }
    }
}

struct MNISTTests {
    @Test func embeddedSubsetLoads() throws {
        let train = try MNIST.load(directory: MNIST.embeddedDirectory, split: .train)
        let test = try MNIST.load(directory: MNIST.embeddedDirectory, split: .test)
        #expect(train.count == 4000)
        #expect(test.count == 1000)
        #expect(train.sampleShape == [1, 28, 28])
        #expect(train.classCount == 10)
        let counts = (0..<10).map { c in (train.labels + test.labels).filter { $0 == c }.count }
        #expect(counts == Array(repeating: 500, count: 10))
        #expect(train.features.min().scalar == 0 && train.features.max().scalar == 1)
    }

    @Test func malformedDatasetsAreRejected() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        expectDataError(["directory not found"]) { _ = try MNIST.load(directory: directory.appendingPathComponent("none"), split: .train) }
        try Data([1]).write(to: directory.appendingPathComponent("plain-file"))
        expectDataError(["not a directory"]) { _ = try MNIST.load(directory: directory.appendingPathComponent("plain-file"), split: .train) }
        expectDataError(["train-images-idx3-ubyte", "file not found"]) { _ = try MNIST.load(directory: directory, split: .train) }
        try IDX.encode(shape: [3, 2, 2], bytes: Array(repeating: 7, count: 12))
            .write(to: directory.appendingPathComponent("train-images-idx3-ubyte"))
        try IDX.encode(shape: [2], bytes: [1, 2]).write(to: directory.appendingPathComponent("train-labels-idx1-ubyte"))
        expectDataError(["2 labels for 3 images"]) { _ = try MNIST.load(directory: directory, split: .train) }
        try IDX.encode(shape: [3], bytes: [1, 12, 2]).write(to: directory.appendingPathComponent("train-labels-idx1-ubyte"))
        expectDataError(["label 12 at index 1"]) { _ = try MNIST.load(directory: directory, split: .train) }
        try IDX.encode(shape: [3], bytes: [1, 9, 2]).write(to: directory.appendingPathComponent("train-labels-idx1-ubyte"))
        let loaded = try MNIST.load(directory: directory, split: .train)
        #expect(loaded.sampleShape == [1, 2, 2])
        #expect(loaded.labels == [1, 9, 2])
        #expect(Swift.abs(loaded.features.scalars[0] - 7.0 / 255) < 1e-7)
    }
}

struct DataLoaderTests {
    static let dataset = TensorDataset(
        features: Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init)),
        labels: (0..<10).map { Int32($0 % 3) })

    @Test func iterationsPerEpoch() {
        #expect(DataLoader(Self.dataset, batchSize: 3).batchesPerEpoch == 4)
        #expect(DataLoader(Self.dataset, batchSize: 3, dropLast: true).batchesPerEpoch == 3)
        #expect(DataLoader(Self.dataset, batchSize: 10).batchesPerEpoch == 1)
        #expect(DataLoader(Self.dataset, batchSize: 64).batchesPerEpoch == 1)
        #expect(DataLoader(Self.dataset, batchSize: 64, dropLast: true).batchesPerEpoch == 0)
        #expect(DataLoader(Self.dataset, batchSize: 1).batchesPerEpoch == 10)
    }

    @Test func everySampleOncePerEpochInABatch() {
        let loader = DataLoader(Self.dataset, batchSize: 3, shuffle: true, seed: 5)
        let batches = loader.batchIndices(epoch: 2)
        #expect(batches.map(\.count) == [3, 3, 3, 1])
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<10))
        let batch = loader.batch(batches[0])
        #expect(batch.inputs.shape == [3, 2])
        #expect(batch.inputs.scalars == batches[0].flatMap { [Float(2 * $0), Float(2 * $0 + 1)] })
        #expect(batch.labels == batches[0].map { Int32($0 % 3) })
    }

    @Test func shuffleIsReproduciblePerSeedAndEpoch() {
        let a = DataLoader(Self.dataset, batchSize: 4, seed: 1)
        let b = DataLoader(Self.dataset, batchSize: 4, seed: 1)
        #expect(a.order(epoch: 3) == b.order(epoch: 3))
        #expect(a.order(epoch: 3) != a.order(epoch: 4))
        #expect(a.order(epoch: 0) != DataLoader(Self.dataset, batchSize: 4, seed: 2).order(epoch: 0))
        #expect(DataLoader(Self.dataset, batchSize: 4, shuffle: false).order(epoch: 7) == Array(0..<10))
        // Every position is reachable: over many epochs each sample lands first at least once.
        let firsts = Set((0..<200).map { a.order(epoch: $0)[0] })
        #expect(firsts.count == 10)
    }
}

struct NormalizerTests {
    @Test func standardizationOfOneChannelImages() throws {
        let train = Tensor(shape: [8, 1, 1, 1], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let normalizer = try Normalizer.fit(.standard, on: train)
        #expect(normalizer.shift == [4.5])
        #expect(Swift.abs(1 / normalizer.scale[0] - 2.2913) < 1e-4)
        let z = normalizer.apply(train)
        #expect(Swift.abs(z.mean().scalar) < 1e-6)
        #expect(Swift.abs(z.variance(correction: 0).scalar - 1) < 1e-5)
        #expect(normalizer.apply(Tensor(shape: [1, 1, 1, 1], scalars: [4.5])).scalars == [0])
        #expect(normalizer.inverse(z).isClose(to: train))
        #expect(try Normalizer.fit(.none, on: train).apply(train).scalars == train.scalars)
    }
}
