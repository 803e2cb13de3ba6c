import Foundation
import KeelTrain

/// `keel evaluate --report DIR`'s page: the confusion matrix as a heat map with counts, the per-class table, a
/// reliability diagram and, for images, the most confidently wrong test samples — one self-contained HTML file.
public struct EvaluationReportPage: Sendable {
    /// A misclassified test sample to show.
    public struct Mistake: Sendable {
        /// The sample's index in the test split.
        public var index: Int
        /// Its true and predicted classes and the predicted class's probability.
        public var truth: Int, predicted: Int, confidence: Double
        /// The image as PNG bytes.
        public var png: Data

        /// A mistake to show.
        public init(index: Int, truth: Int, predicted: Int, confidence: Double, png: Data) {
            (self.index, self.truth, self.predicted, self.confidence, self.png) = (index, truth, predicted, confidence, png)
        }
    }

    /// The scores.
    public var report: ClassificationReport
    /// What was evaluated ("cnn on mnist-5k, 1,000 test samples").
    public var title: String
    /// Class names (class indices when nil).
    public var classNames: [String]?
    /// The most confidently wrong samples, most confident first.
    public var mistakes: [Mistake]

    /// A page for `report`.
    public init(report: ClassificationReport, title: String, classNames: [String]?, mistakes: [Mistake]) {
        (self.report, self.title, self.classNames, self.mistakes) = (report, title, classNames, mistakes)
    }

    func name(_ c: Int) -> String { classNames.flatMap { $0.indices.contains(c) ? $0[c] : nil } ?? "\(c)" }

    /// The HTML document.
    public func html() -> String {
        let r = report
        var body = "<h1>\(escape(title))</h1>\n"
        body += String(
            format: "<p>accuracy %.2f %%, macro F1 %.4f, weighted F1 %.4f, expected calibration error %.4f (%d bins)", r.accuracy * 100,
            r.macroF1, r.weightedF1, r.expectedCalibrationError, ClassificationReport.calibrationBins)
        body += r.topKAccuracy.keys.sorted().map { String(format: ", top-%d accuracy %.2f %%", $0, r.topKAccuracy[$0]! * 100) }.joined() + "</p>\n"
        body += "<div class=\"grid\">\n<figure>\(confusionSVG())<figcaption>Rows: true class; columns: predicted class. "
        body += "Darker cells hold more of their row's samples.</figcaption></figure>\n"
        body += "<figure>\(reliabilitySVG())<figcaption>Reliability: accuracy against confidence per bin; a calibrated model "
        body += "follows the diagonal. The gap, weighted by the bins' samples, is the expected calibration error.</figcaption></figure>\n</div>\n"
        body += "<h2>Per class</h2>\n<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n"
        for (c, s) in r.perClass.enumerated() {
            body += String(
                format: "<tr><td>%@</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>\n", escape(name(c)), s.precision, s.recall, s.f1,
                s.support)
        }
        body += "</table>\n"
        if !mistakes.isEmpty {
            body += "<h2>The most confidently wrong test samples</h2>\n<div style=\"display:flex;flex-wrap:wrap;gap:12px\">\n"
            for m in mistakes {
                body +=
                    "<figure style=\"width:128px\"><img width=\"112\" src=\"data:image/png;base64,\(m.png.base64EncodedString())\" alt=\"test sample \(m.index)\">"
                body += String(
                    format: "<figcaption>#%d: %@ as %@ (p = %.3f)</figcaption></figure>\n", m.index, escape(name(m.truth)), escape(name(m.predicted)),
                    m.confidence)
            }
            body += "</div>\n"
        }
        return Report.page(title: title, body: body)
    }

    /// The confusion matrix: cells shaded by their share of the row, with their counts.
    func confusionSVG() -> String {
        let matrix = report.confusionMatrix
        let n = matrix.count
        let cell = max(18.0, min(44.0, 440.0 / Double(max(n, 1))))
        let (left, top) = (90.0, 60.0)
        let size = (width: left + cell * Double(n) + 20, height: top + cell * Double(n) + 20)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(size.width))\" height=\"\(f(size.height))\" font-family=\"Helvetica, Arial, sans-serif\" "
            + "font-size=\"\(f(min(12, cell * 0.4)))\" role=\"img\" aria-label=\"confusion matrix\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(f(size.width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">Confusion matrix</text>\n"
            + "<text x=\"\(f(left + cell * Double(n) / 2))\" y=\"36\" text-anchor=\"middle\">predicted</text>\n"
        for (t, row) in matrix.enumerated() {
            let total = Double(max(row.reduce(0, +), 1))
            out +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(top + cell * (Double(t) + 0.65)))\" text-anchor=\"end\">\(escape(String(name(t).prefix(12))))</text>\n"
            for (p, count) in row.enumerated() {
                let share = Double(count) / total
                let shade = Int(255 - 200 * share)
                let (x, y) = (left + cell * Double(p), top + cell * Double(t))
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#ddd\"/>"
                if count > 0 {
                    out +=
                        "<text x=\"\(f(x + cell / 2))\" y=\"\(f(y + cell * 0.62))\" text-anchor=\"middle\" fill=\"\(share > 0.5 ? "white" : "#222")\">\(count)</text>"
                }
                out += "\n"
            }
        }
        for p in 0..<n {
            out +=
                "<text x=\"\(f(left + cell * (Double(p) + 0.5)))\" y=\"\(f(top - 6))\" text-anchor=\"middle\">\(escape(String(name(p).prefix(6))))</text>\n"
        }
        return out + "</svg>"
    }

    /// Accuracy against mean confidence per bin, with the diagonal.
    func reliabilitySVG() -> String {
        var chart = LineChart(title: "Reliability diagram", xLabel: "confidence (top probability)", yLabel: "accuracy")
        let used = report.calibration.filter { $0.count > 0 }
        chart.series = [
            .init(name: "perfect calibration", points: [(0, 0), (1, 1)], color: "#999999", dashed: true),
            .init(name: "this model (bins with samples)", points: used.map { ($0.confidence, $0.accuracy) }, color: LineChart.palette[0]),
        ]
        (chart.xDomain, chart.yDomain) = (0...1, 0...1)
        return chart.svg()
    }
}
