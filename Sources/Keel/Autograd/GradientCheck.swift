/// Compares autograd's gradients with central finite differences.
///
/// For inputs x₁…xₙ and a function f, it takes the scalar L = Σ f(x) ⊙ u with a fixed random upstream u,
/// differentiates it by `backward()`, and estimates each ∂L/∂xᵢⱼ as (L(x + h) − L(x − h)) / 2h with L
/// accumulated in double precision. An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
public struct GradientCheck {
    public struct Result: CustomStringConvertible {
        /// Largest |analytic − numeric| over all checked elements.
        public var maxAbsoluteError: Double = 0
        /// The worst element: (input, element, analytic, numeric).
        public var worst: (input: Int, element: Int, analytic: Double, numeric: Double)?
        public var passed = true
        public var checkedElements = 0

        public var description: String {
            guard let worst else { return "gradient check: no elements" }
            return "gradient check \(passed ? "passed" : "FAILED") over \(checkedElements) elements; worst: input " +
                "\(worst.input) element \(worst.element): analytic \(worst.analytic), numeric \(worst.numeric)"
        }
    }

    public var step: Float
    public var absoluteTolerance: Double
    public var relativeTolerance: Double
    public var seed: UInt64

    public init(step: Float = 1e-2, absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 2e-3,
                seed: UInt64 = 1) {
        self.step = step
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.seed = seed
    }

    /// Checks the gradients of `function` with respect to every element of every input.
    public func run(_ inputs: [Tensor], _ function: ([Tensor]) -> Tensor) -> Result {
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
        for (i, input) in inputs.enumerated() {
            let analytic = (leaves[i].gradient ?? Tensor.zeros(input.shape)).scalars
            let base = input.scalars
            for j in 0..<input.count {
                var values = inputs.map { $0.detached() }
                let original = base[j]
                values[i] = input.detached()
                values[i].withUnsafeMutablePointer { $0[j] = original + step }
                let plus = loss(values)
                values[i].withUnsafeMutablePointer { $0[j] = original - step }
                let minus = loss(values)
                let numeric = (plus - minus) / (2 * Double(step))
                let exact = Double(analytic[j])
                let error = Swift.abs(exact - numeric)
                result.checkedElements += 1
                if error > absoluteTolerance + relativeTolerance * Swift.abs(numeric) { result.passed = false }
                if result.worst == nil || error > result.maxAbsoluteError {
                    result.maxAbsoluteError = error
                    result.worst = (i, j, exact, numeric)
                }
            }
        }
        return result
    }
}
