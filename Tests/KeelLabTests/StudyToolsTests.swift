import Foundation
import Keel
import KeelTestSupport
import Testing

@testable import KeelLab

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The pieces every study relies on: mean ± std, rank correlation, log axes, spread bands, bar charts, and
/// results.json without NaN.
struct StudyToolsTests {
    @Test func meanAndSampleStandardDeviation() {
        let m = MeanStd([2.0, 4, 4, 4, 5, 5, 7, 9])
        #expect(m.count == 8 && m.mean == 5)
        #expect(Swift.abs(m.std - (32.0 / 7).squareRoot()) < 1e-12)  // n − 1 in the denominator
        #expect(MeanStd([3.0]).std == 0 && MeanStd([3.0]).formatted() == "3.00")
        #expect(MeanStd([0.5, 0.7]).formatted(digits: 1, scale: 100, unit: " %") == "60.0 ± 14.1 %")
        #expect(MeanStd([Double]()).formatted() == "—" && MeanStd([Double]()).mean.isNaN)
    }

    @Test func spearmanRankCorrelation() {
        #expect(spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        #expect(Swift.abs(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) - 0.8) < 1e-12)  // 1 − 6·4/(5·24)
        #expect(spearman([1, 2, 3], [5, 5, 5]) == 0)  // no variation: no correlation
    }

    @Test func logTicksAreDecadesOrOneTwoFive() {
        func values(_ ticks: [Double]) -> [Double] { ticks.map { (pow(10, $0) * 1000).rounded() / 1000 } }
        let twoDecades: [Double] = [1, 2, 5, 10, 20, 50, 100]
        #expect(values(LineChart.logTicks(0...2)) == twoDecades)
        #expect(LineChart.logTicks(0...4) == [0, 1, 2, 3, 4])
        // Inside one decade the ticks are the linear ones.
        let inside: [Double] = [2, 3, 4, 5, 6, 7, 8]
        #expect(values(LineChart.logTicks(log10(2)...log10(8))) == inside)
    }

    @Test func logXChartWithSpreadBandsAndLoneDots() throws {
        var chart = LineChart(title: "throughput", xLabel: "batch size", yLabel: "samples/s")
        chart.logX = true
        chart.logY = true
        chart.series = [
            .init(name: "mean of seeds", xs: [1, 10, 100, 1000], runs: [[10, 100, 900, 1000], [12, 110, 1100, 1000]], color: "#000"),
            .init(name: "one point", points: [(50, 500)], color: "#f00"),
        ]
        let means: [Double] = [11, 105, 1000, 1000]
        #expect(chart.series[0].points.map(\.y) == means)
        #expect(chart.series[0].spread?.count == 4)
        let parsed = try #require(ElementCounter.parse(chart.svg()))
        #expect(parsed.counts["polygon"] == 1)  // the ± std band
        #expect(parsed.counts["polyline"] == 1 && parsed.counts["circle"] == 1)  // the lone point is a dot
        #expect(parsed.texts.contains("1000") && parsed.texts.contains("1"))
        // Seeds of different lengths: each x uses the seeds that reached it; one seed gives no band.
        let ragged = LineChart.Series(name: "r", xs: [1, 2, 3], runs: [[1, 2, 3], [3]], color: "#000")
        let raggedMeans: [Double] = [2, 2, 3]
        #expect(ragged.points.map(\.y) == raggedMeans)
        #expect(LineChart.Series(name: "s", xs: [1, 2], runs: [[1, 2]], color: "#000").spread == nil)
    }

    @Test func barChartHasOneBarPerValueAndMarksMissingOnes() throws {
        var chart = BarChart(title: "accuracy", valueLabel: "%", categories: ["relu", "sigmoid", "diverged"])
        chart.series = [.init(name: "validation", values: [95, 90, .nan], errors: [0.5, 1, 0], color: "#00f")]
        let svg = chart.svg()
        let parsed = try #require(ElementCounter.parse(svg))
        #expect(svg.components(separatedBy: "fill=\"#00f\"").count - 1 == 2)
        #expect(parsed.texts.contains("relu") && parsed.texts.contains("no value") && parsed.texts.contains("95"))
        #expect(parsed.counts["line", default: 0] >= 6)  // two whiskers of three lines, plus grid lines
    }

    @Test func resultsJSONWritesNaNAsNull() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-nan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        struct Numbers: Codable, Sendable {
            var diverged = MeanStd([Double.nan, 1])
            var list: [Double] = [1.0, .infinity]
            var float = Float.nan
        }
        var result = StudyResult(name: "n", title: "N", claim: "c", quick: false, measurement: Numbers())
        result.verdicts = [Verdict("s", supported: true, evidence: "e")]
        let (_, json) = try StudyReport.write([result], to: directory)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        let numbers = (object["n"] as! [String: Any])["numbers"] as! [String: Any]
        #expect((numbers["diverged"] as! [String: Any])["mean"] is NSNull)
        #expect((numbers["list"] as! [Any])[1] is NSNull && numbers["float"] is NSNull)
    }
}

/// The schedules verdict counts a decay as better only beyond the seed-to-seed spread it prints.
struct SchedulesVerdictTests {
    typealias Study = SchedulesLabStudy

    func measurement(constant: [Float], decays: [[Float]]) -> Study.Measurement {
        let outcome = { (label: String, accuracy: [Float]) in
            Study.Outcome(label: label, spec: label, testAccuracy: accuracy, seconds: 1, diverged: 0, trainingLossSeed0: [1, 0.5])
        }
        let outcomes = [outcome("constant", constant)] + decays.enumerated().map { outcome("decay\($0.offset)", $0.element) }
        return Study.Measurement(epochs: 2, seeds: constant.count, batchSize: 64, baseLearningRate: 0.05, steps: 100, outcomes: outcomes)
    }

    @Test func differencesWithinTheSpreadDoNotCount() {
        // Every decay is 0.2 points better on average, but seeds differ by about 1 point: not supported.
        let close = measurement(constant: [0.95, 0.96], decays: [[0.951, 0.963], [0.955, 0.959], [0.949, 0.965]])
        let verdict = Study().verdicts(close)[0]
        #expect(!verdict.supported, "\(verdict.evidence)")
        #expect(verdict.evidence.contains("seed-to-seed spread"))
        // Two of three decays beat the constant rate by far more than the spread: supported.
        let clear = measurement(constant: [0.90, 0.91], decays: [[0.95, 0.96], [0.96, 0.95], [0.90, 0.91]])
        #expect(Study().verdicts(clear)[0].supported)
        #expect(Study().render(clear).charts.count == 7)
    }

    @Test func resultsAreCodableValues() throws {
        let m = measurement(constant: [0.9, .nan], decays: [[0.95, 0.96]])
        let data = try FiniteJSON.encode(m)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"testAccuracy\"") && text.contains("null"))
    }
}
