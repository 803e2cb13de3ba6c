import ArgumentParser
import Foundation
import Keel
import KeelLab

/// Every schedule parameter as a flag (TensorFlow's names, PyTorch's for the PyTorch-style schedules).
struct ScheduleOptions: ParsableArguments {
    @Option(help: "learning_rate: the base rate (default 0.1).") var learningRate: String?
    @Option(help: "decay_steps (TensorFlow decays).") var decaySteps: String?
    @Option(help: "decay_rate (exponential, natural_exp, inverse_time).") var decayRate: String?
    @Flag(help: "staircase: floor(step / decay_steps).") var staircase = false
    @Option(help: "end_learning_rate (polynomial_decay; default 0.0001).") var endLearningRate: String?
    @Option(help: "power (polynomial_decay, polynomial; default 1).") var power: String?
    @Flag(help: "cycle (polynomial_decay).") var cycle = false
    @Option(help: "alpha (cosine decays; default 0).") var alpha: String?
    @Option(help: "beta (linear cosine decays; default 0.001).") var beta: String?
    @Option(help: "num_periods (linear cosine decays; default 0.5).") var numPeriods: String?
    @Option(help: "initial_variance (noisy_linear_cosine_decay; default 1).") var initialVariance: String?
    @Option(help: "variance_decay (noisy_linear_cosine_decay; default 0.55).") var varianceDecay: String?
    @Option(help: "boundaries a,b,… (piecewise_constant).") var boundaries: String?
    @Option(help: "values a,b,… (piecewise_constant; one more than boundaries).") var values: String?
    @Option(help: "first_decay_steps (cosine_decay_restarts).") var firstDecaySteps: String?
    @Option(help: "t_mul (cosine_decay_restarts; default 2).") var tMul: String?
    @Option(help: "m_mul (cosine_decay_restarts; default 1).") var mMul: String?
    @Option(help: "seed of the noise (noisy_linear_cosine_decay; default 0).") var seed: String?
    @Option(help: "step_size (step).") var stepSize: String?
    @Option(help: "gamma (step, multistep, exponential, cyclic exp_range).") var gamma: String?
    @Option(help: "milestones a,b,… (multistep).") var milestones: String?
    @Option(help: "T_max (cosine_annealing).") var tMax: String?
    @Option(help: "eta_min (cosine annealing; default 0).") var etaMin: String?
    @Option(name: .customLong("t-0"), help: "T_0 (cosine_annealing_warm_restarts).") var t0: String?
    @Option(help: "T_mult (cosine_annealing_warm_restarts; default 1).") var tMult: String?
    @Option(help: "base_lr (cyclic; default: --learning-rate).") var baseLr: String?
    @Option(help: "max_lr (cyclic, one_cycle).") var maxLr: String?
    @Option(help: "step_size_up (cyclic; default 2000).") var stepSizeUp: String?
    @Option(help: "step_size_down (cyclic; default: step_size_up).") var stepSizeDown: String?
    @Option(help: "mode: triangular, triangular2, exp_range (cyclic).") var mode: String?
    @Option(help: "total_steps (one_cycle).") var totalSteps: String?
    @Option(help: "pct_start (one_cycle; default 0.3).") var pctStart: String?
    @Option(help: "anneal_strategy: cos or linear (one_cycle).") var annealStrategy: String?
    @Option(help: "div_factor (one_cycle; default 25).") var divFactor: String?
    @Option(help: "final_div_factor (one_cycle; default 1e4).") var finalDivFactor: String?
    @Flag(help: "three_phase (one_cycle).") var threePhase = false
    @Option(help: "total_iters (polynomial, linear, constant_factor; default 5).") var totalIters: String?
    @Option(help: "start_factor (linear; default 1/3).") var startFactor: String?
    @Option(help: "end_factor (linear; default 1).") var endFactor: String?
    @Option(help: "factor (constant_factor; default 1/3).") var factor: String?
    @Option(help: "Linear warm-up steps before the schedule.") var warmupSteps: String?
    @Option(help: "Warm-up start factor (default 0).") var warmupStartFactor: String?

    /// The flags given, as snake_case parameters.
    var parameters: [String: String] {
        var p: [String: String] = [:]
        let pairs: [(String, String?)] = [
            ("learning_rate", learningRate), ("decay_steps", decaySteps), ("decay_rate", decayRate),
            ("end_learning_rate", endLearningRate), ("power", power), ("alpha", alpha), ("beta", beta),
            ("num_periods", numPeriods), ("initial_variance", initialVariance), ("variance_decay", varianceDecay),
            ("boundaries", boundaries), ("values", values), ("first_decay_steps", firstDecaySteps), ("t_mul", tMul),
            ("m_mul", mMul), ("seed", seed), ("step_size", stepSize), ("gamma", gamma), ("milestones", milestones),
            ("t_max", tMax), ("eta_min", etaMin), ("t_0", t0), ("t_mult", tMult), ("base_lr", baseLr), ("max_lr", maxLr),
            ("step_size_up", stepSizeUp), ("step_size_down", stepSizeDown), ("mode", mode), ("total_steps", totalSteps),
            ("pct_start", pctStart), ("anneal_strategy", annealStrategy), ("div_factor", divFactor),
            ("final_div_factor", finalDivFactor), ("total_iters", totalIters), ("start_factor", startFactor),
            ("end_factor", endFactor), ("factor", factor), ("warmup_steps", warmupSteps),
            ("warmup_start_factor", warmupStartFactor),
        ]
        for case (let key, let value?) in pairs { p[key] = value }
        if staircase { p["staircase"] = "true" }
        if cycle { p["cycle"] = "true" }
        if threePhase { p["three_phase"] = "true" }
        return p
    }
}

/// `keel schedule NAME --steps N`: the learning rate at global steps 0…N−1.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print (csv, json) or draw (svg) a learning-rate schedule over global steps 0…N−1.",
        discussion: """
            TensorFlow names: \(Schedule.tensorFlowNames.joined(separator: ", ")). PyTorch-style names: \
            \(Schedule.pyTorchNames.joined(separator: ", ")). TensorFlow's (or PyTorch's) defaults where a flag is omitted.
            """)

    @Argument(help: "Schedule name.") var name: String
    @OptionGroup var options: ScheduleOptions
    @Option(help: "Number of global steps.") var steps: Int
    @Option(help: "Output format: csv, json or svg.") var format: OutputFormat = .csv

    func validate() throws {
        guard steps > 0 && steps <= InputLimits.maxScheduleSteps else {
            throw ValidationError("--steps must be in 1…\(InputLimits.maxScheduleSteps), got \(steps)")
        }
        do {
            _ = try Schedule.make(name: name, parameters: options.parameters)
        } catch let error as ScheduleError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let schedule = try Schedule.make(name: name, parameters: options.parameters)
        let rates = (0..<steps).map { schedule.learningRate(at: $0) }
        switch format {
        case .csv:
            print("step,learning_rate")
            for (i, r) in rates.enumerated() { print("\(i),\(r)") }
        case .json:
            // Each rate as the shortest decimal that reads back as the same Float.
            // Each rate as the shortest decimal that reads back as the same Float; a non-finite one as null.
            let object: [String: Any] = [
                "schedule": name, "steps": Array(0..<steps),
                "learning_rate": rates.map { $0.isFinite ? Double("\($0)")! : Double.nan },
            ]
            print(String(decoding: try FiniteJSON.data(object, options: [.sortedKeys]), as: UTF8.self))
        case .svg:
            print(ScheduleFigures.chart(name, [(name, schedule)], steps: steps), terminator: "")
        }
    }
}

struct PlotSchedules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "The classic decay comparison figures and one chart per schedule, with index.html.")

    @Option(help: "Output folder.") var out = "plots/schedules"
    @Option(help: "Global steps to draw.") var steps = 120

    func validate() throws {
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be in 1…1000000, got \(steps)") }
    }

    func run() throws {
        let files = try ScheduleFigures.write(to: URL(fileURLWithPath: out), steps: steps)
        print("wrote \(files.count) files to \(out) (open \(out)/index.html)")
    }
}
