import Foundation

/// A self-contained SVG line chart: axes with round-number ticks, grid, labels, legend, optional shaded
/// horizontal bands. No scripts, no external fonts.
public struct LineChart: Sendable {
    /// One line (with an optional ± band).
    public struct Series: Sendable {
        /// The legend entry.
        public var name: String
        /// The points, in order; a non-finite point breaks the line.
        public var points: [(x: Double, y: Double)]
        /// The line's CSS colour.
        public var color: String
        /// Whether the line is dashed.
        public var dashed: Bool
        /// The stroke width in pixels.
        public var width: Double
        /// Optional half-width of a shaded band around each point (e.g. one standard deviation over seeds).
        public var spread: [Double]?

        /// A series from points, with an optional ± `spread` per point.
        public init(
            name: String, points: [(x: Double, y: Double)], color: String, dashed: Bool = false, width: Double = 2,
            spread: [Double]? = nil
        ) {
            self.name = name
            self.points = points
            self.color = color
            self.dashed = dashed
            self.width = width
            self.spread = spread
        }

        /// A mean curve with a ± one-standard-deviation band from one curve per seed (equal lengths are not
        /// required: each x uses the seeds that reached it).
        public init(name: String, xs: [Double], runs: [[Double]], color: String, dashed: Bool = false) {
            let stats = xs.indices.map { i in MeanStd(runs.compactMap { i < $0.count ? $0[i] : nil }) }
            let used = xs.indices.filter { stats[$0].count > 0 }
            self.init(
                name: name, points: used.map { (xs[$0], stats[$0].mean) }, color: color, dashed: dashed,
                spread: runs.count > 1 ? used.map { stats[$0].std } : nil)
        }
    }

    /// A shaded horizontal band (e.g. an activation's output range) with a label.
    public struct Band: Sendable {
        /// The band's lower bound.
        public var lower: Double
        /// The band's upper bound.
        public var upper: Double
        /// The band's caption.
        public var label: String
        /// A band from `lower` to `upper`.
        public init(lower: Double, upper: Double, label: String) {
            self.lower = lower
            self.upper = upper
            self.label = label
        }
    }

    /// The chart's heading.
    public var title: String
    /// The x axis' label.
    public var xLabel: String
    /// The y axis' label.
    public var yLabel: String
    /// The lines, drawn in order.
    public var series: [Series] = []
    /// Shaded horizontal bands (e.g. an activation's output range).
    public var bands: [Band] = []
    /// The x axis' range; from the data when nil.
    public var xDomain: ClosedRange<Double>?
    /// The y axis' range; from the data (padded by 5 %) when nil.
    public var yDomain: ClosedRange<Double>?
    /// The SVG's width in pixels.
    public var width: Double = 640
    /// The SVG's height in pixels.
    public var height: Double = 400
    /// Logarithmic y axis (positive values only).
    public var logY = false
    /// Logarithmic x axis (positive values only).
    public var logX = false

    /// An empty chart with its title and axis labels.
    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The palette used for series by default (colour-blind safe, Okabe–Ito).
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let frame = frame()
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
            font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="\(escape(title))">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>

            """
        // Series are clipped to the plot area.
        let clip = "clip" + stableID(title, width, height)
        out += "<defs><clipPath id=\"\(clip)\">\(frame.rectangle)</clipPath></defs>\n"
        out += bandsSVG(frame) + gridSVG(frame) + spreadsSVG(frame, clip: clip) + linesSVG(frame, clip: clip) + legendSVG(frame)
        out += "<text x=\"\(f(frame.left + frame.plotWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out +=
            "<text transform=\"translate(16 \(f(frame.top + frame.plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        out += "</svg>\n"
        return out
    }

    /// The plot rectangle and the data ranges (in log10 units on a log axis), and the map from data to pixels.
    struct Frame {
        var left = 64.0, top = 40.0, plotWidth: Double, plotHeight: Double
        var xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
        var logX: Bool, logY: Bool

        func px(_ x: Double) -> Double {
            let v = logX ? log10(max(x, 1e-30)) : x
            return left + (v - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth
        }
        func py(_ y: Double) -> Double {
            let v = logY ? log10(max(y, 1e-30)) : y
            return top + (1 - (v - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)) * plotHeight
        }
        var rectangle: String { "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/>" }
    }

    /// Ranges from the domains given, else from the drawable points (a linear y axis padded by 5 %).
    func frame() -> Frame {
        let finite = series.flatMap(\.points).filter(isDrawable)
        let xs = finite.map { logX ? log10($0.x) : $0.x }
        let ys = finite.map { logY ? log10($0.y) : $0.y }
        func logged(_ domain: ClosedRange<Double>, _ log: Bool) -> ClosedRange<Double> {
            log ? log10(max(domain.lowerBound, 1e-30))...log10(max(domain.upperBound, 1e-30)) : domain
        }
        var xRange = xDomain.map { logged($0, logX) } ?? ((xs.min() ?? 0)...(xs.max() ?? 1))
        var yRange = yDomain.map { logged($0, logY) } ?? ((ys.min() ?? 0)...(ys.max() ?? 1))
        if xRange.lowerBound == xRange.upperBound { xRange = (xRange.lowerBound - 1)...(xRange.upperBound + 1) }
        if yRange.lowerBound == yRange.upperBound { yRange = (yRange.lowerBound - 1)...(yRange.upperBound + 1) }
        if yDomain == nil && !logY {
            let pad = (yRange.upperBound - yRange.lowerBound) * 0.05
            yRange = (yRange.lowerBound - pad)...(yRange.upperBound + pad)
        }
        return Frame(plotWidth: width - 64 - 16, plotHeight: height - 40 - 52, xRange: xRange, yRange: yRange, logX: logX, logY: logY)
    }

    /// Shaded horizontal bands with dashed bounds and a label.
    func bandsSVG(_ r: Frame) -> String {
        var out = ""
        for band in bands {
            let top = r.py(min(band.upper, logY ? pow(10, r.yRange.upperBound) : r.yRange.upperBound))
            let bottom = r.py(max(band.lower, logY ? pow(10, r.yRange.lowerBound) : r.yRange.lowerBound))
            out +=
                "<rect x=\"\(f(r.left))\" y=\"\(f(top))\" width=\"\(f(r.plotWidth))\" height=\"\(f(max(bottom - top, 0)))\" fill=\"#0072B2\" fill-opacity=\"0.08\"/>\n"
            for bound in [band.lower, band.upper] where bound.isFinite && (!logY || bound > 0) {
                let y = r.py(bound)
                if y >= r.top && y <= r.top + r.plotHeight {
                    out +=
                        "<line x1=\"\(f(r.left))\" y1=\"\(f(y))\" x2=\"\(f(r.left + r.plotWidth))\" y2=\"\(f(y))\" stroke=\"#0072B2\" stroke-opacity=\"0.6\" stroke-dasharray=\"2 3\"/>\n"
                }
            }
            out +=
                "<text x=\"\(f(r.left + r.plotWidth - 6))\" y=\"\(f(r.top + r.plotHeight - 8))\" text-anchor=\"end\" fill=\"#0072B2\">\(escape(band.label))</text>\n"
        }
        return out
    }

    /// Grid lines with tick labels, zero axes where they fall inside, and the plot's border.
    func gridSVG(_ r: Frame) -> String {
        var out = ""
        for t in logX ? LineChart.logTicks(r.xRange) : LineChart.ticks(r.xRange) {
            let x = r.left + (t - r.xRange.lowerBound) / (r.xRange.upperBound - r.xRange.lowerBound) * r.plotWidth
            out += "<line x1=\"\(f(x))\" y1=\"\(f(r.top))\" x2=\"\(f(x))\" y2=\"\(f(r.top + r.plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            out +=
                "<text x=\"\(f(x))\" y=\"\(f(r.top + r.plotHeight + 16))\" text-anchor=\"middle\">\(logX ? LineChart.label(pow(10, t)) : LineChart.label(t))</text>\n"
        }
        for t in logY ? LineChart.logTicks(r.yRange) : LineChart.ticks(r.yRange) {
            let y = r.top + (1 - (t - r.yRange.lowerBound) / (r.yRange.upperBound - r.yRange.lowerBound)) * r.plotHeight
            out += "<line x1=\"\(f(r.left))\" y1=\"\(f(y))\" x2=\"\(f(r.left + r.plotWidth))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            out +=
                "<text x=\"\(f(r.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(logY ? LineChart.label(pow(10, t)) : LineChart.label(t))</text>\n"
        }
        if !logX && r.xRange.contains(0) {
            out += "<line x1=\"\(f(r.px(0)))\" y1=\"\(f(r.top))\" x2=\"\(f(r.px(0)))\" y2=\"\(f(r.top + r.plotHeight))\" stroke=\"#999\"/>\n"
        }
        if !logY && r.yRange.contains(0) {
            out += "<line x1=\"\(f(r.left))\" y1=\"\(f(r.py(0)))\" x2=\"\(f(r.left + r.plotWidth))\" y2=\"\(f(r.py(0)))\" stroke=\"#999\"/>\n"
        }
        return out + r.rectangle.replacingOccurrences(of: "/>", with: " fill=\"none\" stroke=\"#333\"/>") + "\n"
    }

    /// Spread bands (mean ± std), drawn first, under every line.
    func spreadsSVG(_ r: Frame, clip: String) -> String {
        var out = ""
        for s in series {
            guard let spread = s.spread, spread.count == s.points.count else { continue }
            let kept = s.points.indices.filter { isDrawable(s.points[$0]) && spread[$0].isFinite }
            guard kept.count > 1 else { continue }
            let upper = kept.map { "\(f(r.px(s.points[$0].x))),\(f(r.py(s.points[$0].y + spread[$0])))" }
            let lower = kept.reversed().map {
                "\(f(r.px(s.points[$0].x))),\(f(r.py(logY ? max(s.points[$0].y - spread[$0], s.points[$0].y / 10) : s.points[$0].y - spread[$0])))"
            }
            out +=
                "<polygon clip-path=\"url(#\(clip))\" fill=\"\(s.color)\" fill-opacity=\"0.15\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
        }
        return out
    }

    /// Each series as polylines, broken at non-finite points; a lone point is still data and gets a dot.
    func linesSVG(_ r: Frame, clip: String) -> String {
        var out = ""
        for s in series {
            var segments: [[String]] = [[]]
            for p in s.points {
                if isDrawable(p) {
                    segments[segments.count - 1].append("\(f(r.px(p.x))),\(f(r.py(p.y)))")
                } else if !segments[segments.count - 1].isEmpty {
                    segments.append([])
                }
            }
            for segment in segments where !segment.isEmpty {
                if segment.count == 1 {
                    let xy = segment[0].split(separator: ",")
                    out += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(s.color)\"/>\n"
                    continue
                }
                out +=
                    "<polyline clip-path=\"url(#\(clip))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(f(s.width))\""
                    + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"\(segment.joined(separator: " "))\"/>\n"
            }
        }
        return out
    }

    /// The legend, in the plot corner that hides the fewest data points, on a light background.
    func legendSVG(_ r: Frame) -> String {
        guard !series.isEmpty else { return "" }
        let boxWidth = 40 + 6.6 * Double(series.map(\.name.count).max() ?? 0)
        let boxHeight = 16 * Double(series.count) + 6
        let drawn = series.flatMap { $0.points.filter(isDrawable).map { (r.px($0.x), r.py($0.y)) } }
        let (right, bottom) = (r.left + r.plotWidth - boxWidth - 4, r.top + r.plotHeight - boxHeight - 4)
        let corners = [(r.left + 4, r.top + 4), (right, r.top + 4), (right, bottom), (r.left + 4, bottom)]
        let hidden = corners.map { c in drawn.filter { $0.0 >= c.0 && $0.0 <= c.0 + boxWidth && $0.1 >= c.1 && $0.1 <= c.1 + boxHeight }.count }
        let corner = corners[hidden.indices.min { hidden[$0] < hidden[$1] }!]
        var out =
            "<rect x=\"\(f(corner.0))\" y=\"\(f(corner.1))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
        for (i, s) in series.enumerated() {
            let (x, y) = (corner.0 + 6, corner.1 + 11 + Double(i) * 16)
            out +=
                "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 22))\" y2=\"\(f(y))\" stroke=\"\(s.color)\" stroke-width=\"\(f(s.width))\""
                + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n"
            out += "<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(escape(s.name))</text>\n"
        }
        return out
    }

    func isDrawable(_ p: (x: Double, y: Double)) -> Bool {
        p.x.isFinite && p.y.isFinite && (!logY || p.y > 0) && (!logX || p.x > 0)
    }

    /// Round-number ticks (steps of 1, 2 or 5 × 10ᵏ), about six of them.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 6
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        var t = ceil(range.lowerBound / step) * step
        var result: [Double] = []
        while t <= range.upperBound + step * 1e-9 {
            result.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return result
    }

    /// Ticks for a log axis, as exponents: 1, 2, 5 × 10ᵏ over up to about three decades, whole decades beyond
    /// (falls back to linear ticks inside one decade).
    static func logTicks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        if span < 1 {
            let lower = pow(10, range.lowerBound)
            let upper = pow(10, range.upperBound)
            return ticks(lower...upper).filter { $0 > 0 }.map(log10)
        }
        let multiples: [Double] = span <= 3 ? [1, 2, 5] : [1]
        var result: [Double] = []
        for decade in Int(floor(range.lowerBound))...Int(ceil(range.upperBound)) {
            for m in multiples {
                let t = Double(decade) + log10(m)
                if t >= range.lowerBound - 1e-9 && t <= range.upperBound + 1e-9 { result.append(t) }
            }
        }
        return result
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.0e", v) }
        let text = String(format: "%.4g", v)
        return text.replacingOccurrences(of: "-", with: "−")
    }
}

/// Escapes text for XML/HTML.
public func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// An element id from a chart's title and size that is the same in every run (String.hashValue is seeded per
/// process): FNV-1a, 64 bits, in hex. Charts with the same id have the same plot rectangle.
func stableID(_ title: String, _ width: Double, _ height: Double) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(title)|\(width)|\(height)".utf8 {
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
}

/// A coordinate with two decimals.
func f(_ v: Double) -> String { String(format: "%.2f", v) }
