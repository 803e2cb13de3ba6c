import Foundation

/// A self-contained SVG chart of horizontal bars: one row per category, one bar per series in each row, with
/// optional ± error whiskers (e.g. one standard deviation over seeds) and the value printed at the bar's end.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public var errors: [Double]?
        public var color: String
        public init(name: String, values: [Double], errors: [Double]? = nil, color: String) {
            self.name = name
            self.values = values
            self.errors = errors
            self.color = color
        }
    }

    public var title: String
    public var valueLabel: String
    public var categories: [String]
    public var series: [Series] = []
    /// The value axis; from the data (and 0) when nil.
    public var domain: ClosedRange<Double>?
    /// printf format of the value written after each bar.
    public var valueFormat = "%.3g"
    public var width: Double = 640

    public init(title: String, valueLabel: String, categories: [String]) {
        self.title = title
        self.valueLabel = valueLabel
        self.categories = categories
    }

    public func svg() -> String {
        let labelWidth = min(260, 12 + 6.6 * Double(categories.map(\.count).max() ?? 4))
        let barHeight = 14.0
        let rowGap = 8.0
        let legendHeight = series.count > 1 ? 18.0 : 0
        let rowHeight = Double(series.count) * barHeight + rowGap
        let margin = (left: labelWidth, right: 64.0, top: 40.0 + legendHeight, bottom: 44.0)
        let plotWidth = width - margin.left - margin.right
        let plotHeight = Double(categories.count) * rowHeight
        let height = margin.top + plotHeight + margin.bottom
        let finite = series.flatMap { s in
            s.values.indices.flatMap { i -> [Double] in
                let e = s.errors?[i] ?? 0
                return [s.values[i] - e, s.values[i] + e]
            }
        }.filter(\.isFinite)
        var range = domain ?? (min(0, finite.min() ?? 0)...max(finite.max() ?? 1, 0))
        if range.upperBound == range.lowerBound { range = range.lowerBound...(range.lowerBound + 1) }
        func px(_ v: Double) -> Double {
            margin.left + (min(max(v, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound) * plotWidth
        }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
            font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="\(escape(title))">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>

            """
        for t in LineChart.ticks(range) {
            out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(margin.top))\" x2=\"\(f(px(t)))\" y2=\"\(f(margin.top + plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(margin.top + plotHeight + 16))\" text-anchor=\"middle\">\(LineChart.label(t))</text>\n"
        }
        for (row, category) in categories.enumerated() {
            let top = margin.top + Double(row) * rowHeight + rowGap / 2
            out +=
                "<text x=\"\(f(margin.left - 6))\" y=\"\(f(top + Double(series.count) * barHeight / 2 + 4))\" text-anchor=\"end\">\(escape(category))</text>\n"
            for (k, s) in series.enumerated() where row < s.values.count {
                let v = s.values[row]
                let y = top + Double(k) * barHeight
                guard v.isFinite else {
                    out += "<text x=\"\(f(margin.left + 4))\" y=\"\(f(y + barHeight - 3))\" fill=\"#b3261e\">no value</text>\n"
                    continue
                }
                let x0 = px(max(0, range.lowerBound))
                let x1 = px(v)
                out +=
                    "<rect x=\"\(f(min(x0, x1)))\" y=\"\(f(y + 1))\" width=\"\(f(max(abs(x1 - x0), 1)))\" height=\"\(f(barHeight - 2))\" fill=\"\(s.color)\"/>\n"
                var end = max(x0, x1)
                if let e = s.errors?[row], e.isFinite, e > 0 {
                    let lo = px(v - e)
                    let hi = px(v + e)
                    let mid = y + barHeight / 2
                    out +=
                        "<line x1=\"\(f(lo))\" y1=\"\(f(mid))\" x2=\"\(f(hi))\" y2=\"\(f(mid))\" stroke=\"#222\"/>"
                        + "<line x1=\"\(f(lo))\" y1=\"\(f(mid - 4))\" x2=\"\(f(lo))\" y2=\"\(f(mid + 4))\" stroke=\"#222\"/>"
                        + "<line x1=\"\(f(hi))\" y1=\"\(f(mid - 4))\" x2=\"\(f(hi))\" y2=\"\(f(mid + 4))\" stroke=\"#222\"/>\n"
                    end = max(end, hi)
                }
                out += "<text x=\"\(f(end + 4))\" y=\"\(f(y + barHeight - 3))\" font-size=\"11\">\(String(format: valueFormat, v))</text>\n"
            }
        }
        out +=
            "<rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        if series.count > 1 {
            var x = margin.left
            for s in series {
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(34))\" width=\"12\" height=\"12\" fill=\"\(s.color)\"/>"
                    + "<text x=\"\(f(x + 16))\" y=\"\(f(44))\">\(escape(s.name))</text>\n"
                x += 28 + 6.6 * Double(s.name.count)
            }
        }
        out += "<text x=\"\(f(margin.left + plotWidth / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(escape(valueLabel))</text>\n"
        out += "</svg>\n"
        return out
    }
}
