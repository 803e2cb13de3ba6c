import Foundation
import Keel

/// The classic activation figures: f and f′ of each function with its output range marked, and an
/// overview page with every figure and the property table.
public enum ActivationFigures {
    /// (x, f(x), f′(x)) at `count` evenly spaced points of [from, to].
    public static func samples(_ activation: Activation, from: Float, to: Float, count: Int) -> (x: [Float], y: [Float], dy: [Float]) {
        let xs = (0..<count).map { count == 1 ? from : from + (to - from) * Float($0) / Float(count - 1) }
        return samples(activation, at: xs)
    }

    /// (x, f(x), f′(x)) at the given points.
    public static func samples(_ activation: Activation, at xs: [Float]) -> (x: [Float], y: [Float], dy: [Float]) {
        let x = Tensor(xs)
        return (xs, activation.apply(to: x).scalars, activation.derivative(at: x).scalars)
    }

    /// One SVG with f and f′ over [from, to] and the output range shaded.
    public static func figure(_ activation: Activation, from: Float = -5, to: Float = 5, count: Int = 401) -> String {
        let s = samples(activation, from: from, to: to, count: count)
        let props = activation.properties
        var chart = LineChart(title: "\(activation.name): \(props.formula)", xLabel: "x", yLabel: "f(x), f′(x)")
        chart.series = [
            .init(name: "f(x)", points: zip(s.x, s.y).map { (Double($0), Double($1)) }, color: LineChart.palette[0], width: 2.5),
            .init(name: "f′(x)", points: zip(s.x, s.dy).map { (Double($0), Double($1)) }, color: LineChart.palette[1], dashed: true),
        ]
        let visible = (s.y + s.dy).map(Double.init).filter(\.isFinite)
        let low = min(visible.min() ?? -1, props.range.lower.isFinite ? props.range.lower : 0)
        let high = max(visible.max() ?? 1, props.range.upper.isFinite ? props.range.upper : 0)
        let pad = (high - low) * 0.08
        chart.yDomain = (low - pad)...(high + pad)
        chart.xDomain = Double(from)...Double(to)
        chart.bands = [.init(lower: props.range.lower, upper: props.range.upper, label: "range \(props.range)")]
        return chart.svg()
    }

    /// The property table as HTML rows.
    public static func propertyTable(_ activations: [Activation]) -> String {
        func yes(_ b: Bool) -> String { b ? "yes" : "no" }
        var html =
            "<table><thead><tr><th>name</th><th>formula</th><th>range</th><th>monotonic</th><th>differentiable</th>"
            + "<th>zero-centred</th><th>saturating</th><th>f′(0)</th><th>f(x)≈x near 0</th><th>use</th></tr></thead><tbody>\n"
        for a in activations {
            let p = a.properties
            html +=
                "<tr><td><a href=\"#\(p.name)\">\(escape(p.name))</a></td><td>\(escape(p.formula))</td><td>\(escape(p.range.description))</td>"
                + "<td>\(yes(p.monotonic))</td><td>\(yes(p.differentiableEverywhere))</td><td>\(yes(p.zeroCentred))</td>"
                + "<td>\(yes(p.saturating))</td><td>\(String(format: "%.4g", p.derivativeAtZero))</td>"
                + "<td>\(yes(p.approximatesIdentityNearZero))</td><td>\(escape(p.usage))</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// Writes `NAME.svg` for each activation and `index.html` (every figure inline, and the table).
    /// Leaky ReLU is drawn with slope 0.5, as in the classic figure.
    public static func write(to directory: URL, activations: [Activation] = figureSet) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [URL] = []
        var sections = ""
        for a in activations {
            let svg = figure(a)
            let url = directory.appendingPathComponent("\(a.name).svg")
            try AtomicFile.write(Data(svg.utf8), to: url)
            written.append(url)
            sections += "<section id=\"\(a.name)\"><h2>\(escape(a.name))</h2>\n\(svg)</section>\n"
        }
        let html = Report.page(
            title: "Keel — activation functions",
            body: """
                <h1>Activation functions</h1>
                <p>Each figure shows f (solid) and its derivative f′ (dashed) on [−5, 5]; the shaded band is the output range.
                Values and derivatives come from Keel's kernels, which match PyTorch's to 1e-6 + 1e-5·|f|.</p>
                \(propertyTable(activations))
                <div class="grid">\(sections)</div>
                """)
        let index = directory.appendingPathComponent("index.html")
        try AtomicFile.write(Data(html.utf8), to: index)
        return written + [index]
    }

    /// The functions of the figures: all, with leaky ReLU at slope 0.5 (the classic figure's choice).
    public static var figureSet: [Activation] {
        Activation.all.map { if case .leakyReLU = $0 { return .leakyReLU(negativeSlope: 0.5) } else { return $0 } }
    }
}
