import Keel
import KeelDistributed

/// Adds the gradients of one update's shards (`ShardPlan`) into `Parameter.grad`: after each shard's backward pass its
/// gradient tensors are taken from the parameters (no copy) and summed by the `PairwiseSum` tree on this rank; with
/// several ranks the rank's sums are packed into one flat vector (a single bucket) and summed over the ranks by
/// `Communicator.allReduceSum`. A shard without samples counts as zeros.
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

    /// Sums the shards over this rank and all ranks and puts the result in `grad` of every parameter that got a
    /// gradient on some rank (`presentAnywhere`, gathered by the caller).
    public func finish(presentAnywhere: [Bool]) throws {
        var grads = sum.finish() ?? parameters.map { Tensor.zeros($0.shape) }
        if communicator.size > 1 {
            let total = grads.reduce(0) { $0 + $1.count }
            if bucket.count != total { bucket = [Float](repeating: 0, count: total) }
            try bucket.withUnsafeMutableBufferPointer { flat in
                var offset = 0
                for g in grads {
                    g.withUnsafePointer { (flat.baseAddress! + offset).update(from: $0, count: g.count) }
                    offset += g.count
                }
                try communicator.allReduceSum(flat, scratch: &scratch)
                offset = 0
                for i in grads.indices {
                    let n = grads[i].count
                    grads[i].withUnsafeMutablePointer { $0.update(from: flat.baseAddress! + offset, count: n) }
                    offset += n
                }
            }
        }
        for (i, p) in parameters.enumerated() { p.grad = presentAnywhere[i] ? grads[i] : nil }
    }
}
