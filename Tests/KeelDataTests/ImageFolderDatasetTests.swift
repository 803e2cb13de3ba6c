import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData

/// Streamed image folders: the same samples as decoding the folder whole, at any thread count and cache size;
/// the normalizer fitted in one pass equals the one fitted on all samples; a broken file is named before training.
struct ImageFolderDatasetTests {
    /// Two classes of JPEG and PNG files of mixed sizes, with noise so that resizing matters.
    static func makeFolder() throws -> URL {
        let directory = temporaryDirectory("keel-streamed")
        var g = KeelRandom(seed: 4)
        for (c, name) in ["bright", "dark"].enumerated() {
            let folder = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<7 {
                let (w, h) = (9 + i, 7 + (i * 3) % 5)
                let noise = Tensor.uniform([h * w * 3], low: 0, high: 0.5, generator: &g).scalars
                let image = Image(width: w, height: h, channels: 3, pixels: noise.map { $0 + (c == 0 ? 0.4 : 0.05) })
                try image.write(to: folder.appendingPathComponent("\(i).\(i % 2 == 0 ? "png" : "jpg")"))
            }
        }
        return directory
    }

    @Test func streamedSamplesEqualTheWholeFolderAtAnyThreadCountAndCacheSize() throws {
        let directory = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try ImageFolder.load(directory, size: (8, 10))
        let indices = Array(0..<whole.count).reversed().map { $0 }
        for cacheBytes in [0, 3 * 8 * 10 * 4 * 5, 1 << 20] {
            let streamed = try ImageFolderDataset.list(directory, size: (8, 10), cacheBytes: cacheBytes)
            #expect(streamed.count == 14 && streamed.labels == whole.labels && streamed.classNames == whole.classNames)
            #expect(streamed.sampleShape == [3, 8, 10])
            _ = try streamed.scan(statisticsOver: Array(0..<streamed.count))
            #expect(streamed.cache.bytesUsed <= cacheBytes)
            let one = withThreads(1) { streamed.samples(indices).scalars }
            let two = withThreads(2) { streamed.samples(indices).scalars }
            #expect(one == two && one == whole.samples(indices).scalars, "cache \(cacheBytes) B")
        }
    }

    @Test func theOnePassNormalizerEqualsTheWholeFolderFit() throws {
        let directory = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try ImageFolder.load(directory, size: (8, 10))
        let streamed = try ImageFolderDataset.list(directory, size: (8, 10))
        let train = [0, 2, 3, 5, 8, 9, 11, 13]
        let one = try withThreads(1) { try streamed.scan(statisticsOver: train) }
        let two = try withThreads(2) { try streamed.scan(statisticsOver: train) }
        #expect(one == two, "the statistics do not depend on the thread count")
        for method in [Normalizer.Method.standard, .minmax, .minmaxSymmetric] {
            let a = try Normalizer.fit(method, statistics: one)
            let b = try Normalizer.fit(method, on: whole.subset(train).features)
            for (x, y) in zip(a.shift + a.scale, b.shift + b.scale) { #expect(abs(x - y) <= 1e-5 * max(1, abs(y)), "\(method)") }
        }
    }

    @Test func preparedImageFoldersStreamAndSplitAsBefore() throws {
        let directory = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try PreparedData.prepare(
            .imageFolder(directory: directory.path), normalize: .standard, validationFraction: 0.25, testFraction: 0.3, seed: 5,
            imageSize: (8, 10))
        #expect(data.train is ImageFolderDataset && data.test is ImageFolderDataset)
        let whole = try ImageFolder.load(directory, size: (8, 10))
        let top = whole.splitIndices(validation: 0, test: 0.3, seed: 5, stratified: true)
        #expect(data.test.count == top.test.count && data.train.count + (data.validation?.count ?? 0) == top.train.count)
        #expect(data.rawTest.samples(Array(0..<data.test.count)).scalars == whole.subset(top.test).features.scalars)
        let normalized = data.test.samples([0]).scalars
        #expect(normalized == data.normalizer.apply(data.rawTest.samples([0])).scalars)
    }

    @Test func aBrokenFileIsNamedBeforeTraining() throws {
        let directory = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data([0xFF, 0xD8, 0xFF, 0x00, 0x01]).write(to: directory.appendingPathComponent("dark/broken.jpg"))
        let streamed = try ImageFolderDataset.list(directory, size: (8, 10))
        expectError(["broken.jpg"]) { _ = try streamed.scan(statisticsOver: [0]) }
        let unsized = try ImageFolderDataset.list(directory)
        expectError(["give one size for all (keel train --image-size HEIGHTxWIDTH)"]) { _ = try unsized.scan(statisticsOver: []) }
    }

    @Test func prefetchedBatchesEqualTheLoadersOwn() throws {
        let mnist = try MNIST.load(directory: MNIST.embeddedDirectory, split: .test).subset(Array(0..<50))
        let loader = DataLoader(mnist, batchSize: 8, seed: 3, augmentation: RandomAffine(degrees: 10))
        let batches = loader.batchIndices(epoch: 1)
        let prefetcher = BatchPrefetcher(loader, batches: batches, epoch: 1)
        for b in [0, 1, 2, 4, 5, 6] {  // 3 skipped: a resumed epoch may start anywhere
            #expect(prefetcher.batch(b).inputs.scalars == loader.batch(batches[b], epoch: 1).inputs.scalars)
        }
        prefetcher.finish()
    }
}
