/// Shards of a batch: consecutive samples whose gradient contributions are summed apart and then added by the
/// `PairwiseSum` tree — what makes data-parallel training give the same bits whatever the number of ranks.
///
/// Inside `BatchShards.with(_:firstIndex:_:)`, the ops that sum over the batch in their backward pass — the weight
/// and bias gradients of `linear` and `conv2d` — compute one partial sum per shard (exactly what a forward and backward
/// pass of that shard alone would give) and add them by the tree; dropout draws shard k's mask from the k-th stream of
/// the update. Everything else is per sample, so a whole batch in one pass gives the bits of one pass per shard.
public struct BatchShards: Sendable {
    /// The shards' sample ranges along the batch axis (axis 0) of the tensors of this pass.
    public let ranges: [Range<Int>]
    /// The index of the first shard in the whole update (a rank's shards start at rank · S/N).
    public let firstIndex: Int

    /// The shards in effect for ops recorded on this task (nil: none, the batch is summed as one).
    @TaskLocal public static var current: BatchShards?

    /// Runs `body` with `ranges` as the shards of its batch, the first being shard `firstIndex` of the update.
    public static func with<R>(_ ranges: [Range<Int>], firstIndex: Int = 0, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(BatchShards(ranges: ranges, firstIndex: firstIndex), operation: body)
    }

    /// The shards for a tensor whose axis 0 has `batch` entries (nil when they do not describe it).
    static func current(batch: Int) -> BatchShards? {
        guard let shards = current, shards.ranges.last?.upperBound == batch else { return nil }
        return shards
    }

    /// Fills `target` (`count` floats) with the tree sum of `partial(range, buffer)` over the shards: each call writes
    /// the whole buffer for the samples `range` (an empty shard counts as zeros).
    func sum(count: Int, into target: UnsafeMutablePointer<Float>, _ partial: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        // Partial sums in tensors, whose buffers come from (and go back to) Keel's buffer cache: no page faults per step.
        var buffers: [Tensor] = []
        var stack: [(buffer: UnsafeMutablePointer<Float>, size: Int)] = []
        func mergeTop() {
            let newer = stack.removeLast()
            PairwiseSum.add(newer.buffer, into: stack[stack.count - 1].buffer, count: count)
            stack[stack.count - 1].size += newer.size
        }
        // The oldest partial sum only ever absorbs newer ones, so the first shard is written into `target` itself.
        for (k, range) in ranges.enumerated() {
            var buffer = target
            if k > 0 {
                if stack.count >= buffers.count + 1 { buffers.append(Tensor(uninitializedShape: [count])) }
                buffer = buffers[stack.count - 1].storage.pointer
            }
            if range.isEmpty { buffer.update(repeating: 0, count: count) } else { partial(range, buffer) }
            stack.append((buffer, 1))
            while stack.count >= 2 && stack[stack.count - 1].size == stack[stack.count - 2].size { mergeTop() }
        }
        while stack.count >= 2 { mergeTop() }
    }
}
