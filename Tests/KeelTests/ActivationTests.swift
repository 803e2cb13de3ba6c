import CKeelKernels
import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// Every activation against PyTorch (activations-torch.json): |keel − ref| ≤ 1e-6 + 1e-5·|ref| for values
/// and derivatives, at every instruction-set level; extreme inputs; gradient checks.
struct ActivationReferenceTests {
    struct Case: CustomStringConvertible, @unchecked Sendable {
        let object: [String: Any]
        var name: String { object["activation"] as! String }
        var description: String { name }
        var activation: Activation {
            let params = object["params"] as? [String: Any] ?? [:]
            func f(_ key: String) -> Float? { (params[key] as? NSNumber)?.floatValue }
            let base = name == "leaky_relu_0.5" ? "leaky_relu" : name
            return Activation(
                name: base, negativeSlope: f("negative_slope"), alpha: f("alpha"), beta: f("beta"),
                threshold: f("threshold"))!
        }
    }

    static let all = Fixtures.cases("activations-torch.json").map(Case.init)
    static let elementwise = all.filter { $0.object["x"] != nil }

    static func within(_ value: Float, _ reference: Double) -> Bool {
        if !reference.isFinite { return Double(value) == reference }
        return value.isFinite && Swift.abs(Double(value) - reference) <= 1e-6 + 1e-5 * Swift.abs(reference)
    }

    @Test(arguments: elementwise)
    func valuesAndDerivativesMatchPyTorch(_ c: Case) {
        let x = Tensor((c.object["x"] as! [Double]).map(Float.init))
        let y = Fixtures.doubles(c.object["y"])
        let dy = Fixtures.doubles(c.object["dy"])
        for level in KernelLevel.available {
            let leaf = x.requiringGradient()
            let out = KernelLevel.with(level) { leaf.activation(c.activation) }
            KernelLevel.with(level) { out.backward(Tensor.ones(x.shape)) }
            let values = out.scalars
            let derivatives = leaf.gradient!.scalars
            for i in 0..<x.count {
                #expect(Self.within(values[i], y[i]), "\(c.name) level \(level): f(\(x.scalars[i])) = \(values[i]), PyTorch \(y[i])")
                #expect(
                    Self.within(derivatives[i], dy[i]),
                    "\(c.name) level \(level): f′(\(x.scalars[i])) = \(derivatives[i]), PyTorch \(dy[i])")
            }
        }
    }

    @Test func softmaxRowsMatchPyTorch() {
        for c in Self.all where c.object["rows"] != nil {
            for row in c.object["rows"] as! [[String: Any]] {
                let x = Tensor((row["x"] as! [Double]).map(Float.init)).requiringGradient()
                let out = c.name == "softmax" ? x.softmax(axis: -1) : x.logSoftmax(axis: -1)
                out.backward(Tensor((row["upstream"] as! [Double]).map(Float.init)))
                let y = Fixtures.doubles(row["y"])
                let dx = Fixtures.doubles(row["dx"])
                for i in 0..<x.count {
                    #expect(Self.within(out.scalars[i], y[i]), "\(c.name) \(x.scalars): y[\(i)] = \(out.scalars[i]), PyTorch \(y[i])")
                    #expect(
                        Self.within(x.gradient!.scalars[i], dx[i]), "\(c.name) \(x.scalars): dx[\(i)] = \(x.gradient!.scalars[i]), PyTorch \(dx[i])")
                }
            }
        }
    }

    /// Extreme inputs at every level: f and f′ finite and within 1e-6 + 1e-5·|ref| of the double-precision
    /// definitions (beyond the PyTorch fixture's −10…10), subnormals included.
    @Test(arguments: Activation.all)
    func finiteAndAccurateAtExtremeInputs(_ f: Activation) {
        let subnormals: [Float] = [Float.leastNonzeroMagnitude, Float(1e-20) * 1e-20, Float.leastNormalMagnitude.nextDown]
        let x: [Float] =
            [-1e4, -1000, -103.9, -88.72, -88.7, -30, -1e-7, -0.0, 0, 1e-7, 30, 88.7, 88.72, 103.9, 1000, 1e4]
            + subnormals + subnormals.map { -$0 }
        for level in KernelLevel.available {
            let (y, d) = KernelLevel.with(level) { (f.apply(to: Tensor(x)).scalars, f.derivative(at: Tensor(x)).scalars) }
            for i in x.indices {
                #expect(y[i].isFinite && d[i].isFinite, "\(f.name) \(level): f(\(x[i])) = \(y[i]), f′ = \(d[i])")
                let exact = Self.reference(f, Double(x[i]))
                let slope = Self.referenceDerivative(f, Double(x[i]))
                #expect(
                    Swift.abs(Double(y[i]) - exact) <= 1e-6 + 1e-5 * Swift.abs(exact),
                    "\(f.name) \(level): f(\(x[i])) = \(y[i]), expected \(exact)")
                #expect(
                    Swift.abs(Double(d[i]) - slope) <= 1e-6 + 1e-5 * Swift.abs(slope),
                    "\(f.name) \(level): f′(\(x[i])) = \(d[i]), expected \(slope)")
            }
            #expect(KernelLevel.with(level) { f.apply(to: Tensor([.nan])).scalars[0].isNaN }, "\(f.name) must propagate NaN")
        }
    }

    /// Double-precision derivatives with PyTorch's conventions at kinks, for the extreme-input checks.
    static func referenceDerivative(_ f: Activation, _ x: Double) -> Double {
        func sigmoid(_ t: Double) -> Double { t >= 0 ? 1 / (1 + Foundation.exp(-t)) : Foundation.exp(t) / (1 + Foundation.exp(t)) }
        func softplus(_ t: Double) -> Double { Swift.max(t, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(t))) }
        switch f {
        case .identity: return 1
        case .sigmoid: return sigmoid(x) * sigmoid(-x)
        case .tanh:
            let t = Foundation.tanh(x)
            return 1 - t * t
        case .relu: return x > 0 ? 1 : 0
        case .leakyReLU(let a): return x > 0 ? 1 : Double(a)
        case .softplus(let beta, let threshold): return Double(beta) * x > Double(threshold) ? 1 : sigmoid(Double(beta) * x)
        case .elu(let a): return x > 0 ? 1 : Double(a) * Foundation.exp(x)
        case .selu: return x > 0 ? 1.0507009873554805 : 1.0507009873554805 * 1.6732632423543772 * Foundation.exp(x)
        case .celu(let a): return x > 0 ? 1 : Foundation.exp(x / Double(a))
        case .gelu: return 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) + x * Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot()
        case .geluTanh:
            let beta = 0.7978845608028654
            let kappa = 0.044715
            let t = Foundation.tanh(beta * (x + kappa * x * x * x))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * beta * (1 + 3 * kappa * x * x)
        case .silu: return sigmoid(x) * (1 + x * sigmoid(-x))
        case .mish:
            let t = Foundation.tanh(softplus(x))
            return t + x * sigmoid(x) * (1 - t * t)
        case .hardSigmoid: return x > -3 && x < 3 ? 1.0 / 6 : 0
        case .hardSwish: return x <= -3 ? 0 : (x >= 3 ? 1 : x / 3 + 0.5)
        case .relu6: return x > 0 && x < 6 ? 1 : 0
        case .softsign: return 1 / ((1 + Swift.abs(x)) * (1 + Swift.abs(x)))
        case .logSigmoid: return sigmoid(-x)
        }
    }

    /// Double-precision definitions, for the extreme-input checks.
    static func reference(_ f: Activation, _ x: Double) -> Double {
        func softplus(_ t: Double) -> Double { Swift.max(t, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(t))) }
        func sigmoid(_ t: Double) -> Double { t >= 0 ? 1 / (1 + Foundation.exp(-t)) : Foundation.exp(t) / (1 + Foundation.exp(t)) }
        switch f {
        case .identity: return x
        case .sigmoid: return sigmoid(x)
        case .tanh: return Foundation.tanh(x)
        case .relu: return Swift.max(x, 0)
        case .leakyReLU(let a): return x > 0 ? x : Double(a) * x
        case .softplus(let beta, let threshold):
            return Double(beta) * x > Double(threshold) ? x : softplus(Double(beta) * x) / Double(beta)
        case .elu(let a): return x > 0 ? x : Double(a) * Foundation.expm1(x)
        case .selu: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Foundation.expm1(x))
        case .celu(let a): return x > 0 ? x : Double(a) * Foundation.expm1(x / Double(a))
        case .gelu: return 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
        case .geluTanh: return 0.5 * x * (1 + Foundation.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
        case .silu: return x * sigmoid(x)
        case .mish: return x * Foundation.tanh(softplus(x))
        case .hardSigmoid: return Swift.min(Swift.max(x / 6 + 0.5, 0), 1)
        case .hardSwish: return x * Swift.min(Swift.max(x + 3, 0), 6) / 6
        case .relu6: return Swift.min(Swift.max(x, 0), 6)
        case .softsign: return x / (1 + Swift.abs(x))
        case .logSigmoid: return -softplus(-x)
        }
    }

    @Test(arguments: Activation.all)
    func gradientCheck(_ f: Activation) {
        // Points away from the kinks at 0, ±3 and 6.
        let x = Tensor([-7.3, -4.1, -2.2, -0.9, -0.35, 0.27, 0.8, 1.7, 2.6, 4.4, 6.9])
        let result = GradientCheck(step: 1e-2, absoluteTolerance: 3e-3, relativeTolerance: 3e-3).run([x]) { $0[0].activation(f) }
        #expect(result.passed, "\(f.name): \(result)")
    }

    @Test func preluLearnsItsSlope() {
        let x = Tensor(shape: [2, 3, 2], scalars: [-1, 2, -3, 4, 0.5, -0.5, 1, -2, 3, -4, -0.5, 0.5])
        let layer = PReLU(channels: 3)
        #expect(layer(x).scalars == [-0.25, 2, -0.75, 4, 0.5, -0.125, 1, -0.5, 3, -1, -0.125, 0.5])
        let check = GradientCheck().run([x], parameters: [layer.weight]) { layer($0[0]) }
        #expect(check.passed, "\(check)")
        #expect(layer.namedParameters.map(\.name) == ["weight"])
    }

    @Test func namesRoundTrip() {
        for f in Activation.all { #expect(Activation(name: f.name) == f) }
        #expect(Activation(name: "leaky_relu", negativeSlope: 0.5) == .leakyReLU(negativeSlope: 0.5))
        #expect(Activation(name: "swish") == .silu)
        #expect(Activation(name: "nonsense") == nil)
        for level in KernelLevel.available {
            #expect(KernelLevel.with(level) { Activation.sigmoid(0) } == 0.5, "sigmoid(0) at \(level)")
            #expect(KernelLevel.with(level) { Activation.silu.derivative(1000) } == 1, "SiLU′(1000) at \(level)")
        }
        #expect(Activation.relu.derivative(2) == 1)
    }

    @Test func statisticsSeeDeadAndSaturatedUnits() {
        let layer = ReLU()
        var relu: ActivationStatistics?
        var sigmoidStatistics: ActivationStatistics?
        let first = ActivationStatistics.record(on: layer) { relu = $0 }
        // Unit 0 is negative for every sample (dead), unit 1 positive for one.
        _ = layer(Tensor([[-1, -2], [-3, 4]]))
        #expect(relu?.deadFraction == 0.5)
        let sigmoid = Sigmoid()
        let second = ActivationStatistics.record(on: sigmoid) { sigmoidStatistics = $0 }
        _ = sigmoid(Tensor([[-20, 0], [20, 0.1]]))
        #expect(sigmoidStatistics?.saturatedFraction == 0.5)
        #expect(sigmoidStatistics?.deadFraction == 0)
        // Removed hooks no longer run; evaluation mode records nothing.
        first.remove()
        second.remove()
        relu = nil
        _ = layer(Tensor([[1, 2]]))
        #expect(relu == nil && !layer.hasForwardHooks)
    }
}
