import Foundation

/// Every built-in learning-rate schedule as one `Codable` value (configs and checkpoints carry it).
///
/// The TensorFlow decays follow `tf.compat.v1.train.*_decay` exactly (s = global step, D = decay_steps,
/// lr₀ = learning_rate); the PyTorch-style ones are the closed forms of `torch.optim.lr_scheduler.*` stepped
/// once per iteration, so `learningRate(at: i)` is the rate PyTorch uses for update i. Composition
/// (warm-up, sequential, scaling) is a schedule too. Values are computed in double precision.
public indirect enum Schedule: LearningRateSchedule, Codable, Equatable, Sendable {
    // TensorFlow (tf.compat.v1.train).
    /// values[i] for boundaries[i−1] < s ≤ boundaries[i] (it changes one step after each boundary).
    case piecewiseConstant(boundaries: [Int], values: [Float])
    /// lr₀ · rate^(s/D), with ⌊s/D⌋ when `staircase`.
    case exponentialDecay(learningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    /// lr₀ · e^(−rate · s/D) (TensorFlow's definition; "e^(−rate/step)", sometimes quoted for it, is a typo).
    case naturalExpDecay(learningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    /// lr₀ / (1 + rate · s/D).
    case inverseTimeDecay(learningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    /// (lr₀ − end)(1 − s/D′)^power + end; without cycle s = min(s, D), D′ = D; with cycle D′ = D·⌈s/D⌉ (D at s = 0).
    case polynomialDecay(learningRate: Float, decaySteps: Int, endLearningRate: Float, power: Float, cycle: Bool)
    /// lr₀ · ((1 − α)·½(1 + cos(π·s/D)) + α) with s = min(s, D).
    case cosineDecay(learningRate: Float, decaySteps: Int, alpha: Float)
    /// SGDR: cosine periods of first_decay_steps·t_mulⁱ, the i-th restart's peak scaled by m_mulⁱ (α not scaled).
    case cosineDecayRestarts(learningRate: Float, firstDecaySteps: Int, tMul: Float, mMul: Float, alpha: Float)
    /// lr₀ · ((α + (D − s)/D) · ½(1 + cos(2π·num_periods·s/D)) + β) with s = min(s, D).
    case linearCosineDecay(learningRate: Float, decaySteps: Int, numPeriods: Float, alpha: Float, beta: Float)
    /// Linear cosine with ε ~ N(0, initial_variance / (1 + s)^variance_decay) added to the linear term, drawn from
    /// the stream (seed, s): reproducible by seed and step.
    case noisyLinearCosineDecay(
        learningRate: Float, decaySteps: Int, initialVariance: Float, varianceDecay: Float,
        numPeriods: Float, alpha: Float, beta: Float, seed: UInt64)

    // PyTorch (torch.optim.lr_scheduler), closed forms of the iteration i.
    /// base.
    case constant(Float)
    /// base · factor for i < total_iters, then base (ConstantLR).
    case constantFactor(base: Float, factor: Float, totalIters: Int)
    /// base · γ^⌊i/step_size⌋ (StepLR).
    case step(base: Float, stepSize: Int, gamma: Float)
    /// base · γ^(number of milestones ≤ i) (MultiStepLR).
    case multiStep(base: Float, milestones: [Int], gamma: Float)
    /// base · γ^i (ExponentialLR).
    case exponential(base: Float, gamma: Float)
    /// η_min + (base − η_min)·½(1 + cos(π·i/T_max)), periodic past T_max as PyTorch (CosineAnnealingLR).
    case cosineAnnealing(base: Float, tMax: Int, etaMin: Float)
    /// Cosine annealing restarted after T₀, T₀·T_mult, … steps (CosineAnnealingWarmRestarts).
    case cosineAnnealingWarmRestarts(base: Float, t0: Int, tMult: Int, etaMin: Float)
    /// Cyclical learning rates between base_lr and max_lr (CyclicLR): triangular, triangular2, exp_range.
    case cyclic(baseLR: Float, maxLR: Float, stepSizeUp: Int, stepSizeDown: Int?, mode: CyclicMode, gamma: Float)
    /// The 1cycle policy (OneCycleLR): warm up from max_lr/div_factor to max_lr, anneal to
    /// max_lr/(div_factor·final_div_factor); with `threePhase` back to the initial rate first.
    case oneCycle(
        maxLR: Float, totalSteps: Int, pctStart: Float, anneal: Anneal, divFactor: Float, finalDivFactor: Float,
        threePhase: Bool)
    /// base · (1 − min(i, T)/T)^power (PolynomialLR).
    case polynomial(base: Float, totalIters: Int, power: Float)
    /// base · (start + (end − start)·min(i, T)/T) (LinearLR).
    case linear(base: Float, startFactor: Float, endFactor: Float, totalIters: Int)

    // Composition.
    /// Linear warm-up from start_factor · then(0) to then(0) over `steps`, then `then` restarted at 0.
    case warmup(steps: Int, startFactor: Float, then: Schedule)
    /// schedules[0] until milestones[0], schedules[1] (restarted at 0) until milestones[1], … (SequentialLR).
    case sequential(schedules: [Schedule], milestones: [Int])
    /// factor · schedule (what reduce-on-plateau adjusts).
    case scaled(Schedule, factor: Float)

    /// PyTorch's `CyclicLR` modes: a constant triangle, one halved every cycle, or one scaled by γ^step.
    public enum CyclicMode: String, Codable, Sendable, CaseIterable {
        case triangular, triangular2
        case expRange = "exp_range"
    }
    /// How OneCycleLR anneals within a phase: cosine or linear (PyTorch's `anneal_strategy`).
    public enum Anneal: String, Codable, Sendable, CaseIterable { case cos, linear }

    /// The rate at `step` as float32 (negative steps read as 0).
    public func learningRate(at step: Int) -> Float { Float(value(at: max(step, 0))) }

    /// The rate at `step` in double precision.
    public func value(at step: Int) -> Double {
        let s = Double(step)
        switch self {
        case .piecewiseConstant(let boundaries, let values):
            let index = boundaries.firstIndex { step <= $0 } ?? boundaries.count
            return Double(values[index])
        case .exponentialDecay, .naturalExpDecay, .inverseTimeDecay, .polynomialDecay, .cosineDecay, .cosineDecayRestarts,
            .linearCosineDecay, .noisyLinearCosineDecay:
            return Double(tensorFlowValue(at: step))

        case .constant(let base):
            return Double(base)
        case .constantFactor(let base, let factor, let total):
            return Double(base) * (step < total ? Double(factor) : 1)
        case .step(let base, let size, let gamma):
            return Double(base) * pow(Double(gamma), floor(s / Double(size)))
        case .multiStep(let base, let milestones, let gamma):
            return Double(base) * pow(Double(gamma), Double(milestones.filter { $0 <= step }.count))
        case .exponential(let base, let gamma):
            return Double(base) * pow(Double(gamma), s)
        case .cosineAnnealing(let base, let tMax, let etaMin):
            return Double(etaMin) + (Double(base) - Double(etaMin)) * (1 + cos(Double.pi * s / Double(tMax))) / 2
        case .cosineAnnealingWarmRestarts(let base, let t0, let tMult, let etaMin):
            return Self.warmRestarts(step, base: base, t0: t0, tMult: tMult, etaMin: etaMin)
        case .cyclic(let baseLR, let maxLR, let up, let down, let mode, let gamma):
            return Self.cyclic(step, baseLR: baseLR, maxLR: maxLR, up: up, down: down ?? up, mode: mode, gamma: gamma)
        case .oneCycle(let maxLR, let total, let pct, let anneal, let div, let finalDiv, let threePhase):
            return Self.oneCycle(step, maxLR: maxLR, total: total, pct: pct, anneal: anneal, div: div, finalDiv: finalDiv, threePhase: threePhase)
        case .polynomial(let base, let total, let power):
            return Double(base) * pow(1 - min(s, Double(total)) / Double(total), Double(power))
        case .linear(let base, let startFactor, let endFactor, let total):
            return Double(base) * (Double(startFactor) + (Double(endFactor) - Double(startFactor)) * min(s, Double(total)) / Double(total))

        case .warmup(let steps, let startFactor, let then):
            if step >= steps { return then.value(at: step - steps) }
            let target = then.value(at: 0)
            return target * (Double(startFactor) + (1 - Double(startFactor)) * s / Double(steps))
        case .sequential(let schedules, let milestones):
            let index = milestones.firstIndex { step < $0 } ?? milestones.count
            return schedules[index].value(at: step - (index == 0 ? 0 : milestones[index - 1]))
        case .scaled(let schedule, let factor):
            return Double(factor) * schedule.value(at: step)
        }
    }

    /// PyTorch's CosineAnnealingWarmRestarts in closed form: the position in the current period, periods growing by tMult.
    static func warmRestarts(_ step: Int, base: Float, t0: Int, tMult: Int, etaMin: Float) -> Double {
        let s = Double(step)
        var current = s
        var period = Double(t0)
        if step >= t0 {
            if tMult == 1 {
                current = s.truncatingRemainder(dividingBy: Double(t0))
            } else {
                let m = Double(tMult)
                let n = floor(log(s / Double(t0) * (m - 1) + 1) / log(m))
                current = s - Double(t0) * (pow(m, n) - 1) / (m - 1)
                period = Double(t0) * pow(m, n)
            }
        }
        return Double(etaMin) + (Double(base) - Double(etaMin)) * (1 + cos(Double.pi * current / period)) / 2
    }

    /// PyTorch's CyclicLR: a triangle between baseLR and maxLR, its height scaled by the mode.
    static func cyclic(_ step: Int, baseLR: Float, maxLR: Float, up: Int, down: Int, mode: CyclicMode, gamma: Float) -> Double {
        let s = Double(step)
        let total = Double(up + down)
        let ratio = Double(up) / total
        let cycle = floor(1 + s / total)
        let x = 1 + s / total - cycle
        let scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
        let height = (Double(maxLR) - Double(baseLR)) * scale
        let factor: Double
        switch mode {
        case .triangular: factor = 1
        case .triangular2: factor = 1 / pow(2, cycle - 1)
        case .expRange: factor = pow(Double(gamma), s)
        }
        return Double(baseLR) + height * factor
    }

    /// PyTorch's OneCycleLR: up to maxLR over pct of the steps, then down to maxLR / div / finalDiv (two phases, or
    /// three with threePhase), each annealed by cosine or linearly.
    static func oneCycle(
        _ step: Int, maxLR: Float, total: Int, pct: Float, anneal: Anneal, div: Float, finalDiv: Float, threePhase: Bool
    ) -> Double {
        let s = Double(step)
        let initial = Double(maxLR) / Double(div)
        let minimum = initial / Double(finalDiv)
        let peak = Double(maxLR)
        let phases: [(end: Double, from: Double, to: Double)] =
            threePhase
            ? [
                (Double(pct) * Double(total) - 1, initial, peak), (2 * Double(pct) * Double(total) - 2, peak, initial),
                (Double(total) - 1, initial, minimum),
            ]
            : [(Double(pct) * Double(total) - 1, initial, peak), (Double(total) - 1, peak, minimum)]
        var start = 0.0
        for (i, phase) in phases.enumerated() {
            if s <= phase.end || i == phases.count - 1 {
                let fraction = (s - start) / (phase.end - start)
                switch anneal {
                case .cos: return phase.to + (phase.from - phase.to) / 2 * (1 + cos(Double.pi * fraction))
                case .linear: return (phase.to - phase.from) * fraction + phase.from
                }
            }
            start = phase.end
        }
        return minimum
    }

    /// The TensorFlow decays in float32, operation for operation as `tf.compat.v1.train` computes them (so
    /// that rounding, which matters where 1 + cos(·) cancels, is TensorFlow's too).
    func tensorFlowValue(at step: Int) -> Float {
        let s = Float(step)
        let pi = Float(Double.pi)  // rounded to nearest, as TensorFlow's constant (Float.pi rounds toward zero)
        func fraction(_ d: Int, _ staircase: Bool) -> Float {
            let p = s / Float(d)
            return staircase ? p.rounded(.down) : p
        }
        func linearCosine(_ lr: Float, _ d: Int, _ periods: Float, _ alpha: Float, _ beta: Float, _ noise: Float?) -> Float {
            let t = min(s, Float(d))
            var linear = (Float(d) - t) / Float(d)
            if let noise { linear = linear + noise }
            let completed = t / Float(d)
            let cosine = 0.5 * (1 + cos(pi * (2 * periods * completed)))
            return lr * ((alpha + linear) * cosine + beta)
        }
        switch self {
        case .exponentialDecay(let lr, let d, let rate, let staircase):
            return lr * pow(rate, fraction(d, staircase))
        case .naturalExpDecay(let lr, let d, let rate, let staircase):
            // TensorFlow: ExponentialDecay with the rate e^(−decay_rate).
            return lr * pow(exp(-rate), fraction(d, staircase))
        case .inverseTimeDecay(let lr, let d, let rate, let staircase):
            return lr / (1 + rate * fraction(d, staircase))
        case .polynomialDecay(let lr, let d, let end, let power, let cycle):
            var steps = Float(d)
            var t = s
            if cycle {
                steps = steps * (step == 0 ? 1 : (s / Float(d)).rounded(.up))
            } else {
                t = min(t, steps)
            }
            return (lr - end) * pow(1 - t / steps, power) + end
        case .cosineDecay(let lr, let d, let alpha):
            let completed = min(s, Float(d)) / Float(d)
            let cosine = 0.5 * (1 + cos(pi * completed))
            return lr * ((1 - alpha) * cosine + alpha)
        case .cosineDecayRestarts(let lr, let first, let tMul, let mMul, let alpha):
            var completed = s / Float(first)
            let restart: Float
            if tMul == 1 {
                restart = completed.rounded(.down)
                completed = completed - restart
            } else {
                restart = (log(1 - completed * (1 - tMul)) / log(tMul)).rounded(.down)
                let sum = (1 - pow(tMul, restart)) / (1 - tMul)
                completed = (completed - sum) / pow(tMul, restart)
            }
            let cosine = 0.5 * pow(mMul, restart) * (1 + cos(pi * completed))
            return lr * ((1 - alpha) * cosine + alpha)
        case .linearCosineDecay(let lr, let d, let periods, let alpha, let beta):
            return linearCosine(lr, d, periods, alpha, beta, nil)
        case .noisyLinearCosineDecay(let lr, let d, let variance, let decay, let periods, let alpha, let beta, let seed):
            let t = min(s, Float(d))
            let std = (variance / pow(1 + t, decay)).squareRoot()
            var generator = KeelRandom(seed: seed, stream: [0x4C52, UInt64(step)])
            return linearCosine(lr, d, periods, alpha, beta, std * Float(generator.nextNormal()))
        default:
            return learningRate(at: step)
        }
    }

    /// Checks the parameters; throws a `ScheduleError` naming the schedule and the problem.
    public func validate() throws {
        func require(_ condition: Bool, _ problem: String) throws {
            if !condition { throw ScheduleError(schedule: name, problem: problem) }
        }
        switch self {
        case .piecewiseConstant(let boundaries, let values):
            try require(
                values.count == boundaries.count + 1,
                "needs exactly one more value than boundaries (got \(boundaries.count) boundaries and \(values.count) values)")
            try require(zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 < $1 }, "boundaries must increase: \(boundaries)")
        case .exponentialDecay(_, let d, _, _), .naturalExpDecay(_, let d, _, _), .inverseTimeDecay(_, let d, _, _),
            .polynomialDecay(_, let d, _, _, _), .cosineDecay(_, let d, _), .linearCosineDecay(_, let d, _, _, _),
            .noisyLinearCosineDecay(_, let d, _, _, _, _, _, _):
            try require(d > 0, "decay_steps must be positive, got \(d)")
            if case .noisyLinearCosineDecay(_, _, let variance, _, _, _, _, _) = self {
                try require(variance >= 0, "initial_variance must be ≥ 0, got \(variance)")
            }
        case .cosineDecayRestarts(_, let first, let tMul, _, _):
            try require(first > 0, "first_decay_steps must be positive, got \(first)")
            try require(tMul > 0, "t_mul must be positive, got \(tMul)")
        case .constantFactor(_, _, let total), .polynomial(_, let total, _), .linear(_, _, _, let total):
            try require(total > 0, "total_iters must be positive, got \(total)")
        case .step(_, let size, _):
            try require(size > 0, "step_size must be positive, got \(size)")
        case .multiStep(_, let milestones, _):
            try require(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, "milestones must increase: \(milestones)")
        case .cosineAnnealing(_, let tMax, _):
            try require(tMax > 0, "t_max must be positive, got \(tMax)")
        case .cosineAnnealingWarmRestarts(_, let t0, let tMult, _):
            try require(t0 > 0, "t_0 must be positive, got \(t0)")
            try require(tMult >= 1, "t_mult must be ≥ 1, got \(tMult)")
        case .cyclic(_, _, let up, let down, _, _):
            try require(up > 0 && (down ?? 1) > 0, "step sizes must be positive")
        case .oneCycle(_, let total, let pct, _, let div, let finalDiv, let threePhase):
            try require(total > 0, "total_steps must be positive, got \(total)")
            try require(pct > 0 && pct < 1, "pct_start must be in (0, 1), got \(pct)")
            try require(div > 0 && finalDiv > 0, "div_factor and final_div_factor must be positive")
            let phaseEnd = Float(total) * pct * (threePhase ? 2 : 1) - (threePhase ? 2 : 1)
            try require(phaseEnd < Float(total - 1), "pct_start \(pct) leaves no room for the last phase of \(total) steps")
        case .warmup(let steps, _, let then):
            try require(steps > 0, "warm-up steps must be positive, got \(steps)")
            try then.validate()
        case .sequential(let schedules, let milestones):
            try require(
                schedules.count == milestones.count + 1,
                "needs one more schedule than milestones (got \(schedules.count) and \(milestones.count))")
            try require(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, "milestones must increase")
            for s in schedules { try s.validate() }
        case .scaled(let schedule, _):
            try schedule.validate()
        case .constant, .exponential:
            break
        }
    }

    /// The TensorFlow or PyTorch name.
    public var name: String {
        switch self {
        case .piecewiseConstant: return "piecewise_constant"
        case .exponentialDecay: return "exponential_decay"
        case .naturalExpDecay: return "natural_exp_decay"
        case .inverseTimeDecay: return "inverse_time_decay"
        case .polynomialDecay: return "polynomial_decay"
        case .cosineDecay: return "cosine_decay"
        case .cosineDecayRestarts: return "cosine_decay_restarts"
        case .linearCosineDecay: return "linear_cosine_decay"
        case .noisyLinearCosineDecay: return "noisy_linear_cosine_decay"
        case .constant: return "constant"
        case .constantFactor: return "constant_factor"
        case .step: return "step"
        case .multiStep: return "multistep"
        case .exponential: return "exponential"
        case .cosineAnnealing: return "cosine_annealing"
        case .cosineAnnealingWarmRestarts: return "cosine_annealing_warm_restarts"
        case .cyclic: return "cyclic"
        case .oneCycle: return "one_cycle"
        case .polynomial: return "polynomial"
        case .linear: return "linear"
        case .warmup(_, _, let then): return "warmup+" + then.name
        case .sequential: return "sequential"
        case .scaled(let s, _): return s.name
        }
    }
}

/// A schedule with parameters that make no sense.
public struct ScheduleError: Error, CustomStringConvertible, Equatable {
    /// The schedule's name or spec.
    public var schedule: String
    /// What is wrong.
    public var problem: String
    /// "SCHEDULE: PROBLEM".
    public var description: String { "\(schedule): \(problem)" }
}
