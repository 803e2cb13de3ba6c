/// How one update's batch is split: into `shards` micro-batches of consecutive samples (shard k holds samples
/// ⌊k·B/S⌋ ..< ⌊(k + 1)·B/S⌋ of a batch of B), each a forward and backward pass of its own, their gradients added by
/// the `PairwiseSum` tree; rank r of N computes shards r·S/N ..< (r + 1)·S/N.
///
/// Because the shards and the tree depend only on the batch, N ranks give the bits of one process whenever S/N is
/// a power of two (S = 4: 1, 2 or 4 ranks).
public struct ShardPlan: Equatable, Sendable {
    /// Micro-batches per update (S).
    public let shards: Int
    /// Ranks sharing them (N; S must be a multiple).
    public let ranks: Int
    /// This process's rank.
    public let rank: Int

    /// A plan for `shards` micro-batches over `ranks` ranks, seen from `rank`.
    public init(shards: Int, ranks: Int = 1, rank: Int = 0) {
        precondition(shards >= 1 && ranks >= 1 && shards % ranks == 0 && (0..<ranks).contains(rank), "ShardPlan: \(shards) shards, \(ranks) ranks")
        (self.shards, self.ranks, self.rank) = (shards, ranks, rank)
    }

    /// Why `shards` micro-batches cannot be spread over `ranks` ranks (nil when they can).
    public static func problem(shards: Int, ranks: Int) -> String? {
        if shards % ranks != 0 {
            return "\(shards) shards per batch do not divide among \(ranks) ranks: set --shards to a multiple of \(ranks)"
        }
        let perRank = shards / ranks
        if perRank & (perRank - 1) != 0 {
            return "\(shards) shards over \(ranks) ranks is \(perRank) per rank; it must be a power of two for the ranks to add "
                + "their gradients as one process does"
        }
        return nil
    }

    /// Whether a step must split its batch and add gradients by the tree (false: one forward and backward, as ever).
    public var isSharded: Bool { shards > 1 || ranks > 1 }

    /// The samples (positions in a batch of `count`) of every shard.
    public func shardRanges(count: Int) -> [Range<Int>] {
        (0..<shards).map { k in (k * count / shards)..<((k + 1) * count / shards) }
    }

    /// The shards this rank computes.
    public var localShards: Range<Int> { (rank * shards / ranks)..<((rank + 1) * shards / ranks) }

    /// The positions of a batch of `count` that this rank loads.
    public func localRows(count: Int) -> Range<Int> {
        let ranges = shardRanges(count: count)
        return ranges[localShards.lowerBound].lowerBound..<ranges[localShards.upperBound - 1].upperBound
    }
}
