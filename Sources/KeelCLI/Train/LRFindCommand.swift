import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelLab
import KeelTrain

/// `keel lr-find [train flags]`: the learning-rate range test on the run those flags describe.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "The learning-rate range test (Smith 2017, fastai's lr_find): loss against an exponentially growing rate.",
        discussion: """
            Builds the model, data and optimizer as `keel train` would with the same flags, trains up to --iterations \
            updates while the rate grows from --start to --end, stops when the smoothed loss exceeds 4 × its minimum, \
            and restores the model. Suggests a rate by two named rules — steepest: where the smoothed loss falls \
            fastest; minimum_over_10: the minimum's rate / 10 — and writes lr_find.csv and lr_find.svg into --out.
            """)

    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Optimizer") var optimizer: OptimizerOptions
    @OptionGroup(title: "Training loop") var loop: LoopOptions
    @Option(help: "The first learning rate.") var start: Float = 1e-7
    @Option(help: "The last learning rate.") var end: Float = 10
    @Option(help: "Updates at most (one per rate).") var iterations = 100
    @Option(help: "Folder for lr_find.csv and lr_find.svg.") var out = "lr-find"
    @Flag(help: "Print one JSON object: suggestions and the curve.") var json = false
    @OptionGroup var kernels: KernelOptions

    func validate() throws {
        if let problem = LearningRateFinder(start: start, end: end, iterations: iterations).problem { throw ValidationError(problem) }
        if out.isEmpty { throw ValidationError("--out must name a folder, got ''") }
    }

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            var c = RunConfiguration()
            for apply in [data.apply, model.apply, optimizer.apply, loop.apply] as [(inout RunConfiguration) throws -> Void] { try apply(&c) }
            do { try c.validate() } catch let error as RunConfigurationError {
                throw CLIError("\(flagForKey[error.key] ?? error.key): \(error.problem)")
            }
            if let threads = c.threads { Parallel.threadCount = threads }
            let result = try LearningRateFinder(start: start, end: end, iterations: iterations).run(c)
            try write(result)
            if json {
                let object: [String: Any] = [
                    "suggestions": [
                        "steepest": result.steepest.map(Double.init) as Any, "minimum_over_10": result.minimumOver10.map(Double.init) as Any,
                    ],
                    "curve": result.points.map { [Double($0.learningRate), $0.smoothedLoss] }, "diverged": result.diverged,
                ]
                print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                report(result)
            }
        }
    }

    func report(_ r: LearningRateFinder.Result) {
        let span = r.points.last.map { String(format: "%.3g", $0.learningRate) } ?? "-"
        print("range test: \(r.points.count) updates from \(start) to \(span)" + (r.diverged ? " (stopped: the loss diverged)" : ""))
        if let s = r.steepest { print(String(format: "steepest: %.3g  (where the smoothed loss falls fastest against log lr)", s)) }
        if let m = r.minimumOver10 { print(String(format: "minimum_over_10: %.3g  (the smoothed loss's minimum / 10)", m)) }
        if let s = r.steepest ?? r.minimumOver10 {
            print(String(format: "try: keel train --lr %.3g   or   --schedule one_cycle:max_lr=%.3g", s, s))
        }
        print("wrote \(out)/lr_find.csv and \(out)/lr_find.svg")
    }

    /// lr_find.csv (learning_rate,loss,smoothed_loss) and the chart.
    func write(_ r: LearningRateFinder.Result) throws {
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv =
            "learning_rate,loss,smoothed_loss\n" + r.points.map { "\($0.learningRate),\($0.loss),\($0.smoothedLoss)" }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(csv.utf8), to: folder.appendingPathComponent("lr_find.csv"))
        try AtomicFile.write(Data(LearningRateFigures.rangeTest([("range test", r)]).utf8), to: folder.appendingPathComponent("lr_find.svg"))
    }
}
