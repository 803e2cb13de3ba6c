import Keel
import KeelDistributed

/// Adds the gradients of one update's shards (`ShardPlan`) into `Parameter.grad`: each shard's gradients are copied
/// into a flat vector after its backward pass, summed by the `PairwiseSum` tree on this rank, then over the ranks
/// (`Communicator.allReduceSum`, one message for every parameter — a single bucket). Vectors are reused across steps.
final class GradientReducer {
    let parameters: [Parameter]
    let communicator: any Communicator
    private let offsets: [Int]
    private var sum: StreamingPairwiseSum
    /// Whether a parameter got a gradient in any shard of this rank (a parameter never reached keeps `grad == nil`).
    private(set) var present: [Bool]

    init(parameters: [Parameter], communicator: any Communicator) {
        self.parameters = parameters
        self.communicator = communicator
        var offsets = [0]
        for p in parameters { offsets.append(offsets.last! + p.shape.reduce(1, *)) }
        self.offsets = offsets
        sum = StreamingPairwiseSum(count: offsets.last!)
        present = Array(repeating: false, count: parameters.count)
    }

    /// Starts an update.
    func begin() {
        sum.reset()
        for i in present.indices { present[i] = false }
    }

    /// Takes the gradients the last backward pass left in the parameters (nil counts as zeros) as the next shard's.
    func addShard() {
        sum.add { flat in
            for (i, p) in parameters.enumerated() {
                guard let grad = p.grad else { continue }
                present[i] = true
                grad.withUnsafePointer { (flat.baseAddress! + offsets[i]).update(from: $0, count: offsets[i + 1] - offsets[i]) }
            }
        }
    }

    /// A shard without samples: zeros.
    func addEmptyShard() { sum.add { _ in } }

    /// Sums the shards over this rank and all ranks and puts the result in `grad` of every parameter that got a
    /// gradient on some rank (`presentAnywhere`, gathered by the caller).
    func finish(presentAnywhere: [Bool]) throws {
        try sum.finish { flat in
            guard flat.count > 0 else { return }
            try communicator.allReduceSum(flat)
            for (i, p) in parameters.enumerated() {
                guard presentAnywhere[i] else {
                    p.zeroGrad()
                    continue
                }
                let n = offsets[i + 1] - offsets[i]
                var grad = Tensor.zeros(p.shape)
                grad.withUnsafeMutablePointer { $0.update(from: flat.baseAddress! + offsets[i], count: n) }
                p.grad = grad
            }
        }
    }
}
