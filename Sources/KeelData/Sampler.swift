import Keel

/// The order in which a DataLoader visits samples each epoch; every order is drawn from the stream
/// (seed, epoch), so any epoch can be reproduced on its own.
public enum Sampler: Sendable, Equatable {
    /// 0, 1, 2, … every epoch.
    case sequential
    /// A fresh permutation every epoch.
    case random
    /// Label shuffle (class balancing): each class's samples are padded to the largest class's count by a
    /// random permutation taken modulo the class size, all lists are concatenated and shuffled. Every class
    /// appears equally often, every sample at least ⌊max/n_c⌋ times per epoch.
    case labelShuffle
    /// `count` draws with replacement, sample i with probability weights[i] / Σ weights.
    case weighted(weights: [Double], count: Int)

    /// Indices of one epoch.
    public func order(labels: [Int32], seed: UInt64, epoch: Int) -> [Int] {
        var g = KeelRandom(seed: seed, stream: [0x5A, UInt64(epoch)])
        switch self {
        case .sequential:
            return Array(labels.indices)
        case .random:
            var order = Array(labels.indices)
            Sampler.shuffle(&order, &g)
            return order
        case .labelShuffle:
            var byClass: [Int32: [Int]] = [:]
            for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
            let largest = byClass.values.map(\.count).max() ?? 0
            var order: [Int] = []
            for label in byClass.keys.sorted() {
                let members = byClass[label]!
                var permutation = Array(0..<largest)
                Sampler.shuffle(&permutation, &g)
                order += permutation.map { members[$0 % members.count] }
            }
            Sampler.shuffle(&order, &g)
            return order
        case .weighted(let weights, let count):
            let total = weights.reduce(0, +)
            var cumulative: [Double] = []
            var running = 0.0
            for w in weights {
                running += w / total
                cumulative.append(running)
            }
            return (0..<count).map { _ in
                let u = g.nextUniformDouble()
                var low = 0
                var high = cumulative.count - 1
                while low < high {
                    let mid = (low + high) / 2
                    if cumulative[mid] > u { high = mid } else { low = mid + 1 }
                }
                return low
            }
        }
    }

    /// Samples per epoch for a dataset with these labels.
    public func epochLength(labels: [Int32]) -> Int {
        switch self {
        case .sequential, .random: return labels.count
        case .labelShuffle:
            var counts: [Int32: Int] = [:]
            for l in labels { counts[l, default: 0] += 1 }
            return (counts.values.max() ?? 0) * counts.count
        case .weighted(_, let count): return count
        }
    }

    /// Fisher–Yates with an unbiased bounded draw (Lemire's multiply-shift with rejection).
    static func shuffle(_ a: inout [Int], _ g: inout KeelRandom) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let bound = UInt64(i + 1)
            var product = g.next().multipliedFullWidth(by: bound)
            if product.low < bound {
                let threshold = (0 &- bound) % bound
                while product.low < threshold { product = g.next().multipliedFullWidth(by: bound) }
            }
            a.swapAt(i, Int(product.high))
        }
    }
}
