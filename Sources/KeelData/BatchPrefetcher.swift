import Dispatch
import Foundation

/// Makes the batches of one epoch one step ahead: while the caller trains on batch b, batch b + 1 is decoded,
/// augmented and normalized on a background thread. A batch depends only on its indices, the epoch and the seed,
/// so prefetching changes no result — only when the work happens.
public final class BatchPrefetcher: @unchecked Sendable {
    private let loader: DataLoader
    private let batches: [[Int]]
    private let epoch: Int
    private let queue = DispatchQueue(label: "keel.batch-prefetch")
    private var pending: (index: Int, group: DispatchGroup, box: Box)?

    private final class Box: @unchecked Sendable { var batch: Batch? }

    /// A prefetcher of `batches` (index lists) of epoch `epoch` from `loader`.
    public init(_ loader: DataLoader, batches: [[Int]], epoch: Int) {
        (self.loader, self.batches, self.epoch) = (loader, batches, epoch)
    }

    /// Batch `b` (waiting for it if it is being made, making it here otherwise), after starting batch b + 1.
    public func batch(_ b: Int) -> Batch {
        let current: Batch
        if let pending, pending.index == b {
            pending.group.wait()
            current = pending.box.batch!
        } else {
            current = loader.batch(batches[b], epoch: epoch)
        }
        pending = nil
        if b + 1 < batches.count { start(b + 1) }
        return current
    }

    private func start(_ b: Int) {
        let (group, box) = (DispatchGroup(), Box())
        let (loader, indices, epoch) = (self.loader, batches[b], self.epoch)
        queue.async(group: group) { box.batch = loader.batch(indices, epoch: epoch) }
        pending = (b, group, box)
    }

    /// Waits for the batch being made, if any (call before dropping the prefetcher mid-epoch).
    public func finish() { pending?.group.wait() }

    deinit { pending?.group.wait() }
}
