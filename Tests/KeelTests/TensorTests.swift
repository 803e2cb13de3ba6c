import KeelTestSupport
import Testing

@testable import Keel

struct TensorCreationTests {
    @Test func creation() {
        #expect(Tensor.zeros([2, 3]).scalars == Array(repeating: 0, count: 6))
        #expect(Tensor.ones([2]).scalars == [1, 1])
        #expect(Tensor.full([2, 2], 7).scalars == [7, 7, 7, 7])
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.arange(5, 0, step: -2).scalars == [5, 3, 1])
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(m.shape == [2, 3])
        #expect(m[1, 2] == 6)
        #expect(Tensor(3).shape == [])
        #expect(Tensor(3).scalar == 3)
        #expect(Tensor.zeros([0, 4]).count == 0)
    }

    @Test func seededRandomIsReproducible() {
        var g1 = KeelRandom(seed: 5)
        var g2 = KeelRandom(seed: 5)
        var g3 = KeelRandom(seed: 6)
        let a = Tensor.normal([1000], generator: &g1)
        #expect(a.scalars == Tensor.normal([1000], generator: &g2).scalars)
        #expect(a.scalars != Tensor.normal([1000], generator: &g3).scalars)
        // Moments of 10⁵ samples.
        var g = KeelRandom(seed: 9)
        let n = Tensor.normal([100_000], mean: 2, std: 3, generator: &g)
        #expect(Swift.abs(n.mean().scalar - 2) < 0.05)
        #expect(Swift.abs(n.variance().scalar.squareRoot() - 3) < 0.05)
        let u = Tensor.uniform([100_000], low: -2, high: 4, generator: &g)
        #expect(u.min().scalar >= -2 && u.max().scalar < 4)
        #expect(Swift.abs(u.mean().scalar - 1) < 0.05)
        // Streams: distinct per stream, reproducible.
        var s1 = KeelRandom(seed: 1, stream: [0, 3])
        var s2 = KeelRandom(seed: 1, stream: [0, 3])
        var s3 = KeelRandom(seed: 1, stream: [3, 0])
        let first = s1.next()
        #expect(first == s2.next())
        #expect(first != s3.next())
    }

    @Test func xoshiroMatchesItsReferenceSequence() {
        // Seeded by SplitMix64(0), xoshiro256** gives the published reference values.
        var g = KeelRandom(seed: 0)
        #expect(g.state.0 == 0xE220_A839_7B1D_CDAF)
        let outputs = (0..<3).map { _ in g.next() }
        #expect(outputs == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
    }

    @Test func description() {
        let text = Tensor([[1, 2.5], [3, -4]]).description
        #expect(text.contains("shape: [2, 2]"))
        #expect(text.contains("[[1., 2.5],"))
        #expect(text.contains("[3., -4.]]"))
        let long = Tensor.arange(0, 100).description
        #expect(long.contains("[0., 1., 2., ..., 97., 98., 99.]"))
        #expect(Tensor([.nan, .infinity]).description.contains("[nan, inf]"))
    }
}

struct TensorOpTests {
    @Test func broadcastingArithmetic() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect((a + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * Tensor(shape: [2, 1], scalars: [2, 3])).scalars == [2, 4, 6, 12, 15, 18])
        #expect((a - 1).scalars == [0, 1, 2, 3, 4, 5])
        #expect((1 - a).scalars == [0, -1, -2, -3, -4, -5])
        #expect((a / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        let outer = Tensor(shape: [3, 1], scalars: [1, 2, 3]) * Tensor(shape: [1, 2], scalars: [10, 100])
        #expect(outer.shape == [3, 2])
        #expect(outer.scalars == [10, 100, 20, 200, 30, 300])
        let rank3 = Tensor.ones([2, 1, 3]) + Tensor(shape: [4, 1], scalars: [0, 1, 2, 3])
        #expect(rank3.shape == [2, 4, 3])
        #expect(rank3[1, 2, 0] == 3)
    }

    @Test func largeBroadcastMatchesSmallLoop() {
        // Large enough to run on several threads and through the general broadcast path.
        let a = randomTensor([64, 33, 40], seed: 1)
        let b = randomTensor([33, 1], seed: 2)
        let c = a * b
        let pa = a.scalars
        let pb = b.scalars
        let pc = c.scalars
        var worst: Float = 0
        for i in 0..<64 {
            for j in 0..<33 {
                for k in 0..<40 {
                    worst = Swift.max(worst, Swift.abs(pc[(i * 33 + j) * 40 + k] - pa[(i * 33 + j) * 40 + k] * pb[j]))
                }
            }
        }
        #expect(worst == 0)
    }

    @Test func math() {
        let x = Tensor([0.25, 1, 4])
        #expect(x.sqrt().scalars == [0.5, 1, 2])
        #expect(x.log().exp().isClose(to: x))
        #expect(x.pow(2).scalars == [0.0625, 1, 16])
        #expect(Tensor([-2, 0, 3]).abs().scalars == [2, 0, 3])
        #expect(Tensor([-2, 0.5, 3]).clamp(min: 0, max: 1).scalars == [0, 0.5, 1])
        #expect(maximum(Tensor([1, 5]), Tensor([3, 2])).scalars == [3, 5])
        #expect(minimum(Tensor([1, 5]), Tensor([3, 2])).scalars == [1, 2])
        #expect(maximum(Tensor([.nan]), Tensor([1])).scalars[0].isNaN)
        #expect(Tensor([-1, 2]).relu().scalars == [0, 2])
        #expect(Tensor([.nan]).relu().scalars[0].isNaN)  // NaN propagates, as in PyTorch
    }

    @Test func reductions() {
        let a = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        #expect(a.sum().scalar == 66)
        #expect(a.sum(axis: 0).scalars == [6, 8, 10, 12, 14, 16])
        #expect(a.sum(axes: [0, 2]).scalars == [14, 22, 30])
        #expect(a.sum(axes: [1], keepDims: true).shape == [2, 1, 2])
        #expect(a.sum(axis: -1).scalars == [1, 5, 9, 13, 17, 21])
        #expect(a.mean(axis: 1).scalars == [2, 3, 8, 9])
        #expect(a.max(axis: 1).scalars == [4, 5, 10, 11])
        #expect(a.max().scalar == 11)
        #expect(a.min(axes: [0, 1]).scalars == [0, 1])
        #expect(Tensor([1, 2, 3, 4]).variance().scalar == 5.0 / 3)
        #expect(Tensor([1, 2, 3, 4]).variance(correction: 0).scalar == 1.25)
        let m = Tensor([[1, 9, 3], [7, 2, 7]])
        #expect(m.argmax(axis: 1).scalars == [1, 0])  // ties: first index
        #expect(m.argmax(axis: 0).scalars == [1, 0, 1])
        #expect(Tensor.zeros([3, 0]).sum(axis: 1).scalars == [0, 0, 0])
    }

    @Test func longSumIsAccurateAndThreadIndependent() {
        let x = randomTensor([1_000_003], seed: 3, low: 0, high: 1)
        let one = withThreads(1) { x.sum().scalar }
        let two = withThreads(2) { x.sum().scalar }
        #expect(one == two)
        let exact = x.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(Swift.abs(Double(one) - exact) / exact < 1e-6)
        let rows = randomTensor([300, 500], seed: 4)
        #expect(withThreads(1) { rows.sum(axis: 0).scalars } == withThreads(2) { rows.sum(axis: 0).scalars })
        #expect(withThreads(1) { rows.sum(axis: 1).scalars } == withThreads(2) { rows.sum(axis: 1).scalars })
    }

    @Test func shapeOps() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(a.reshaped([3, -1]).shape == [3, 2])
        #expect(a.transposed().scalars == [1, 4, 2, 5, 3, 6])
        let b = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let p = b.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p[3, 1, 2] == b[1, 2, 3])
        #expect(b.flattened(from: 1).shape == [2, 12])
        #expect(a[rows: 1..<2].scalars == [4, 5, 6])
        #expect(b.slice(axis: 2, 1..<3).scalars == [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        #expect(a.gatherRows([1, 1, 0]).scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
        let c = Tensor.concatenate([a, Tensor([[7], [8]])], axis: 1)
        #expect(c.scalars == [1, 2, 3, 7, 4, 5, 6, 8])
        #expect(Tensor.concatenate([a, a], axis: 0).shape == [4, 3])
        #expect(Tensor([1, 2]).expanded(to: [2, 2]).scalars == [1, 2, 1, 2])
    }

    @Test func matmulValues() {
        let a = Tensor([[1, 2], [3, 4]])
        let b = Tensor([[5, 6], [7, 8]])
        #expect(matmul(a, b).scalars == [19, 22, 43, 50])
        let batch = Tensor.concatenate([a.reshaped([1, 2, 2]), b.reshaped([1, 2, 2])], axis: 0)
        #expect(matmul(batch, a).scalars == [7, 10, 15, 22, 23, 34, 31, 46])
        #expect(matmul(batch, batch).scalars == [7, 10, 15, 22, 67, 78, 91, 106])
        #expect(matmul(a, batch).shape == [2, 2, 2])
    }

    @Test func comparisons() {
        let a = Tensor([1, 2, 3])
        let b = Tensor([3, 2, 1])
        #expect(a.equal(b).scalars == [0, 1, 0])
        #expect(a.notEqual(b).scalars == [1, 0, 1])
        #expect(a.greater(b).scalars == [0, 0, 1])
        #expect(a.greaterEqual(b).scalars == [0, 1, 1])
        #expect(a.less(b).scalars == [1, 0, 0])
        #expect(a.lessEqual(b).scalars == [1, 1, 0])
        // Accuracy of predictions against labels, the way metrics use it.
        let logits = Tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
        #expect(logits.argmax(axis: 1).equal(Tensor([1, 1, 1])).mean().scalar == 2.0 / 3)
    }
}

/// Shape mistakes stop the program with a message naming the op and both shapes.
struct ShapeErrorTests {
    @Test func broadcastMismatchNamesOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("add: shapes [2, 3] and [4] cannot be broadcast together"), "\(text)")
    }

    @Test func matmulMismatchNamesShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("matmul: shapes [2, 3] and [4, 5] are not aligned"), "\(text)")
    }

    @Test func convChannelMismatchNamesShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros([1, 3, 8, 8]), weight: Tensor.zeros([4, 2, 3, 3]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("conv2d: input of shape [1, 3, 8, 8]") && text.contains("[4, 2, 3, 3]"), "\(text)")
    }

    @Test func reshapeAndAxisErrors() async {
        let reshape = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
        let reshapeText = String(decoding: reshape?.standardErrorContent ?? [], as: UTF8.self)
        #expect(reshapeText.contains("reshape: cannot reshape shape [2, 3] (6 elements) to [4, 2]"))
        let axis = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(axis: 2)
        }
        let axisText = String(decoding: axis?.standardErrorContent ?? [], as: UTF8.self)
        #expect(axisText.contains("sum: axis 2 is out of range for shape [2, 3]"))
    }
}
