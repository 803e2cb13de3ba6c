import Foundation
import Keel

/// The textbook picture of why normalized inputs make gradient descent converge faster: least squares on two
/// features of very different scales, solved by full-batch gradient descent on the raw and on the
/// standardized features.
///
/// With x₁ of scale 10 and x₂ of scale 1, the loss ½·mean((w·x − y)²) curves 100× more along w₁ than along
/// w₂: its contours are long ellipses (w₁ in about [−10, 10], w₂ in [−100, 100]), the largest stable step is
/// set by w₁ and progress along w₂ crawls — gradient descent zig-zags. Standardized, the contours are round
/// and it goes straight to the minimum.
public struct ConvergenceExperiment: Sendable {
    /// Rows (x₁, x₂) and targets.
    public let features: [(Double, Double)]
    /// The regression targets, one per sample.
    public let targets: [Double]

    /// A run of gradient descent.
    public struct Run: Sendable {
        /// The step size used.
        public var learningRate: Double
        /// w after each iteration, starting with w₀.
        public var trajectory: [(Double, Double)]
        /// The loss after each iteration (the first before any step).
        public var losses: [Double]
        /// Iterations until the loss gap to the optimum fell below `tolerance` × the initial gap (nil: never).
        public var iterationsToTolerance: Int?
        /// Whether the loss grew without bound.
        public var diverged: Bool
    }

    /// The classic problem: y = 2·x₁ + 30·x₂ + noise, x₁ ~ N(0, 10²), x₂ ~ N(0, 1).
    public static func seedProblem(samples: Int = 200, seed: UInt64 = 0) -> ConvergenceExperiment {
        var g = KeelRandom(seed: seed)
        var features: [(Double, Double)] = []
        var targets: [Double] = []
        for _ in 0..<samples {
            let x1 = 10 * g.nextNormal()
            let x2 = g.nextNormal()
            features.append((x1, x2))
            targets.append(2 * x1 + 30 * x2 + 0.5 * g.nextNormal())
        }
        return ConvergenceExperiment(features: features, targets: targets)
    }

    /// A least-squares problem y ≈ w₁x₁ + w₂x₂ over the given samples.
    public init(features: [(Double, Double)], targets: [Double]) {
        self.features = features
        self.targets = targets
    }

    /// The same problem with each feature divided by its population standard deviation (the features are
    /// centred already, so this is the z-score).
    public var standardized: ConvergenceExperiment {
        let n = Double(features.count)
        let m1 = features.map(\.0).reduce(0, +) / n
        let m2 = features.map(\.1).reduce(0, +) / n
        let s1 = (features.map { ($0.0 - m1) * ($0.0 - m1) }.reduce(0, +) / n).squareRoot()
        let s2 = (features.map { ($0.1 - m2) * ($0.1 - m2) }.reduce(0, +) / n).squareRoot()
        return ConvergenceExperiment(features: features.map { (($0.0 - m1) / s1, ($0.1 - m2) / s2) }, targets: targets)
    }

    /// ½·mean((w·x − y)²).
    public func loss(_ w: (Double, Double)) -> Double {
        var total = 0.0
        for (x, y) in zip(features, targets) {
            let r = w.0 * x.0 + w.1 * x.1 - y
            total += r * r
        }
        return 0.5 * total / Double(features.count)
    }

    func gradient(_ w: (Double, Double)) -> (Double, Double) {
        var g = (0.0, 0.0)
        for (x, y) in zip(features, targets) {
            let r = w.0 * x.0 + w.1 * x.1 - y
            g.0 += r * x.0
            g.1 += r * x.1
        }
        let n = Double(features.count)
        return (g.0 / n, g.1 / n)
    }

    /// The least-squares solution (normal equations).
    public var optimum: (Double, Double) {
        var a = (0.0, 0.0, 0.0)
        var b = (0.0, 0.0)
        for (x, y) in zip(features, targets) {
            a.0 += x.0 * x.0
            a.1 += x.0 * x.1
            a.2 += x.1 * x.1
            b.0 += x.0 * y
            b.1 += x.1 * y
        }
        let det = a.0 * a.2 - a.1 * a.1
        return ((a.2 * b.0 - a.1 * b.1) / det, (a.0 * b.1 - a.1 * b.0) / det)
    }

    /// Gradient descent from `start` for at most `maxIterations` steps.
    public func descend(
        learningRate: Double, start: (Double, Double) = (-8, -80), maxIterations: Int = 20_000,
        tolerance: Double = 1e-6
    ) -> Run {
        let best = loss(optimum)
        var w = start
        let initialGap = loss(w) - best
        var run = Run(learningRate: learningRate, trajectory: [w], losses: [loss(w)], iterationsToTolerance: nil, diverged: false)
        for i in 1...maxIterations {
            let g = gradient(w)
            w = (w.0 - learningRate * g.0, w.1 - learningRate * g.1)
            let l = loss(w)
            run.trajectory.append(w)
            run.losses.append(l)
            if !l.isFinite || l > 1e6 * (initialGap + best) {
                run.diverged = true
                break
            }
            if l - best <= tolerance * initialGap {
                run.iterationsToTolerance = i
                break
            }
        }
        return run
    }

    /// The run with the fewest iterations to tolerance over a log-spaced grid of learning rates (the best
    /// stable learning rate), or the last stable one if none converged.
    public func bestRun(rates: [Double] = (0..<61).map { pow(10, -4 + Double($0) * 0.075) }, maxIterations: Int = 20_000) -> Run {
        var best: Run?
        for rate in rates {
            let run = descend(learningRate: rate, maxIterations: maxIterations)
            guard !run.diverged else { continue }
            if let iterations = run.iterationsToTolerance,
                best?.iterationsToTolerance == nil || iterations < best!.iterationsToTolerance!
            {
                best = run
            } else if best == nil {
                best = run
            }
        }
        return best ?? descend(learningRate: rates[0], maxIterations: maxIterations)
    }

    /// Loss values on a grid over [w₁ range] × [w₂ range] (rows: w₂, columns: w₁), for contour plots.
    public func lossGrid(w1: ClosedRange<Double>, w2: ClosedRange<Double>, resolution: Int = 60) -> [[Double]] {
        (0..<resolution).map { j in
            let b = w2.lowerBound + (w2.upperBound - w2.lowerBound) * Double(j) / Double(resolution - 1)
            return (0..<resolution).map { i in
                let a = w1.lowerBound + (w1.upperBound - w1.lowerBound) * Double(i) / Double(resolution - 1)
                return loss((a, b))
            }
        }
    }
}
