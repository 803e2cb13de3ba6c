import Keel
import KeelDistributed

/// Adds the gradients of one update's shards (`ShardPlan`) into `Parameter.grad`: after each shard's backward pass its
/// gradient tensors are taken from the parameters (no copy) and summed by the `PairwiseSum` tree on this rank; with
/// several ranks the rank's sums are summed over the ranks by `Communicator.allReduceSum` — large gradients where they
/// are, small ones packed into one bucket. A shard without samples counts as zeros.
public final class GradientReducer {
    /// The parameters whose gradients are summed, in a fixed order.
    public let parameters: [Parameter]
    /// The ranks the sums run over.
    public let communicator: any Communicator
    private var sum = StreamingPairwiseSum<[Tensor]> { older, newer in
        for i in older.indices {
            let n = newer[i].count
            newer[i].withUnsafePointer { source in older[i].withUnsafeMutablePointer { PairwiseSum.add(source, into: $0, count: n) } }
        }
    }
    /// The flat vector the ranks exchange, and the all-reduce's buffers (reused).
    private var bucket: [Float] = []
    private var scratch = AllReduceScratch()
    /// Whether a parameter got a gradient in any shard of this rank (a parameter never reached keeps `grad == nil`).
    public private(set) var present: [Bool]

    /// A reducer for `parameters` over the ranks of `communicator`.
    public init(parameters: [Parameter], communicator: any Communicator) {
        self.parameters = parameters
        self.communicator = communicator
        present = Array(repeating: false, count: parameters.count)
    }

    /// Starts an update.
    public func begin() {
        sum.reset()
        for i in present.indices { present[i] = false }
    }

    /// Takes the gradients the last backward pass left in the parameters (nil counts as zeros) as the next shard's.
    public func addShard() {
        sum.add(
            parameters.enumerated().map { i, p in
                guard let grad = p.grad else { return Tensor.zeros(p.shape) }
                present[i] = true
                p.zeroGrad()  // the tensor is now ours alone, so the tree adds into it in place
                return grad
            })
    }

    /// A shard without samples: zeros.
    public func addEmptyShard() { sum.add(parameters.map { Tensor.zeros($0.shape) }) }

    /// Gradients of at least this many floats (256 KiB) are all-reduced where they are; smaller ones are packed
    /// into one bucket, so a step makes a few large MPI calls instead of one per bias.
    static let bucketThreshold = 1 << 16

    /// Sums the shards over this rank and all ranks and puts the result in `grad` of every parameter that got a
    /// gradient on some rank (`presentAnywhere`, gathered by the caller).
    public func finish(presentAnywhere: [Bool]) throws {
        var grads = sum.finish() ?? parameters.map { Tensor.zeros($0.shape) }
        if communicator.size > 1 {
            let small = grads.indices.filter { grads[$0].count < Self.bucketThreshold }
            let total = small.reduce(0) { $0 + grads[$1].count }
            if bucket.count != total { bucket = [Float](repeating: 0, count: total) }
            // Large gradients in place, in parameter order, then the bucket: the same calls on every rank.
            for i in grads.indices where grads[i].count >= Self.bucketThreshold {
                let n = grads[i].count
                try grads[i].withUnsafeMutablePointer {
                    try communicator.allReduceSum(UnsafeMutableBufferPointer(start: $0, count: n), scratch: &scratch)
                }
            }
            try bucket.withUnsafeMutableBufferPointer { flat in
                guard total > 0 else { return }
                var offset = 0
                for i in small {
                    grads[i].withUnsafePointer { (flat.baseAddress! + offset).update(from: $0, count: grads[i].count) }
                    offset += grads[i].count
                }
                try communicator.allReduceSum(flat, scratch: &scratch)
                offset = 0
                for i in small {
                    let n = grads[i].count
                    grads[i].withUnsafeMutablePointer { $0.update(from: flat.baseAddress! + offset, count: n) }
                    offset += n
                }
            }
        }
        for (i, p) in parameters.enumerated() { p.grad = presentAnywhere[i] ? grads[i] : nil }
    }
}
