import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData

/// The CIFAR binary format, read exactly: label byte(s), then the red, green and blue 32×32 planes.
struct CIFARTests {
    /// A record whose pixel j holds (seed + j) mod 256.
    static func record(label: [UInt8], seed: Int) -> [UInt8] { label + (0..<3072).map { UInt8((seed + $0) % 256) } }

    static func write(_ records: [[UInt8]], to url: URL) throws { try Data(records.flatMap { $0 }).write(to: url) }

    /// Tests/Fixtures/cifar-reference: what an independent Python reader makes of two small CIFAR folders
    /// (Scripts/make_cifar_reference.py) — Keel reads the same labels and the same bytes.
    @Test func readsWhatAReferenceReaderReadsByteForByte() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/cifar-reference")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("reference.json"))) as! [String: Any]
        for variant in ["cifar10", "cifar100"] {
            let expected = reference[variant] as! [String: [String: [Int]]]
            for (split, name) in [(MNIST.Split.train, "train"), (.test, "test")] {
                let data = try CIFAR.load(directory: fixtures.appendingPathComponent(variant), split: split)
                #expect(data.labels.map(Int.init) == expected[name]!["labels"]!, "\(variant) \(name) labels")
                let bytes = data.features.scalars.map { Int(($0 * 255).rounded()) }
                #expect(bytes == expected[name]!["pixels"]!, "\(variant) \(name): every pixel byte in [C, H, W] order")
                #expect(data.features.scalars.allSatisfy { ($0 * 255).rounded() / 255 == $0 }, "each value is exactly byte / 255")
            }
        }
    }

    @Test func cifar10ReadsEveryByteInPlace() throws {
        let dir = temporaryDirectory("keel-cifar10")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.write([Self.record(label: [3], seed: 0), Self.record(label: [9], seed: 7)], to: dir.appendingPathComponent("data_batch_1.bin"))
        try Self.write([Self.record(label: [1], seed: 100)], to: dir.appendingPathComponent("data_batch_2.bin"))
        try Self.write([Self.record(label: [0], seed: 5)], to: dir.appendingPathComponent("test_batch.bin"))
        try (["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"].joined(separator: "\n") + "\n")
            .write(to: dir.appendingPathComponent("batches.meta.txt"), atomically: true, encoding: .utf8)
        #expect(CIFAR.variant(of: dir) == .cifar10)
        let train = try CIFAR.load(directory: dir, split: .train)
        #expect(train.features.shape == [3, 3, 32, 32] && train.labels == [3, 9, 1] && train.classCount == 10)
        #expect(train.classNames?[3] == "cat")
        let x = train.features.scalars
        // Sample 1 (seed 7): green plane, row 2, column 5 is pixel 1024 + 2·32 + 5 of the record.
        #expect(x[3072 + 1024 + 69] == Float((7 + 1024 + 69) % 256) / 255)
        #expect(x[2 * 3072 + 2047] == Float((100 + 2047) % 256) / 255)
        #expect(try CIFAR.load(directory: dir, split: .test).labels == [0])
        #expect(try DataSource.named(dir.path) == .cifar(directory: dir.path))
    }

    @Test func cifar100UsesTheFineLabelAndRefusesBadFiles() throws {
        let dir = temporaryDirectory("keel-cifar100")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.write([Self.record(label: [4, 87], seed: 1)], to: dir.appendingPathComponent("train.bin"))
        try Self.write([Self.record(label: [19, 99], seed: 2)], to: dir.appendingPathComponent("test.bin"))
        #expect(CIFAR.variant(of: dir) == .cifar100)
        #expect(try CIFAR.load(directory: dir, split: .train).labels == [87])
        #expect(try CIFAR.load(directory: dir, split: .test).classCount == 100)
        try Data(Self.record(label: [0, 100], seed: 0)).write(to: dir.appendingPathComponent("test.bin"))
        expectError(["test.bin", "label 100 is not below 100"]) { _ = try CIFAR.load(directory: dir, split: .test) }
        try Data(Self.record(label: [0, 1], seed: 0).dropLast()).write(to: dir.appendingPathComponent("train.bin"))
        expectError(["train.bin", "not a whole number of 3074-byte CIFAR records"]) { _ = try CIFAR.load(directory: dir, split: .train) }
    }
}
