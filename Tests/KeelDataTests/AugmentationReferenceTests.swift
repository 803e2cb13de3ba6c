import Foundation
import KeelTestSupport
import Testing

@testable import KeelData

/// Every deterministic case of torchvision's reference (augment-torchvision/cases.json): mean absolute
/// difference ≤ 0.5/255 and at least 99.5 % of values within 2/255.
struct AugmentationReferenceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/augment-torchvision")

    struct Case: CustomStringConvertible, Sendable {
        let op: String, output: URL
        var description: String { op }
    }

    /// The shared reference cases and the extra ones generated the same way (Tests/Fixtures/augment-extra).
    static let cases: [Case] = ["augment-torchvision", "augment-extra"].flatMap { folder -> [Case] in
        let base = directory.deletingLastPathComponent().appendingPathComponent(folder)
        let data = try! Data(contentsOf: base.appendingPathComponent("cases.json"))
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { Case(op: $0["op"] as! String, output: base.appendingPathComponent($0["output"] as! String)) }
    }

    @Test(arguments: cases)
    func matchesTorchvision(_ c: Case) throws {
        let input = try Image.read(Self.directory.appendingPathComponent("input.png"))
        let expected = try Image.read(c.output)
        let result = try ImageOperation.parse(c.op).apply(input)
        #expect(
            result.width == expected.width && result.height == expected.height && result.channels == expected.channels,
            "\(c.op): \(result.height)×\(result.width)×\(result.channels) vs \(expected.height)×\(expected.width)×\(expected.channels)")
        guard result.pixels.count == expected.pixels.count else { return }
        // Compare at 8 bits, as the reference was saved.
        let ours = Image(width: result.width, height: result.height, channels: result.channels, bytes: result.bytes)
        let differences = zip(ours.pixels, expected.pixels).map { Swift.abs($0 - $1) }
        let mean = differences.reduce(0, +) / Float(differences.count)
        let within = Float(differences.filter { $0 <= 2.0 / 255 + 1e-6 }.count) / Float(differences.count)
        #expect(mean <= 0.5 / 255, "\(c.op): mean |difference| \(mean * 255)/255")
        print("augment reference \(c.op): mean |Δ| \(mean * 255)/255, within 2/255: \(within * 100) %")
        #expect(within >= 0.995, "\(c.op): \(within * 100) % within 2/255")
    }

    @Test func pngAndJpegRoundTrip() throws {
        let input = try Image.read(Self.directory.appendingPathComponent("input.png"))
        #expect(input.width == 128 && input.height == 96 && input.channels == 3)
        let png = try Image.decode(input.pngData())
        #expect(png.bytes == input.bytes)
        let jpeg = try Image.decode(input.jpegData(quality: 95))
        let error = zip(jpeg.pixels, input.pixels).map { Swift.abs($0 - $1) }.reduce(0, +) / Float(input.pixels.count)
        #expect(error < 0.02)
        #expect(throws: DataError.self) { try Image.decode(Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])) }
        #expect(throws: DataError.self) { try Image.decode(Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0])) }
        #expect(throws: DataError.self) { try Image.decode(Data("text".utf8)) }
    }

    @Test func badSpecsAreRejected() {
        for spec in [
            "warp", "rotate", "blur:kernel=4,sigma=1", "hue:factor=0.7", "crop:top=1,left=1,height=0,width=3",
            "pca-lighting:alphas=1/2", "brightness:factor=x", "scale:factor=2,zoom=3",
        ] {
            #expect(throws: DataError.self, "\(spec)") { try ImageOperation.parse(spec) }
        }
    }
}
