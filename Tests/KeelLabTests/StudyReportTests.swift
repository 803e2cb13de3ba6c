import Foundation
import KeelTestSupport
import Testing

@testable import KeelLab

#if canImport(FoundationXML)
    import FoundationXML
#endif

struct StudyReportTests {
    @Test func quickNormalizationStudyWritesAValidReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-study-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        struct Numbers: Codable, Sendable {
            var value = 3
            var nested = ["list": [1, 2]]
        }
        var result = StudyResult(name: "demo", title: "Demo <study>", claim: "A & B", quick: true, measurement: Numbers())
        var chart = LineChart(title: "curve", xLabel: "x", yLabel: "y")
        chart.series = [.init(name: "s", points: [(0, 1), (1, 2)], color: "#000")]
        result.figures.charts = [
            chart.svg(),
            HeatmapChart(
                title: "map", xLabel: "a", yLabel: "b", xRange: 0...1, yRange: 0...1,
                values: [[1, 2], [3, 4]]
            ).svg(),
        ]
        var bars = BarChart(title: "bars", valueLabel: "v", categories: ["a", "b"])
        bars.series = [.init(name: "s", values: [1, 2], color: "#123456")]
        result.figures.charts.append(bars.svg())
        result.verdicts = [Verdict("it holds", supported: false, evidence: "numbers")]
        let (report, json) = try StudyReport.write([result], to: directory)
        let html = try String(contentsOf: report, encoding: .utf8)
        #expect(html.contains("Demo &lt;study&gt; (quick)") && html.contains("A &amp; B"))
        #expect(html.contains("not supported") && html.contains("<nav>"))
        #expect(!html.contains("<script") && !html.contains("http://fonts") && !html.contains("https://"))
        // Every SVG is well-formed and has data (a polyline or filled cells).
        let svgs = html.components(separatedBy: "<svg").dropFirst().map { "<svg" + $0.components(separatedBy: "</svg>")[0] + "</svg>" }
        #expect(svgs.count == 3)
        for svg in svgs {
            let counter = try #require(ElementCounter.parse(svg))
            #expect(counter.counts["polyline", default: 0] + counter.counts["rect", default: 0] > 2)
            #expect(counter.texts.count >= 3)  // title and axis labels
        }
        #expect(html.contains("<section id=\"demo\">") && html.contains("<a href=\"#demo\">"))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        let demo = object["demo"] as! [String: Any]
        #expect((demo["numbers"] as! [String: Any])["value"] as? Int == 3)
        #expect((demo["verdicts"] as! [[String: Any]])[0]["supported"] as? Bool == false)
    }
}
