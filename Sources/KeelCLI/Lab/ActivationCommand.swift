import ArgumentParser
import Foundation
import Keel
import KeelLab

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case csv, json, svg }

/// `keel activation NAME`: values and derivatives of one activation, as CSV, JSON or an SVG figure.
struct ActivationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activation",
        abstract: "Print x, f(x), f′(x) of an activation (CSV or JSON) or draw f and f′ (SVG).",
        discussion: "Names: \(Activation.all.map(\.name).joined(separator: ", ")). Negative values need '=': --from=-5 or --x=-1,0,1.")

    @Argument(help: "Activation name, e.g. relu, leaky_relu, gelu_tanh.") var name: String
    @Option(help: "Negative slope of leaky_relu (default 0.01).") var negativeSlope: Float?
    @Option(help: "α of elu and celu (default 1).") var alpha: Float?
    @Option(help: "β of softplus (default 1).") var beta: Float?
    @Option(help: "Threshold of softplus (default 20).") var threshold: Float?
    @Option(help: "Start of an evenly spaced range of x.") var from: Float?
    @Option(help: "End of the range.") var to: Float?
    @Option(help: "Number of points in the range (default 11).") var count: Int?
    @Option(help: "Explicit points, comma-separated (--x=-1,0,1).") var x: String?
    @Option(help: "Output format: csv, json or svg.") var format: OutputFormat = .csv
    @OptionGroup var kernels: KernelOptions

    func validate() throws {
        guard Activation(name: name) != nil else {
            throw ValidationError("unknown activation '\(name)'; known: \(Activation.all.map(\.name).joined(separator: ", "))")
        }
        if x != nil && (from != nil || to != nil || count != nil) {
            throw ValidationError("give either --x or --from/--to/--count, not both")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if let from, let to, !(from < to) && count != 1 { throw ValidationError("--from must be less than --to") }
        if let count, count > 10_000_000 { throw ValidationError("--count must be at most 10,000,000, got \(count)") }
        if let problem = activation?.problem { throw ValidationError(problem) }
        _ = try points()
    }

    var activation: Activation? {
        Activation(name: name, negativeSlope: negativeSlope, alpha: alpha, beta: beta, threshold: threshold)
    }

    func points() throws -> [Float] {
        if let x {
            let parts = x.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            var values: [Float] = []
            for part in parts {
                guard let v = Float(part), v.isFinite else { throw ValidationError("--x: '\(part)' is not a finite number") }
                values.append(v)
            }
            return values
        }
        let lower = from ?? -5
        let upper = to ?? 5
        let n = count ?? 11
        guard lower.isFinite && upper.isFinite else { throw ValidationError("--from and --to must be finite") }
        return (0..<n).map { n == 1 ? lower : lower + (upper - lower) * Float($0) / Float(n - 1) }
    }

    func run() throws { try reportingErrors(show) }

    func show() throws {
        try kernels.apply()
        let f = activation!
        let xs = try points()
        switch format {
        case .csv:
            let s = ActivationFigures.samples(f, at: xs)
            print("x,y,dy")
            for i in xs.indices { print("\(s.x[i]),\(s.y[i]),\(s.dy[i])") }
        case .json:
            let s = ActivationFigures.samples(f, at: xs)
            let object: [String: Any] = [
                "activation": f.name, "x": s.x.map(Double.init), "y": s.y.map(Double.init),
                "dy": s.dy.map(Double.init),
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        case .svg:
            let lower = x == nil ? (from ?? -5) : (xs.min() ?? -5)
            let upper = x == nil ? (to ?? 5) : (xs.max() ?? 5)
            print(ActivationFigures.figure(f, from: lower, to: upper > lower ? upper : lower + 1, count: max(count ?? 401, 2)), terminator: "")
        }
    }
}

/// `keel plot activations --out DIR`: the classic figures, one SVG per function and an overview page.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Draw figures.", subcommands: [PlotActivations.self, PlotSchedules.self])
}

struct PlotActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations", abstract: "One SVG per activation (f, f′, range) and an overview index.html.")

    @Option(help: "Output folder.") var out = "plots/activations"

    func run() throws {
        let files = try ActivationFigures.write(to: URL(fileURLWithPath: out))
        print("wrote \(files.count) files to \(out) (open \(out)/index.html)")
    }
}
