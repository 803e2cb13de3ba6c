/// Compares autograd's gradients with central finite differences.
///
/// For inputs x₁…xₙ and a function f, it takes the scalar L = Σ f(x) ⊙ u with a fixed random upstream u,
/// differentiates it by `backward()`, and estimates each ∂L/∂xᵢⱼ as (L(x + h) − L(x − h)) / 2h with L
/// accumulated in double precision. An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
public struct GradientCheck {
    /// The outcome of a check: whether every element agreed, how many were compared, and the worst mismatches.
    public struct Result: CustomStringConvertible {
        /// Largest |analytic − numeric| over all checked elements.
        public var maxAbsoluteError: Double = 0
        /// The worst element: (input, element, analytic, numeric).
        public var worst: (input: Int, element: Int, analytic: Double, numeric: Double)?
        /// Whether every compared element was within tolerance.
        public var passed = true
        /// How many gradient elements were compared.
        public var checkedElements = 0

        /// "passed (N elements)" or the mismatches found.
        public var description: String {
            guard let worst else { return "gradient check: no elements" }
            return "gradient check \(passed ? "passed" : "FAILED") over \(checkedElements) elements; worst: input "
                + "\(worst.input) element \(worst.element): analytic \(worst.analytic), numeric \(worst.numeric)"
        }
    }

    /// The finite-difference step h of (f(x + h) − f(x − h)) / 2h.
    public var step: Float
    /// Allowed |autograd − numeric| regardless of size.
    public var absoluteTolerance: Double
    /// Allowed |autograd − numeric| relative to |numeric|.
    public var relativeTolerance: Double
    /// Seeds the random upstream gradient that makes the output a scalar.
    public var seed: UInt64

    /// A checker with its step, tolerances and seed (the defaults suit float32 and smooth ops).
    public init(
        step: Float = 1e-2, absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 2e-3,
        seed: UInt64 = 1
    ) {
        self.step = step
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.seed = seed
    }

    /// Checks the gradients of `function` with respect to every element of every input and of every
    /// parameter in `parameters` (which `function` reads through `Parameter.value`). Parameters' values are
    /// restored afterwards and their gradients cleared.
    public func run(_ inputs: [Tensor], parameters: [Parameter] = [], _ function: ([Tensor]) -> Tensor) -> Result {
        for p in parameters { p.zeroGrad() }
        let leaves = inputs.map { $0.detached().requiringGradient() }
        let output = function(leaves)
        var generator = KeelRandom(seed: seed)
        let upstream = Tensor.uniform(output.shape, low: -1, high: 1, generator: &generator)
        (output * upstream).sum().backward()

        func loss(_ values: [Tensor]) -> Double {
            withoutGradients {
                let y = function(values)
                ensure(y.shape == upstream.shape, "gradient check: output shape changed from \(upstream.shape) to \(y.shape)")
                var total = 0.0
                for (a, b) in zip(y.scalars, upstream.scalars) { total += Double(a) * Double(b) }
                return total
            }
        }

        var result = Result()
        func compare(_ index: Int, _ element: Int, analytic: Float, plus: Double, minus: Double) {
            let numeric = (plus - minus) / (2 * Double(step))
            let exact = Double(analytic)
            let error = Swift.abs(exact - numeric)
            result.checkedElements += 1
            if error > absoluteTolerance + relativeTolerance * Swift.abs(numeric) { result.passed = false }
            if result.worst == nil || error > result.maxAbsoluteError {
                result.maxAbsoluteError = error
                result.worst = (index, element, exact, numeric)
            }
        }

        let plain = inputs.map { $0.detached() }
        for (i, input) in inputs.enumerated() {
            let analytic = (leaves[i].gradient ?? Tensor.zeros(input.shape)).scalars
            for j in 0..<input.count {
                var values = plain
                let original = input.scalars[j]
                values[i].withUnsafeMutablePointer { $0[j] = original + step }
                let plus = loss(values)
                values[i].withUnsafeMutablePointer { $0[j] = original - step }
                compare(i, j, analytic: analytic[j], plus: plus, minus: loss(values))
            }
        }
        for (k, parameter) in parameters.enumerated() {
            let analytic = (parameter.grad ?? Tensor.zeros(parameter.shape)).scalars
            let saved = parameter.value.detached()
            for j in 0..<saved.count {
                var perturbed = saved
                perturbed.withUnsafeMutablePointer { $0[j] += step }
                parameter.value = perturbed
                let plus = loss(plain)
                perturbed = saved
                perturbed.withUnsafeMutablePointer { $0[j] -= step }
                parameter.value = perturbed
                compare(inputs.count + k, j, analytic: analytic[j], plus: plus, minus: loss(plain))
            }
            parameter.value = saved
            parameter.zeroGrad()
        }
        return result
    }
}
