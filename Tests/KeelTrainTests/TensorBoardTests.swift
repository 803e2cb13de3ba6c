import Foundation
import KeelTestSupport
import SwiftProtobuf
import Testing

@testable import Keel
@testable import KeelTrain

/// TensorBoard event files: CRC-32C and TFRecord framing by their published test vectors, and a run's events read
/// back (framing checked, protobuf decoded) equal to its history.
struct TensorBoardTests {
    @Test func crc32cMatchesItsCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)  // RFC 3720 B.4
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    /// The records of a TFRecord file, each checked against its masked CRCs.
    static func records(_ data: Data) throws -> [Data] {
        var records: [Data] = []
        var offset = data.startIndex
        func uint<T: FixedWidthInteger>(_ type: T.Type, at i: Int) -> T {
            data[i..<(i + MemoryLayout<T>.size)].withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        while offset < data.endIndex {
            let length = Int(uint(UInt64.self, at: offset))
            #expect(uint(UInt32.self, at: offset + 8) == CRC32C.masked(data[offset..<(offset + 8)]))
            let body = data[(offset + 12)..<(offset + 12 + length)]
            #expect(uint(UInt32.self, at: offset + 12 + length) == CRC32C.masked(body))
            records.append(Data(body))
            offset += 16 + length
        }
        return records
    }

    @Test func aRunsEventsReadBackAsItsHistory() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var c = RunConfiguration()
        (c.data.dataset, c.data.validationFraction, c.epochs, c.batchSize, c.tensorboard) = (
            "iris", 0.2, 3, 32, root.appendingPathComponent("tb").path
        )
        let run = TrainingRun(c, directory: nil)
        run.progressStyle = .silent
        try run.run()
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tb").path)
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."))
        let events = try Self.records(Data(contentsOf: root.appendingPathComponent("tb").appendingPathComponent(files[0])))
            .map { try Tensorboard_Event(serializedBytes: $0) }
        #expect(events.first?.fileVersion == "brain.Event:2")
        var scalars: [String: [(Int64, Float)]] = [:]
        var histogramCount = 0.0
        for event in events {
            for value in event.summary.value {
                if case .simpleValue(let v) = value.value { scalars[value.tag, default: []].append((event.step, v)) }
                if value.tag.hasPrefix("weights/"), case .histo(let h) = value.value, event.step == events.last!.step {
                    histogramCount += h.num
                    #expect(h.bucket.reduce(0, +) == h.num && h.bucketLimit.count == h.bucket.count)
                }
            }
        }
        let history = try #require(run.history)
        #expect(scalars["train/loss"]?.map(\.1) == history.iterations.map(\.loss))
        #expect(scalars["train/loss"]?.map(\.0) == history.iterations.map { Int64($0.globalStep) })
        #expect(scalars["train/learning_rate"]?.count == history.iterations.count)
        #expect(scalars["val/accuracy"]?.map(\.1) == history.epochs.map { $0.validationAccuracy! })
        #expect(Int(histogramCount) == run.model?.parameterCount)
    }
}
