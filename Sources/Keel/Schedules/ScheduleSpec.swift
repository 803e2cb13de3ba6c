import Foundation

/// Building schedules from names and text parameters (the CLI's flags and `--schedule` specs), with
/// TensorFlow's and PyTorch's defaults where a parameter is omitted.
extension Schedule {
    /// Names accepted by `make(name:parameters:)`.
    public static let tensorFlowNames = [
        "piecewise_constant", "exponential_decay", "natural_exp_decay", "inverse_time_decay",
        "polynomial_decay", "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay",
        "noisy_linear_cosine_decay",
    ]
    /// Names of PyTorch's schedulers accepted by `make(name:parameters:)`.
    public static let pyTorchNames = [
        "constant", "constant_factor", "step", "multistep", "exponential", "cosine_annealing",
        "cosine_annealing_warm_restarts", "cyclic", "one_cycle", "polynomial", "linear",
    ]

    /// A schedule from its TensorFlow or PyTorch-style name and snake_case parameters (`decay_steps`,
    /// `t_max`, …; lists separated by commas or slashes). `learning_rate` is the base rate of every schedule
    /// (default `defaultLearningRate`); `warmup_steps` (with `warmup_start_factor`) wraps any schedule in a
    /// linear warm-up. Throws a `ScheduleError` for unknown names, missing or malformed parameters and
    /// parameters that make no sense.
    public static func make(name: String, parameters: [String: String], defaultLearningRate: Float = 0.1) throws -> Schedule {
        var reader = ParameterReader(schedule: name, parameters: parameters)
        let lr = try reader.float("learning_rate") ?? defaultLearningRate
        let schedule: Schedule
        if tensorFlowNames.contains(name) {
            schedule = try tensorFlow(name, lr, &reader)
        } else if pyTorchNames.contains(name) {
            schedule = try pyTorch(name, lr, &reader)
        } else {
            throw ScheduleError(schedule: name, problem: "unknown schedule; known: " + (tensorFlowNames + pyTorchNames).joined(separator: ", "))
        }
        var result = schedule
        if let steps = try reader.int("warmup_steps") {
            result = .warmup(steps: steps, startFactor: try reader.float("warmup_start_factor") ?? 0, then: schedule)
        }
        if let unknown = reader.unused.first {
            throw ScheduleError(schedule: name, problem: "unknown parameter '\(unknown)' for this schedule")
        }
        try result.validate()
        return result
    }

    /// TensorFlow's decays with their parameter names and defaults (`tf.keras.optimizers.schedules`).
    static func tensorFlow(_ name: String, _ lr: Float, _ reader: inout ParameterReader) throws -> Schedule {
        let schedule: Schedule
        switch name {
        case "piecewise_constant":
            schedule = .piecewiseConstant(
                boundaries: try reader.ints("boundaries", required: true)!,
                values: try reader.floats("values", required: true)!)
        case "exponential_decay", "natural_exp_decay", "inverse_time_decay":
            let d = try reader.int("decay_steps", required: true)!
            let rate = try reader.float("decay_rate", required: true)!
            let staircase = try reader.bool("staircase") ?? false
            schedule =
                name == "exponential_decay"
                ? .exponentialDecay(learningRate: lr, decaySteps: d, decayRate: rate, staircase: staircase)
                : name == "natural_exp_decay"
                    ? .naturalExpDecay(learningRate: lr, decaySteps: d, decayRate: rate, staircase: staircase)
                    : .inverseTimeDecay(learningRate: lr, decaySteps: d, decayRate: rate, staircase: staircase)
        case "polynomial_decay":
            schedule = .polynomialDecay(
                learningRate: lr, decaySteps: try reader.int("decay_steps", required: true)!,
                endLearningRate: try reader.float("end_learning_rate") ?? 0.0001,
                power: try reader.float("power") ?? 1, cycle: try reader.bool("cycle") ?? false)
        case "cosine_decay":
            schedule = .cosineDecay(
                learningRate: lr, decaySteps: try reader.int("decay_steps", required: true)!,
                alpha: try reader.float("alpha") ?? 0)
        case "cosine_decay_restarts":
            schedule = .cosineDecayRestarts(
                learningRate: lr, firstDecaySteps: try reader.int("first_decay_steps", required: true)!,
                tMul: try reader.float("t_mul") ?? 2, mMul: try reader.float("m_mul") ?? 1,
                alpha: try reader.float("alpha") ?? 0)
        case "linear_cosine_decay":
            schedule = .linearCosineDecay(
                learningRate: lr, decaySteps: try reader.int("decay_steps", required: true)!,
                numPeriods: try reader.float("num_periods") ?? 0.5, alpha: try reader.float("alpha") ?? 0,
                beta: try reader.float("beta") ?? 0.001)
        case "noisy_linear_cosine_decay":
            schedule = .noisyLinearCosineDecay(
                learningRate: lr, decaySteps: try reader.int("decay_steps", required: true)!,
                initialVariance: try reader.float("initial_variance") ?? 1,
                varianceDecay: try reader.float("variance_decay") ?? 0.55,
                numPeriods: try reader.float("num_periods") ?? 0.5,
                alpha: try reader.float("alpha") ?? 0, beta: try reader.float("beta") ?? 0.001,
                seed: try reader.seed("seed"))
        default:
            throw ScheduleError(schedule: name, problem: "not a TensorFlow schedule")
        }
        return schedule
    }

    /// PyTorch's schedulers as closed forms, with `torch.optim.lr_scheduler`'s parameter names and defaults.
    static func pyTorch(_ name: String, _ lr: Float, _ reader: inout ParameterReader) throws -> Schedule {
        let schedule: Schedule
        switch name {
        case "constant":
            schedule = .constant(lr)
        case "constant_factor":
            schedule = .constantFactor(
                base: lr, factor: try reader.float("factor") ?? 1.0 / 3,
                totalIters: try reader.int("total_iters") ?? 5)
        case "step":
            schedule = .step(base: lr, stepSize: try reader.int("step_size", required: true)!, gamma: try reader.float("gamma") ?? 0.1)
        case "multistep":
            schedule = .multiStep(
                base: lr, milestones: try reader.ints("milestones", required: true)!,
                gamma: try reader.float("gamma") ?? 0.1)
        case "exponential":
            schedule = .exponential(base: lr, gamma: try reader.float("gamma", required: true)!)
        case "cosine_annealing":
            schedule = .cosineAnnealing(base: lr, tMax: try reader.int("t_max", required: true)!, etaMin: try reader.float("eta_min") ?? 0)
        case "cosine_annealing_warm_restarts":
            schedule = .cosineAnnealingWarmRestarts(
                base: lr, t0: try reader.int("t_0", required: true)!,
                tMult: try reader.int("t_mult") ?? 1, etaMin: try reader.float("eta_min") ?? 0)
        case "cyclic":
            let modeText = try reader.string("mode") ?? "triangular"
            guard let mode = CyclicMode(rawValue: modeText) else {
                throw ScheduleError(schedule: name, problem: "mode must be triangular, triangular2 or exp_range, got '\(modeText)'")
            }
            schedule = .cyclic(
                baseLR: try reader.float("base_lr") ?? lr, maxLR: try reader.float("max_lr", required: true)!,
                stepSizeUp: try reader.int("step_size_up") ?? 2000, stepSizeDown: try reader.int("step_size_down"),
                mode: mode, gamma: try reader.float("gamma") ?? 1)
        case "one_cycle":
            let annealText = try reader.string("anneal_strategy") ?? "cos"
            guard let anneal = Anneal(rawValue: annealText) else {
                throw ScheduleError(schedule: name, problem: "anneal_strategy must be cos or linear, got '\(annealText)'")
            }
            schedule = .oneCycle(
                maxLR: try reader.float("max_lr") ?? lr, totalSteps: try reader.int("total_steps", required: true)!,
                pctStart: try reader.float("pct_start") ?? 0.3, anneal: anneal,
                divFactor: try reader.float("div_factor") ?? 25, finalDivFactor: try reader.float("final_div_factor") ?? 1e4,
                threePhase: try reader.bool("three_phase") ?? false)
        case "polynomial":
            schedule = .polynomial(base: lr, totalIters: try reader.int("total_iters") ?? 5, power: try reader.float("power") ?? 1)
        case "linear":
            schedule = .linear(
                base: lr, startFactor: try reader.float("start_factor") ?? 1.0 / 3,
                endFactor: try reader.float("end_factor") ?? 1, totalIters: try reader.int("total_iters") ?? 5)
        default:
            throw ScheduleError(schedule: name, problem: "not a PyTorch schedule")
        }
        return schedule
    }

    /// A schedule from a spec "NAME" or "NAME:key=value,key=value" (list values separated by '/'), e.g.
    /// "cosine_decay:decay_steps=600,alpha=0.01" or "piecewise_constant:boundaries=30/60,values=0.1/0.01/0.001".
    public static func parse(_ spec: String, defaultLearningRate: Float = 0.1) throws -> Schedule {
        let parsed: Spec
        do { parsed = try Spec.parse(spec, dashesAsUnderscores: true) } catch { throw ScheduleError(schedule: spec, problem: error.problem) }
        if let value = parsed.unnamedValue {
            throw ScheduleError(schedule: parsed.name, problem: "expected key=value, got '\(value)'")
        }
        return try make(name: parsed.name, parameters: parsed.dictionary, defaultLearningRate: defaultLearningRate)
    }
}

/// Reads typed parameters, remembering which were used so that unknown ones can be reported.
struct ParameterReader {
    let schedule: String
    let parameters: [String: String]
    private(set) var used = Set<String>()

    init(schedule: String, parameters: [String: String]) {
        self.schedule = schedule
        self.parameters = parameters
    }

    var unused: [String] { parameters.keys.filter { !used.contains($0) }.sorted() }

    mutating func string(_ key: String, required: Bool = false) throws -> String? {
        used.insert(key)
        guard let value = parameters[key] else {
            if required { throw ScheduleError(schedule: schedule, problem: "needs \(key) (--\(key.replacingOccurrences(of: "_", with: "-")))") }
            return nil
        }
        return value
    }

    mutating func float(_ key: String, required: Bool = false) throws -> Float? {
        guard let text = try string(key, required: required) else { return nil }
        guard let v = Float(text), v.isFinite else { throw ScheduleError(schedule: schedule, problem: "\(key) must be a number, got '\(text)'") }
        return v
    }

    mutating func int(_ key: String, required: Bool = false) throws -> Int? {
        guard let text = try string(key, required: required) else { return nil }
        guard let v = Int(text) else { throw ScheduleError(schedule: schedule, problem: "\(key) must be an integer, got '\(text)'") }
        // Steps beyond ±10¹² mean nothing to a schedule, and sums of them must not overflow.
        guard abs(v) <= Self.maxInteger else {
            throw ScheduleError(schedule: schedule, problem: "\(key) must be within ±10¹², got \(text)")
        }
        return v
    }

    static let maxInteger = 1_000_000_000_000

    /// A random seed: an integer in 0…2⁶⁴−1 (0 when absent).
    mutating func seed(_ key: String) throws -> UInt64 {
        guard let text = try string(key) else { return 0 }
        guard let v = UInt64(text) else {
            throw ScheduleError(schedule: schedule, problem: "\(key) must be an integer in 0…18446744073709551615, got '\(text)'")
        }
        return v
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ScheduleError(schedule: schedule, problem: "\(key) must be true or false, got '\(text)'")
        }
    }

    mutating func floats(_ key: String, required: Bool = false) throws -> [Float]? {
        guard let text = try string(key, required: required) else { return nil }
        return try text.split(whereSeparator: { $0 == "," || $0 == "/" }).map {
            guard let v = Float($0.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw ScheduleError(schedule: schedule, problem: "\(key): '\($0)' is not a number")
            }
            return v
        }
    }

    mutating func ints(_ key: String, required: Bool = false) throws -> [Int]? {
        guard let text = try string(key, required: required) else { return nil }
        return try text.split(whereSeparator: { $0 == "," || $0 == "/" }).map {
            guard let v = Int($0.trimmingCharacters(in: .whitespaces)), abs(v) <= Self.maxInteger else {
                throw ScheduleError(schedule: schedule, problem: "\(key): '\($0)' is not an integer within ±10¹²")
            }
            return v
        }
    }
}
