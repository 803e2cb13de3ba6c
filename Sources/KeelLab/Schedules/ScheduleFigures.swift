import Foundation
import Keel

/// The classic learning-rate figures: the decays compared on shared charts, and one chart per schedule.
public enum ScheduleFigures {
    /// A chart of several schedules over global steps 0..<steps.
    public static func chart(_ title: String, _ schedules: [(String, Schedule)], steps: Int, logY: Bool = false) -> String {
        var chart = LineChart(title: title, xLabel: "global step", yLabel: "learning rate")
        chart.logY = logY
        chart.series = schedules.enumerated().map { i, entry in
            LineChart.Series(
                name: entry.0, points: (0..<steps).map { (Double($0), Double(entry.1.learningRate(at: $0))) },
                color: LineChart.palette[i % LineChart.palette.count], dashed: i > 0 && i % 2 == 0)
        }
        chart.xDomain = 0...Double(max(steps - 1, 1))
        return chart.svg()
    }

    /// Every named schedule with the parameters of the reference figures (base rate 0.1, 120 steps). Built on each
    /// use (a stored global of indirect enums is reported as leaked by LeakSanitizer, whose scan cannot follow
    /// Swift's tagged enum payload pointers).
    public static var catalog: [(String, Schedule)] {
        [
            ("piecewise_constant", .piecewiseConstant(boundaries: [30, 60], values: [0.1, 0.01, 0.001])),
            ("exponential_decay", .exponentialDecay(learningRate: 0.1, decaySteps: 20, decayRate: 0.5, staircase: false)),
            ("exponential_decay (staircase)", .exponentialDecay(learningRate: 0.1, decaySteps: 20, decayRate: 0.5, staircase: true)),
            ("natural_exp_decay", .naturalExpDecay(learningRate: 0.1, decaySteps: 20, decayRate: 0.5, staircase: false)),
            ("inverse_time_decay", .inverseTimeDecay(learningRate: 0.1, decaySteps: 20, decayRate: 0.5, staircase: false)),
            ("polynomial_decay", .polynomialDecay(learningRate: 0.1, decaySteps: 20, endLearningRate: 0.001, power: 1, cycle: false)),
            ("polynomial_decay (cycle)", .polynomialDecay(learningRate: 0.1, decaySteps: 20, endLearningRate: 0.001, power: 1, cycle: true)),
            ("cosine_decay", .cosineDecay(learningRate: 0.1, decaySteps: 60, alpha: 0)),
            ("cosine_decay_restarts", .cosineDecayRestarts(learningRate: 0.1, firstDecaySteps: 20, tMul: 2, mMul: 1, alpha: 0)),
            ("linear_cosine_decay", .linearCosineDecay(learningRate: 0.1, decaySteps: 60, numPeriods: 0.5, alpha: 0, beta: 0.001)),
            (
                "noisy_linear_cosine_decay (initial_variance 0.05)",
                .noisyLinearCosineDecay(
                    learningRate: 0.1, decaySteps: 60, initialVariance: 0.05,
                    varianceDecay: 0.55, numPeriods: 0.5, alpha: 0, beta: 0.001, seed: 0)
            ),
            ("step", .step(base: 0.1, stepSize: 10, gamma: 0.5)),
            ("multistep", .multiStep(base: 0.1, milestones: [15, 40], gamma: 0.1)),
            ("exponential", .exponential(base: 0.1, gamma: 0.95)),
            ("cosine_annealing", .cosineAnnealing(base: 0.1, tMax: 25, etaMin: 0.001)),
            ("cosine_annealing_warm_restarts", .cosineAnnealingWarmRestarts(base: 0.1, t0: 10, tMult: 2, etaMin: 0.001)),
            ("cyclic (triangular2)", .cyclic(baseLR: 0.01, maxLR: 0.1, stepSizeUp: 8, stepSizeDown: nil, mode: .triangular2, gamma: 1)),
            (
                "one_cycle",
                .oneCycle(
                    maxLR: 0.1, totalSteps: 120, pctStart: 0.3, anneal: .cos, divFactor: 25, finalDivFactor: 1e4,
                    threePhase: false)
            ),
            ("polynomial", .polynomial(base: 0.1, totalIters: 40, power: 2)),
            ("linear", .linear(base: 0.1, startFactor: 0.1, endFactor: 1, totalIters: 10)),
            ("warm-up then cosine", .warmup(steps: 10, startFactor: 0.01, then: .cosineAnnealing(base: 0.1, tMax: 110, etaMin: 0))),
        ]
    }

    /// Writes the comparison charts, one chart per schedule and `index.html`.
    public static func write(to directory: URL, steps: Int = 120) throws -> [URL] {
        try AtomicFile.createDirectory(directory)
        let lookup = Dictionary(uniqueKeysWithValues: catalog)
        var figures: [(String, String)] = [
            (
                "decays",
                chart(
                    "Piecewise constant vs exponential vs natural exponential decay",
                    [
                        ("piecewise_constant", lookup["piecewise_constant"]!), ("exponential_decay", lookup["exponential_decay"]!),
                        ("natural_exp_decay", lookup["natural_exp_decay"]!),
                        ("exponential_decay (staircase)", lookup["exponential_decay (staircase)"]!),
                    ], steps: steps)
            ),
            (
                "polynomial_decays",
                chart(
                    "Polynomial decay with and without cycle",
                    [("cycle = false", lookup["polynomial_decay"]!), ("cycle = true", lookup["polynomial_decay (cycle)"]!)],
                    steps: steps)
            ),
            (
                "cosine",
                chart(
                    "Cosine, linear cosine and noisy linear cosine decay",
                    [
                        ("cosine_decay", lookup["cosine_decay"]!), ("linear_cosine_decay", lookup["linear_cosine_decay"]!),
                        ("noisy_linear_cosine_decay", lookup["noisy_linear_cosine_decay (initial_variance 0.05)"]!),
                    ], steps: steps)
            ),
        ]
        for (name, schedule) in catalog { figures.append((name, chart(name, [(name, schedule)], steps: steps))) }
        var written: [URL] = []
        var sections = ""
        for (name, svg) in figures {
            let file = name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "(", with: "")
                .replacingOccurrences(of: ")", with: "")
            let url = directory.appendingPathComponent("\(file).svg")
            try AtomicFile.write(Data(svg.utf8), to: url)
            written.append(url)
            sections += "<section><h2>\(escape(name))</h2>\n\(svg)</section>\n"
        }
        let html = Report.page(
            title: "Keel — learning-rate schedules",
            body: """
                <h1>Learning-rate schedules</h1>
                <p>Learning rate against the global step (one step = one parameter update). TensorFlow decays use base
                rate 0.1 and the parameters of the reference figures; PyTorch-style schedules are stepped once per
                iteration. Values match TensorFlow 2.21 and PyTorch 2.15 to 1e-6 relative.</p>
                <div class="grid">\(sections)</div>
                """)
        let index = directory.appendingPathComponent("index.html")
        try AtomicFile.write(Data(html.utf8), to: index)
        return written + [index]
    }
}
