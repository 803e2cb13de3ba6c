import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData

struct SamplerTests {
    // Imbalanced labels: class 0 ×10, class 1 ×3, class 2 ×1.
    static let labels: [Int32] = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 3) + [2]

    @Test func labelShuffleBalancesClasses() {
        for epoch in 0..<5 {
            let order = Sampler.labelShuffle.order(labels: Self.labels, seed: 3, epoch: epoch)
            #expect(order.count == 30)
            let perClass = (0..<3).map { c in order.filter { Self.labels[$0] == Int32(c) }.count }
            #expect(perClass == [10, 10, 10], "every class appears as often as the largest")
            for i in Self.labels.indices {
                let classSize = Self.labels.filter { $0 == Self.labels[i] }.count
                let times = order.filter { $0 == i }.count
                #expect(times >= 10 / classSize && times <= (10 + classSize - 1) / classSize, "sample \(i) appears \(times) times")
            }
            #expect(order == Sampler.labelShuffle.order(labels: Self.labels, seed: 3, epoch: epoch))
        }
        #expect(
            Sampler.labelShuffle.order(labels: Self.labels, seed: 3, epoch: 0) != Sampler.labelShuffle.order(labels: Self.labels, seed: 3, epoch: 1))
        #expect(Sampler.labelShuffle.epochLength(labels: Self.labels) == 30)
    }

    @Test func weightedSamplerFollowsTheWeights() {
        let weights: [Double] = [1, 3, 0, 6]
        let order = Sampler.weighted(weights: weights, count: 20_000).order(labels: [0, 0, 0, 0], seed: 1, epoch: 0)
        let frequencies = (0..<4).map { i in Double(order.filter { $0 == i }.count) / 20_000 }
        #expect(frequencies[2] == 0)
        for (f, w) in zip(frequencies, weights) { #expect(Swift.abs(f - w / 10) < 0.015) }
    }

    @Test func loaderUsesTheSampler() {
        let dataset = TensorDataset(features: Tensor.zeros([14, 2]), labels: Self.labels, classCount: 3)
        let loader = DataLoader(dataset, batchSize: 8, seed: 2, sampler: .labelShuffle)
        #expect(loader.batchesPerEpoch == 4)
        #expect(loader.batchIndices(epoch: 0).flatMap { $0 }.count == 30)
        #expect(DataLoader(dataset, batchSize: 5, shuffle: false).order(epoch: 4) == Array(0..<14))
    }
}
