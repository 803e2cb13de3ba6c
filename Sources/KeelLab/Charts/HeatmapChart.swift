import Foundation

/// A self-contained SVG heat map of a function sampled on a grid (log-scaled colours), with contour lines at
/// log-spaced levels and optional paths drawn on top — used for loss surfaces and gradient-descent trajectories.
public struct HeatmapChart: Sendable {
    /// The chart's heading.
    public var title: String
    public var xLabel: String, yLabel: String
    public var xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    /// values[row][column]; row 0 is the bottom (smallest y).
    public var values: [[Double]]
    /// Polylines drawn over the map in data coordinates (e.g. gradient-descent trajectories), with a legend.
    public var paths: [(name: String, points: [(Double, Double)], color: String)] = []
    /// Number of contour lines (levels evenly spaced in log10 between the smallest and largest value); 0 for none.
    public var contourCount = 10
    public var width: Double = 480, height: Double = 400

    /// A map of `values` (rows from yRange's lower end, columns over xRange) with axis labels.
    public init(
        title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
        values: [[Double]]
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.values = values
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let margin = (left: 60.0, right: 16.0, top: 36.0, bottom: 48.0)
        let plotW = width - margin.left - margin.right
        let plotH = height - margin.top - margin.bottom
        let rows = values.count
        let columns = values.first?.count ?? 0
        let logs = values.flatMap { $0 }.map { log10(max($0, 1e-12)) }
        let low = logs.min() ?? 0
        let high = logs.max() ?? 1
        func px(_ x: Double) -> Double { margin.left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotW }
        func py(_ y: Double) -> Double { margin.top + (1 - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)) * plotH }
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"\(escape(title))\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>\n"
        // Each sample colours the cell centred on it (the edge cells are half outside the plot and clipped).
        let clip = "hm" + stableID(title, width, height)
        out +=
            "<clipPath id=\"\(clip)\"><rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\"/></clipPath>\n"
        out += "<g clip-path=\"url(#\(clip))\">\n"
        out += cellsSVG(left: margin.left, top: margin.top, plotWidth: plotW, plotHeight: plotH, low: low, high: high)
        // Contours: values[r][c] is the function at column c, row r of an evenly spaced grid spanning the ranges.
        if contourCount > 0 && rows > 1 && columns > 1 && high > low {
            for k in 0..<contourCount {
                let level = pow(10, low + (high - low) * (Double(k) + 0.5) / Double(contourCount))
                let segments = HeatmapChart.contour(values, level: level, xRange: xRange, yRange: yRange)
                guard !segments.isEmpty else { continue }
                out +=
                    "<path fill=\"none\" stroke=\"white\" stroke-opacity=\"0.75\" stroke-width=\"0.8\" d=\""
                    + segments.map { "M\(f(px($0.0.0))) \(f(py($0.0.1)))L\(f(px($0.1.0))) \(f(py($0.1.1)))" }.joined() + "\"/>\n"
            }
        }
        out += "</g>\n"
        for (i, path) in paths.enumerated() {
            let points = path.points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            out += "<polyline clip-path=\"url(#\(clip))\" fill=\"none\" stroke=\"\(path.color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            out +=
                "<text x=\"\(f(margin.left + 8))\" y=\"\(f(margin.top + 16 + Double(i) * 14))\" fill=\"\(path.color)\" font-weight=\"bold\">\(escape(path.name))</text>\n"
        }
        for t in LineChart.ticks(xRange) {
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(margin.top + plotH + 16))\" text-anchor=\"middle\">\(LineChart.label(t))</text>\n"
        }
        for t in LineChart.ticks(yRange) {
            out += "<text x=\"\(f(margin.left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(LineChart.label(t))</text>\n"
        }
        out += "<rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(f(margin.left + plotW / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(f(margin.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        return out + "</svg>\n"
    }

    /// One rectangle per sample, coloured from dark blue (low) to pale yellow (high) on a log scale; each sample
    /// colours the cell centred on it.
    func cellsSVG(left: Double, top: Double, plotWidth: Double, plotHeight: Double, low: Double, high: Double) -> String {
        let (rows, columns) = (values.count, values.first?.count ?? 0)
        let cellW = plotWidth / Double(max(columns - 1, 1))
        let cellH = plotHeight / Double(max(rows - 1, 1))
        var out = ""
        for r in 0..<rows {
            for c in 0..<columns {
                let t = high > low ? (log10(max(values[r][c], 1e-12)) - low) / (high - low) : 0
                let (red, green, blue) = (Int(20 + 230 * t), Int(40 + 200 * t), Int(120 + 60 * (1 - t)))
                out +=
                    "<rect x=\"\(f(left + (Double(c) - 0.5) * cellW))\" y=\"\(f(top + plotHeight - (Double(r) + 0.5) * cellH))\" "
                    + "width=\"\(f(cellW + 0.5))\" height=\"\(f(cellH + 0.5))\" fill=\"rgb(\(red),\(green),\(blue))\"/>\n"
            }
        }
        return out
    }

    /// The iso-line `value = level` of a function sampled on an evenly spaced grid (values[row][column], row 0 at
    /// yRange's lower end), by marching squares with linear interpolation along cell edges: segments in data coordinates.
    static func contour(_ values: [[Double]], level: Double, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>)
        -> [((Double, Double), (Double, Double))]
    {
        let rows = values.count
        let columns = values.first?.count ?? 0
        guard rows > 1, columns > 1 else { return [] }
        func x(_ c: Double) -> Double { xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * c / Double(columns - 1) }
        func y(_ r: Double) -> Double { yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * r / Double(rows - 1) }
        var segments: [((Double, Double), (Double, Double))] = []
        for r in 0..<(rows - 1) {
            for c in 0..<(columns - 1) {
                // Corners counter-clockwise from bottom-left, and the edges between them.
                let corners = [(c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)]
                var crossings: [(Double, Double)] = []
                for e in 0..<4 {
                    let (c0, r0) = corners[e]
                    let (c1, r1) = corners[(e + 1) % 4]
                    let v0 = values[r0][c0] - level
                    let v1 = values[r1][c1] - level
                    guard (v0 < 0) != (v1 < 0) else { continue }
                    let t = v0 / (v0 - v1)
                    crossings.append((x(Double(c0) + t * Double(c1 - c0)), y(Double(r0) + t * Double(r1 - r0))))
                }
                // Two crossings: one segment; four (a saddle): pair neighbouring edges.
                for i in stride(from: 0, to: crossings.count - 1, by: 2) { segments.append((crossings[i], crossings[i + 1])) }
            }
        }
        return segments
    }
}
