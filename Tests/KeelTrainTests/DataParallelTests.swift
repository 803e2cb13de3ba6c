import Foundation
import KeelDistributed
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

/// The summation tree, the collectives (ranks as threads) and data-parallel training's equality across rank counts.
struct DataParallelTests {
    /// Values whose sums round differently in different orders.
    func awkward(_ count: Int, seed: UInt64) -> [Float] {
        var g = KeelRandom(seed: seed)
        return (0..<count).map { _ in Float(g.nextNormal()) * powf(10, Float(g.next() % 7) - 3) }
    }

    /// `PairwiseSum.reduce` over copies of `parts`.
    func levelByLevel(_ parts: [[Float]]) -> [Float] {
        let count = parts[0].count
        let copies = parts.map { part -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            p.initialize(from: part, count: count)
            return p
        }
        defer { for p in copies { p.deallocate() } }
        PairwiseSum.reduce(copies, count: count)
        return Array(UnsafeBufferPointer<Float>(start: copies[0], count: count))
    }

    @Test func streamingSumIsTheLevelByLevelTree() {
        for parts in 1...33 {
            let values = (0..<parts).map { awkward(5, seed: UInt64($0)) }
            var streaming = StreamingPairwiseSum<[Float]> { older, newer in for i in older.indices { older[i] += newer[i] } }
            for v in values { streaming.add(v) }
            #expect(streaming.finish() == levelByLevel(values), "\(parts) parts")
        }
    }

    @Test func aRankRunOfPowerOfTwoPartsIsANodeOfTheTree() {
        // 8 parts over 1, 2, 4 and 8 ranks: each rank sums its parts, the ranks' sums are summed — the same bits.
        let parts: [Float] = [1e8, 1, -1e8, 1, 0.5, 0.25, 1e-3, 7]
        func tree(_ values: [Float]) -> Float {
            var s = StreamingPairwiseSum<Float> { $0 += $1 }
            for v in values { s.add(v) }
            return s.finish()!
        }
        let whole = tree(parts)
        for ranks in [2, 4, 8] {
            let per = 8 / ranks
            #expect(tree((0..<ranks).map { r in tree(Array(parts[(r * per)..<((r + 1) * per)])) }) == whole, "\(ranks) ranks")
        }
        #expect(parts.reduce(0, +) != whole, "a left-to-right sum rounds differently, so the test can fail")
    }

    /// Runs `body(rank's communicator)` on one thread per rank and returns the results in rank order.
    func onRanks<R>(_ size: Int, _ body: @escaping (any Communicator) throws -> R) -> [R] {
        let group = LocalCommunicatorGroup(size: size)
        let box = RankResults<R>(size, body)
        let done = DispatchGroup()
        let lock = NSLock()
        for r in 0..<size {
            done.enter()
            let thread = Thread {
                let value = try! box.body(group.communicators[r])
                lock.withLock { box.results[r] = value }
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return box.results.map { $0! }
    }

    @Test func allReduceIsTheTreeOverRanksOnEveryRank() {
        for size in 1...4 {
            let count = 11  // not a multiple of the ranks: the last block is padded
            let results = onRanks(size) { c -> [Float] in
                var values = awkward(count, seed: UInt64(100 + c.rank))
                try values.withUnsafeMutableBufferPointer { try c.allReduceSum($0) }
                return values
            }
            let expected = levelByLevel((0..<size).map { awkward(count, seed: UInt64(100 + $0)) })
            for (r, result) in results.enumerated() { #expect(result == expected, "rank \(r) of \(size)") }
        }
    }

    @Test func gatherAndBroadcast() {
        let results = onRanks(3) { c -> ([Float], [Float]) in
            let gathered = try c.allGather([Float(c.rank), Float(c.rank * 10)])
            var values: [Float] = c.rank == 2 ? [7, 8, 9] : [0, 0, 0]
            try c.broadcast(&values, from: 2)
            try c.barrier()
            return (gathered, values)
        }
        for (gathered, broadcast) in results {
            #expect(gathered == [0, 0, 1, 10, 2, 20])
            #expect(broadcast == [7, 8, 9])
        }
    }

    @Test func shardPlanSplitsByPosition() {
        let plan = ShardPlan(shards: 4, ranks: 2, rank: 1)
        #expect(plan.shardRanges(count: 10) == [0..<2, 2..<5, 5..<7, 7..<10])
        #expect(plan.localShards == 2..<4)
        #expect(plan.localRows(count: 10) == 5..<10)
        #expect(ShardPlan(shards: 4).shardRanges(count: 2) == [0..<0, 0..<1, 1..<1, 1..<2], "a short batch leaves empty shards")
        #expect(ShardPlan.problem(shards: 4, ranks: 3) != nil)
        #expect(ShardPlan.problem(shards: 6, ranks: 2) != nil, "3 shards per rank is not a node of the tree")
        #expect(ShardPlan.problem(shards: 8, ranks: 2) == nil)
    }

    /// A trainer for the MLP with dropout of `makeRun`, sharded 4 ways, on `communicator`.
    func shardedTrainer(_ communicator: any Communicator, clip: Float? = nil) -> Trainer {
        let trainer = makeRun(seed: 3)
        (trainer.shards, trainer.communicator, trainer.gradientClipNorm) = (4, communicator, clip)
        trainer.progress = ProgressReporter(style: .silent)
        return trainer
    }

    @Test func oneTwoAndFourRanksTrainTheSameBits() throws {
        let data = blobs(count: 150, seed: 1)
        func weights(ranks: Int, onePass: Bool = true) -> [[Float]] {
            onRanks(ranks) { c -> [Float] in
                let trainer = shardedTrainer(c, clip: 5)
                trainer.shardedForwardPass = onePass
                try trainer.synchronizeModel()
                // Batches of 24 (150 = 6 × 24 + 6: the last batch leaves shards of 1 and 2 samples).
                try trainer.fit(DataLoader(data, batchSize: 24, shuffle: true, seed: 5), epochs: 2)
                return trainer.model.parameters.flatMap { $0.value.scalars } + trainer.history.iterations.map(\.loss)
            }
        }
        let one = weights(ranks: 1)[0]
        for ranks in [2, 4] {
            for (r, w) in weights(ranks: ranks).enumerated() { #expect(w == one, "rank \(r) of \(ranks): weights and losses") }
        }
        // One pass per shard (what batch norm needs) gives the bits of one pass over the rank's samples.
        #expect(weights(ranks: 1, onePass: false)[0] == one)
        #expect(weights(ranks: 2, onePass: false)[1] == one)
        // The shards change the rounding (and dropout's masks), so one unsharded process differs.
        let unsharded = makeRun(seed: 3)
        unsharded.progress = ProgressReporter(style: .silent)
        unsharded.gradientClipNorm = 5
        try unsharded.fit(DataLoader(data, batchSize: 24, shuffle: true, seed: 5), epochs: 2)
        #expect(unsharded.model.parameters.flatMap { $0.value.scalars } != Array(one.prefix(unsharded.model.parameterCount)))
    }

    @Test func aConvolutionNetworkTrainsTheSameBitsInOnePassOrOnePerShard() throws {
        // Images 1×8×8 of two classes (bright top or bright bottom), a conv + ReLU (fused), pooling, dropout, linear.
        var g = KeelRandom(seed: 9)
        let count = 40
        var pixels: [Float] = []
        for i in 0..<count { for y in 0..<8 { for _ in 0..<8 { pixels.append((y < 4) == (i % 2 == 0) ? 1 : 0 + Float(g.nextNormal()) * 0.1) } } }
        let data = TensorDataset(
            features: Tensor(shape: [count, 1, 8, 8], scalars: pixels), labels: (0..<count).map { Int32($0 % 2) }, classCount: 2)
        func weights(onePass: Bool, ranks: Int) -> [Float] {
            onRanks(ranks) { c -> [Float] in
                var g = KeelRandom(seed: 4)
                let model = Sequential {
                    Conv2d(1, 4, kernelSize: 3, generator: &g)
                    ReLU()
                    MaxPool2d(kernelSize: 2)
                    Flatten()
                    Dropout(0.3, seed: 7)
                    Linear(36, 2, generator: &g)
                }
                let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.1, momentum: 0.9))
                (trainer.shards, trainer.communicator, trainer.shardedForwardPass) = (4, c, onePass)
                trainer.progress = ProgressReporter(style: .silent)
                try trainer.fit(DataLoader(data, batchSize: 12, shuffle: true, seed: 3), epochs: 2)
                return model.parameters.flatMap { $0.value.scalars }
            }[0]
        }
        let onePass = weights(onePass: true, ranks: 1)
        #expect(weights(onePass: false, ranks: 1) == onePass)
        #expect(weights(onePass: true, ranks: 2) == onePass)
        #expect(weights(onePass: true, ranks: 4) == onePass)
    }

    @Test func batchNormWithFixedShardsTrainsTheSameWeightsAndRunningStatisticsOnAnyRanks() throws {
        let data = blobs(count: 150, seed: 1)
        func state(ranks: Int) -> [[Float]] {
            onRanks(ranks) { c -> [Float] in
                var g = KeelRandom(seed: 2)
                let model = Sequential {
                    Linear(4, 8, generator: &g)
                    BatchNorm1d(8)
                    ReLU()
                    Linear(8, 3, generator: &g)
                }
                let trainer = Trainer(model: model, optimizer: SGD(model.namedParameters, learningRate: 0.05, momentum: 0.9))
                (trainer.shards, trainer.communicator) = (4, c)
                trainer.progress = ProgressReporter(style: .silent)
                // 150 = 6 × 25: shards of 6 and 7 samples (batch norm needs more than one).
                try trainer.fit(DataLoader(data, batchSize: 25, shuffle: true, seed: 1), epochs: 2)
                return model.stateDict().flatMap { $0.tensor.scalars }
            }
        }
        let one = state(ranks: 1)[0]
        for ranks in [2, 4] {
            for (r, s) in state(ranks: ranks).enumerated() { #expect(s == one, "rank \(r) of \(ranks): weights and running statistics") }
        }
    }

    @Test func aRunRecordsRanksAndShardsAndRefusesAnUnevenSplit() throws {
        var c = RunConfiguration()
        (c.data.dataset, c.epochs, c.batchSize) = ("iris", 1, 16)
        let run = TrainingRun(c, directory: nil)
        run.progressStyle = .silent
        guard case .finished(let metrics) = try run.run() else {
            Issue.record("not finished")
            return
        }
        #expect(metrics.ranks == 1 && metrics.shards == 4, "4 shards by default for an MLP")
        c.shards = 3
        let uneven = c
        let results = onRanks(2) { communicator -> String in
            let run = TrainingRun(uneven, directory: nil)
            (run.progressStyle, run.communicator) = (.silent, communicator)
            do { try run.run() } catch { return "\(error)" }
            return "trained"
        }
        for result in results { #expect(result.contains("shards") && result.contains("2 ranks"), "\(result)") }
    }

    @Test func shardsDefaultToFourWithoutBatchNormAndOnePerRankWithIt() throws {
        var g = KeelRandom(seed: 1)
        let plain = Sequential { Linear(4, 3, generator: &g) }
        let normed = Sequential {
            Linear(4, 3, generator: &g)
            BatchNorm1d(3)
        }
        var c = RunConfiguration()
        #expect(try RunSession.shards(c, network: plain, ranks: 1) == 4)
        #expect(try RunSession.shards(c, network: plain, ranks: 4) == 4)
        #expect(try RunSession.shards(c, network: normed, ranks: 1) == 1)
        #expect(try RunSession.shards(c, network: normed, ranks: 2) == 2)
        c.batchSize = 3
        #expect(try RunSession.shards(c, network: plain, ranks: 1) == 2, "a power of two no larger than the batch")
        c.batchSize = 1
        #expect(try RunSession.shards(c, network: plain, ranks: 1) == 1)
        c.batchSize = 64
        #expect(throws: RunConfigurationError.self) { try RunSession.shards(c, network: plain, ranks: 3) }
        (c.shards, c.accumulate) = (2, 3)
        #expect(throws: RunConfigurationError.self, "6 micro-batches over 2 ranks is 3 each: not a node of the tree") {
            try RunSession.shards(c, network: plain, ranks: 2)
        }
        c.accumulate = 2
        #expect(try RunSession.shards(c, network: plain, ranks: 2) == 2)
    }

    @Test func mpiIsNotJoinedOutsideMPIRun() throws {
        guard !ProcessGroup.startedByMPIRun else { return }
        #expect(try ProcessGroup.join().size == 1)
    }
}

/// What the ranks' threads share in `DataParallelTests.onRanks`: the body and each rank's result (written under a lock).
final class RankResults<R>: @unchecked Sendable {
    var results: [R?]
    let body: (any Communicator) throws -> R
    init(_ size: Int, _ body: @escaping (any Communicator) throws -> R) { (results, self.body) = (Array(repeating: nil, count: size), body) }
}
