import KeelTestSupport
import Testing

@testable import Keel

/// Every differentiable op passes a central-difference gradient check, and the autograd machinery
/// (accumulation, no-grad scopes, graph release, parameters) behaves as documented.
struct GradientCheckTests {
    static func check(
        _ shapes: [[Int]], low: Float = -1, high: Float = 1, seed: UInt64 = 7,
        step: Float = 1e-2, tolerance: Double = 2e-3, _ f: @escaping ([Tensor]) -> Tensor
    ) -> GradientCheck.Result {
        let inputs = shapes.enumerated().map { randomTensor($0.element, seed: seed + UInt64($0.offset), low: low, high: high) }
        return GradientCheck(step: step, absoluteTolerance: tolerance, relativeTolerance: tolerance).run(inputs, f)
    }

    @Test func arithmeticWithBroadcasting() {
        for (a, b) in [([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [2, 1]), ([3], []), ([1, 3], [2, 1])] {
            #expect(Self.check([a, b]) { $0[0] + $0[1] }.passed, "add \(a) \(b)")
            #expect(Self.check([a, b]) { $0[0] - $0[1] }.passed, "subtract \(a) \(b)")
            #expect(Self.check([a, b]) { $0[0] * $0[1] }.passed, "multiply \(a) \(b)")
            #expect(Self.check([a, b]) { $0[0] / ($0[1] * $0[1] + 1) }.passed, "divide \(a) \(b)")
        }
        #expect(Self.check([[3, 2]]) { -$0[0] * 2 + 1 - 3 / ($0[0] + 4) }.passed)
    }

    @Test func unaryMath() {
        #expect(Self.check([[3, 4]]) { $0[0].exp() }.passed)
        #expect(Self.check([[3, 4]], low: 0.5, high: 3) { $0[0].log() }.passed)
        #expect(Self.check([[3, 4]], low: 0.5, high: 3) { $0[0].sqrt() }.passed)
        #expect(Self.check([[3, 4]], low: 0.5, high: 2) { $0[0].pow(3.5) }.passed)
        #expect(Self.check([[3, 4]]) { $0[0].pow(2) }.passed)
        #expect(Self.check([[2, 3], [3]], low: 0.5, high: 2) { $0[0].pow($0[1]) }.passed)
        // Non-smooth ops are checked on inputs away from their kinks.
        let awayFromZero = Tensor([-2, -1.3, -0.4, 0.3, 0.9, 2.2])
        #expect(GradientCheck().run([awayFromZero]) { $0[0].abs() }.passed)
        #expect(GradientCheck().run([awayFromZero]) { $0[0].relu() }.passed)
        #expect(GradientCheck().run([awayFromZero]) { $0[0].clamp(min: -1, max: 1) }.passed)
        let other = Tensor([-1.5, -1.7, 0.1, 0.5, 1.1, 2.0])
        #expect(GradientCheck().run([awayFromZero, other]) { maximum($0[0], $0[1]) }.passed)
        #expect(GradientCheck().run([awayFromZero, other]) { minimum($0[0], $0[1]) }.passed)
    }

    @Test func reductions() {
        #expect(Self.check([[3, 4, 5]]) { $0[0].sum() }.passed)
        #expect(Self.check([[3, 4, 5]]) { $0[0].sum(axes: [0, 2]) }.passed)
        #expect(Self.check([[3, 4, 5]]) { $0[0].sum(axis: -1, keepDims: true) }.passed)
        #expect(Self.check([[3, 4, 5]]) { $0[0].mean(axes: [1]) }.passed)
        #expect(Self.check([[3, 4, 5]]) { $0[0].mean() }.passed)
        #expect(Self.check([[3, 4, 5]]) { $0[0].variance(axes: [0, 2]) }.passed)
        #expect(Self.check([[6, 5]]) { $0[0].variance(axes: [1], correction: 0, keepDims: true) }.passed)
        let distinct = Tensor(shape: [3, 4], scalars: [0.1, 2.3, -1.0, 0.7, 1.9, -0.2, 0.5, 3.1, -2.2, 0.9, 1.4, 0.0])
        #expect(GradientCheck().run([distinct]) { $0[0].max(axis: 1) }.passed)
        #expect(GradientCheck().run([distinct]) { $0[0].max() }.passed)
        #expect(GradientCheck().run([distinct]) { $0[0].min(axes: [0]) }.passed)
        #expect(Self.check([[2, 1, 3]]) { $0[0].expanded(to: [4, 2, 5, 3]) }.passed)
    }

    @Test func shapeOps() {
        #expect(Self.check([[2, 3, 4]]) { $0[0].reshaped([4, -1]) }.passed)
        #expect(Self.check([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]) }.passed)
        #expect(Self.check([[2, 3, 4]]) { $0[0].transposed() }.passed)
        #expect(Self.check([[2, 3, 4]]) { $0[0].flattened(from: 1) }.passed)
        #expect(Self.check([[5, 3]]) { $0[0][rows: 1..<4] }.passed)
        #expect(Self.check([[2, 5, 3]]) { $0[0].slice(axis: 1, 2..<5) }.passed)
        #expect(Self.check([[5, 3]]) { $0[0].gatherRows([4, 0, 4, 2]) }.passed)
        #expect(Self.check([[2, 3], [2, 1], [2, 4]]) { Tensor.concatenate($0, axis: 1) }.passed)
        #expect(Self.check([[2, 3], [1, 3]]) { Tensor.concatenate($0, axis: 0) }.passed)
    }

    @Test func matrixProducts() {
        #expect(Self.check([[3, 5], [5, 4]]) { matmul($0[0], $0[1]) }.passed)
        #expect(Self.check([[2, 3, 5], [2, 5, 4]]) { matmul($0[0], $0[1]) }.passed)
        #expect(Self.check([[2, 3, 5], [5, 4]]) { matmul($0[0], $0[1]) }.passed)
        #expect(Self.check([[3, 5], [2, 5, 4]]) { matmul($0[0], $0[1]) }.passed)
        #expect(Self.check([[2, 1, 3, 5], [3, 5, 2]]) { matmul($0[0], $0[1]) }.passed)
    }

    @Test func compositeExpressionsAndReuse() {
        // A value used several times: gradients from every use add up.
        #expect(
            Self.check([[4, 3], [3]]) { x in
                let h = (matmul(x[0], x[0].transposed()) + 1).relu()
                return (h * h).sum(axis: 1) + x[1].sum() * x[0].mean()
            }.passed)
        // A softmax cross-entropy built from primitives.
        #expect(
            Self.check([[4, 5]]) { x in
                let shifted = x[0] - x[0].max(axis: 1, keepDims: true).detached()
                let logSum = shifted.exp().sum(axis: 1, keepDims: true).log()
                return (shifted - logSum).slice(axis: 1, 0..<1).mean()
            }.passed)
    }

    @Test func checkerDetectsAWrongGradient() {
        // A deliberately wrong backward (2× the true gradient) must fail the check.
        let x = randomTensor([3, 3], seed: 2)
        let result = GradientCheck().run([x]) { v in
            let y = v[0] * v[0]
            return Tensor.record(y.detached(), op: "wrongSquare", inputs: [v[0]]) { g, _ in [g * v[0].detached() * 4] }
        }
        #expect(!result.passed)
    }
}

struct AutogradTests {
    @Test func backwardAccumulatesUntilZeroed() {
        let w = Parameter(Tensor([1, 2, 3]))
        (w.value * w.value).sum().backward()
        #expect(w.grad!.scalars == [2, 4, 6])
        (w.value * 3).sum().backward()
        #expect(w.grad!.scalars == [5, 7, 9])
        w.zeroGrad()
        #expect(w.grad == nil)
        w.value.sum().backward()
        #expect(w.grad!.scalars == [1, 1, 1])
    }

    @Test func withoutGradientsRecordsNothing() {
        let w = Parameter(Tensor([1, 2]))
        let y = withoutGradients { (w.value * 2).sum() }
        #expect(!y.requiresGradient)
        #expect((w.value * 2).requiresGradient)
        #expect(!(Tensor([1]) * 2).requiresGradient)
    }

    @Test func seedGradientForNonScalars() {
        let x = Tensor([[1, 2], [3, 4]]).requiringGradient()
        (x * x).backward(Tensor([[1, 0], [0, 2]]))
        #expect(x.gradient!.scalars == [2, 0, 0, 16])
    }

    @Test func graphIsReleasedAfterBackward() {
        weak var savedNode: GradientNode?
        let w = Parameter(Tensor([1, 2]))
        do {
            let hidden = w.value.exp()
            savedNode = hidden.node
            (hidden * 2).sum().backward()
            #expect(savedNode?.backwardFunction == nil)
        }
        #expect(savedNode == nil)
    }

    @Test func deepChainsDoNotOverflowTheStack() {
        let w = Parameter(Tensor([1]))
        var y = w.value
        for _ in 0..<20_000 { y = y * 1 }
        y.sum().backward()
        #expect(w.grad!.scalars == [1])
    }

    @Test func parameterValueUpdatesKeepCopiesIntact() {
        let w = Parameter(Tensor([1, 2]))
        let before = w.value
        w.update { p, n in for i in 0..<n { p[i] -= 1 } }
        #expect(before.scalars == [1, 2])
        #expect(w.value.scalars == [0, 1])
    }

    @Test func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        #expect(a.sharesStorage(with: b))
        b[1] = 9
        #expect(!a.sharesStorage(with: b))
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [1, 9, 3])
        let view = a.reshaped([3, 1])
        #expect(view.sharesStorage(with: a))
    }
}
