import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelLab

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Counts elements of an SVG document by name (parsing fails on malformed XML).
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var texts: [String] = []
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) { counts[name, default: 0] += 1 }
    func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }

    static func parse(_ svg: String) -> ElementCounter? {
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        return parser.parse() ? counter : nil
    }
}

struct ChartTests {
    @Test func lineChartIsWellFormedSVGWithItsParts() throws {
        var chart = LineChart(title: "a < b & c", xLabel: "step", yLabel: "loss")
        chart.series = [
            .init(name: "train", points: [(0, 1), (1, 0.5), (2, .nan), (3, 0.25)], color: "#000"),
            .init(name: "validation", points: [(0, 1.1), (3, 0.4)], color: "#f00", dashed: true),
        ]
        chart.bands = [.init(lower: 0, upper: 1, label: "range")]
        let svg = chart.svg()
        let parsed = try #require(ElementCounter.parse(svg))
        // The NaN splits the first series in two: a line (0–1) and a lone point (3), drawn as a dot.
        #expect(parsed.counts["polyline"] == 2 && parsed.counts["circle"] == 1)
        #expect(parsed.texts.joined().contains("a < b & c"))
        #expect(parsed.texts.contains("train") && parsed.texts.contains("validation"))
        #expect(parsed.texts.contains("step") && parsed.texts.contains("loss"))
        #expect(!svg.contains("<script"))
    }

    @Test func ticksAreRoundNumbers() {
        #expect(LineChart.ticks(0...10) == [0, 2, 4, 6, 8, 10])
        #expect(LineChart.ticks(-5...5) == [-4, -2, 0, 2, 4])
        let small = LineChart.ticks(0...0.3)
        #expect(small.count == 7 && Swift.abs(small[1] - 0.05) < 1e-12 && Swift.abs(small.last! - 0.3) < 1e-12)
    }

    @Test func activationFiguresAndOverviewAreWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-plots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try ActivationFigures.write(to: directory)
        #expect(files.count == Activation.all.count + 1)
        for file in files where file.pathExtension == "svg" {
            let svg = try String(contentsOf: file, encoding: .utf8)
            let parsed = try #require(ElementCounter.parse(svg), "\(file.lastPathComponent) is not well-formed")
            #expect(parsed.counts["polyline", default: 0] >= 2, "\(file.lastPathComponent) lacks f and f′")
            #expect(parsed.texts.contains { $0.hasPrefix("range ") }, "\(file.lastPathComponent) lacks its range")
        }
        let index = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("<table>") && index.contains("leaky_relu") && index.contains("0.5·x"))
        #expect(!index.contains("<script") && !index.contains("http://fonts"))
    }

    @Test func samplesMatchTheKernels() {
        let s = ActivationFigures.samples(.relu, from: -1, to: 1, count: 3)
        #expect(s.x == [-1, 0, 1] && s.y == [0, 0, 1] && s.dy == [0, 0, 1])
    }
}

struct ContourTests {
    @Test func contourOfABowlIsACircle() throws {
        // f(x, y) = x² + y² on [−2, 2]²: the level-1 contour is the unit circle.
        let n = 41
        let values = (0..<n).map { r in
            (0..<n).map { c in
                let x = -2 + 4 * Double(c) / Double(n - 1)
                let y = -2 + 4 * Double(r) / Double(n - 1)
                return x * x + y * y
            }
        }
        let segments = HeatmapChart.contour(values, level: 1, xRange: -2...2, yRange: -2...2)
        #expect(segments.count > 20)
        for (a, b) in segments {
            for p in [a, b] { #expect(Swift.abs((p.0 * p.0 + p.1 * p.1).squareRoot() - 1) < 0.01) }
        }
        // Nothing above the maximum or below the minimum.
        #expect(HeatmapChart.contour(values, level: 100, xRange: -2...2, yRange: -2...2).isEmpty)
        // The chart draws the contour paths.
        let svg = HeatmapChart(title: "bowl", xLabel: "x", yLabel: "y", xRange: -2...2, yRange: -2...2, values: values).svg()
        let parsed = try #require(ElementCounter.parse(svg))
        #expect(parsed.counts["path", default: 0] >= 8)
    }
}
