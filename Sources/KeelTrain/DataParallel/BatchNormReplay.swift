import Keel
import KeelDistributed

/// Keeps batch norm's running statistics the same on every rank, and equal to one process's: during a step each
/// rank records the batch statistics of its shards; then the ranks exchange them and every rank puts its running
/// statistics back to where the step began and applies all the shards' updates in shard order — exactly the updates
/// one process makes when it computes the shards one after another. (Normalization itself uses each shard's own
/// statistics, as PyTorch DDP's per-rank batch norm does; with a fixed `--shards` that is the same on any number of
/// ranks.)
final class BatchNormReplay {
    private let norms: [BatchNorm]
    private let start: [(mean: Tensor, variance: Tensor, tracked: Tensor)]

    /// Starts recording `norms`' batch statistics and remembers their running statistics.
    init(_ norms: [BatchNorm]) {
        self.norms = norms
        start = norms.map { ($0.runningMean.value, $0.runningVariance.value, $0.batchesTracked.value) }
        for norm in norms { norm.recordedStatistics = [] }
    }

    /// Stops recording.
    func stopRecording() { for norm in norms { norm.recordedStatistics = nil } }

    /// Exchanges the recorded statistics (`shards`: whether each of this rank's shards had samples) and replays every
    /// rank's updates in shard order.
    func synchronize(shards: [Bool], communicator: any Communicator) throws {
        // Per shard and layer: [had samples, n, mean…, variance…]; a shard without samples sends zeros.
        var payload: [Float] = []
        var next = Array(repeating: 0, count: norms.count)
        for present in shards {
            for (i, norm) in norms.enumerated() {
                let c = norm.features
                guard present, let record = norm.recordedStatistics, next[i] < record.count else {
                    payload += Array(repeating: 0, count: 2 + 2 * c)
                    continue
                }
                let stats = record[next[i]]
                next[i] += 1
                payload += [1, Float(stats.count)] + stats.mean + stats.variance
            }
        }
        for (i, norm) in norms.enumerated() where next[i] != norm.recordedStatistics?.count {
            throw DistributedError(
                "batch norm layer \(i) ran \(norm.recordedStatistics?.count ?? 0) times for \(next[i]) shards in one step; data-parallel "
                    + "training needs each batch-norm layer once per forward pass")
        }
        let all = try communicator.allGather(payload)
        for (i, norm) in norms.enumerated() {
            norm.runningMean.value = start[i].mean
            norm.runningVariance.value = start[i].variance
            norm.batchesTracked.value = start[i].tracked
        }
        var offset = 0
        while offset < all.count {
            for norm in norms {
                let c = norm.features
                if all[offset] == 1 {
                    let values = Array(all[(offset + 2)..<(offset + 2 + 2 * c)])
                    norm.updateRunningStatistics(
                        with: BatchNorm.BatchStatistics(mean: Array(values[0..<c]), variance: Array(values[c...]), count: Int(all[offset + 1])))
                }
                offset += 2 + 2 * c
            }
        }
    }
}
