import Foundation

/// A self-contained SVG chart of horizontal bars: one row per category, one bar per series in each row, with
/// optional ± error whiskers (e.g. one standard deviation over seeds) and the value printed at the bar's end.
public struct BarChart: Sendable {
    /// One bar per category.
    public struct Series: Sendable {
        /// The legend entry.
        public var name: String
        /// One value per category (NaN: drawn as "no value").
        public var values: [Double]
        /// ± whisker lengths, one per category.
        public var errors: [Double]?
        /// The bars' CSS colour.
        public var color: String
        /// A series of bars.
        public init(name: String, values: [Double], errors: [Double]? = nil, color: String) {
            self.name = name
            self.values = values
            self.errors = errors
            self.color = color
        }
    }

    /// The chart's heading.
    public var title: String
    /// The value axis' label.
    public var valueLabel: String
    /// One row per category, top to bottom.
    public var categories: [String]
    /// The bars of each row, in order.
    public var series: [Series] = []
    /// The value axis; from the data (and 0) when nil.
    public var domain: ClosedRange<Double>?
    /// printf format of the value written after each bar.
    public var valueFormat = "%.3g"
    /// The SVG's width in pixels (the height follows from the rows).
    public var width: Double = 640

    /// An empty chart with its title, value label and categories.
    public init(title: String, valueLabel: String, categories: [String]) {
        self.title = title
        self.valueLabel = valueLabel
        self.categories = categories
    }

    /// The row layout and the value axis.
    struct Layout {
        var left: Double, top: Double, plotWidth: Double, plotHeight: Double, height: Double
        var range: ClosedRange<Double>
        let barHeight = 14.0, rowGap = 8.0
        var rowHeight: Double

        func px(_ v: Double) -> Double {
            left + (min(max(v, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound) * plotWidth
        }
    }

    func layout() -> Layout {
        let labelWidth = min(260, 12 + 6.6 * Double(categories.map(\.count).max() ?? 4))
        let top = 40.0 + (series.count > 1 ? 18.0 : 0)
        let rowHeight = Double(series.count) * 14 + 8
        let plotHeight = Double(categories.count) * rowHeight
        let finite = series.flatMap { s in
            s.values.indices.flatMap { i -> [Double] in
                let e = s.errors?[i] ?? 0
                return [s.values[i] - e, s.values[i] + e]
            }
        }.filter(\.isFinite)
        var range = domain ?? (min(0, finite.min() ?? 0)...max(finite.max() ?? 1, 0))
        if range.upperBound == range.lowerBound { range = range.lowerBound...(range.lowerBound + 1) }
        return Layout(
            left: labelWidth, top: top, plotWidth: width - labelWidth - 64, plotHeight: plotHeight, height: top + plotHeight + 44,
            range: range, rowHeight: rowHeight)
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let l = layout()
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(l.height))" viewBox="0 0 \(f(width)) \(f(l.height))" \
            font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="\(escape(title))">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>

            """
        for t in LineChart.ticks(l.range) {
            out += "<line x1=\"\(f(l.px(t)))\" y1=\"\(f(l.top))\" x2=\"\(f(l.px(t)))\" y2=\"\(f(l.top + l.plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(f(l.px(t)))\" y=\"\(f(l.top + l.plotHeight + 16))\" text-anchor=\"middle\">\(LineChart.label(t))</text>\n"
        }
        for (row, category) in categories.enumerated() { out += rowSVG(row, category, l) }
        out +=
            "<rect x=\"\(f(l.left))\" y=\"\(f(l.top))\" width=\"\(f(l.plotWidth))\" height=\"\(f(l.plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        if series.count > 1 {
            var x = l.left
            for s in series {
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(34))\" width=\"12\" height=\"12\" fill=\"\(s.color)\"/>"
                    + "<text x=\"\(f(x + 16))\" y=\"\(f(44))\">\(escape(s.name))</text>\n"
                x += 28 + 6.6 * Double(s.name.count)
            }
        }
        out += "<text x=\"\(f(l.left + l.plotWidth / 2))\" y=\"\(f(l.height - 10))\" text-anchor=\"middle\">\(escape(valueLabel))</text>\n"
        return out + "</svg>\n"
    }

    /// One category: its label and one bar per series, with the error whisker and the value at the end.
    func rowSVG(_ row: Int, _ category: String, _ l: Layout) -> String {
        let top = l.top + Double(row) * l.rowHeight + l.rowGap / 2
        var out =
            "<text x=\"\(f(l.left - 6))\" y=\"\(f(top + Double(series.count) * l.barHeight / 2 + 4))\" text-anchor=\"end\">\(escape(category))</text>\n"
        for (k, s) in series.enumerated() where row < s.values.count {
            let v = s.values[row]
            let y = top + Double(k) * l.barHeight
            guard v.isFinite else {
                out += "<text x=\"\(f(l.left + 4))\" y=\"\(f(y + l.barHeight - 3))\" fill=\"#b3261e\">no value</text>\n"
                continue
            }
            let (x0, x1) = (l.px(max(0, l.range.lowerBound)), l.px(v))
            out +=
                "<rect x=\"\(f(min(x0, x1)))\" y=\"\(f(y + 1))\" width=\"\(f(max(abs(x1 - x0), 1)))\" height=\"\(f(l.barHeight - 2))\" fill=\"\(s.color)\"/>\n"
            var end = max(x0, x1)
            if let e = s.errors?[row], e.isFinite, e > 0 {
                let (lo, hi, mid) = (l.px(v - e), l.px(v + e), y + l.barHeight / 2)
                out +=
                    "<line x1=\"\(f(lo))\" y1=\"\(f(mid))\" x2=\"\(f(hi))\" y2=\"\(f(mid))\" stroke=\"#222\"/>"
                    + "<line x1=\"\(f(lo))\" y1=\"\(f(mid - 4))\" x2=\"\(f(lo))\" y2=\"\(f(mid + 4))\" stroke=\"#222\"/>"
                    + "<line x1=\"\(f(hi))\" y1=\"\(f(mid - 4))\" x2=\"\(f(hi))\" y2=\"\(f(mid + 4))\" stroke=\"#222\"/>\n"
                end = max(end, hi)
            }
            out += "<text x=\"\(f(end + 4))\" y=\"\(f(y + l.barHeight - 3))\" font-size=\"11\">\(String(format: valueFormat, v))</text>\n"
        }
        return out
    }
}
