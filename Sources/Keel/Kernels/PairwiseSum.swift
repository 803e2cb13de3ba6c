import CKeelKernels

/// The one summation tree of data-parallel gradients: parts are added in pairs level by level — (0 + 1), (2 + 3), …
/// with an odd last part carried up unchanged — until one is left.
///
/// A contiguous run of 2ᵏ parts starting at a multiple of 2ᵏ is always one node of this tree, so when a group of S
/// shards is split among N ranks with S/N a power of two, each rank's sum of its own shards is a node, and the
/// ranks' sums combined by the same rule give exactly the single-process result.
public enum PairwiseSum {
    /// Adds `parts` (each `count` floats) into `parts[0]` by the tree; the other parts are used as scratch.
    public static func reduce(_ parts: [UnsafeMutablePointer<Float>], count: Int) {
        var level = parts
        while level.count > 1 {
            var next: [UnsafeMutablePointer<Float>] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                add(level[i + 1], into: level[i], count: count)
                next.append(level[i])
                i += 2
            }
            if i < level.count { next.append(level[i]) }
            level = next
        }
    }

    /// `target[i] += source[i]` for i in 0..<count (IEEE single-precision adds, one per element, vectorized).
    public static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        keel_vadd(source, target, count)
    }
}

/// Sums parts that arrive one at a time by the `PairwiseSum` tree, keeping one partial sum per level (a binary
/// counter): after each part, equal-sized neighbours are merged; `finish` merges what is left from the newest down.
/// At most ⌈log₂ S⌉ + 1 partial sums are held for S parts.
public struct StreamingPairwiseSum<Part> {
    private var stack: [(part: Part, size: Int)] = []
    private let merge: (inout Part, Part) -> Void

    /// A sum whose parts are added by `merge(&older, newer)` (older + newer, element by element, in that order).
    public init(merge: @escaping (inout Part, Part) -> Void) { self.merge = merge }

    /// Forgets the parts added so far.
    public mutating func reset() { stack.removeAll(keepingCapacity: true) }

    /// Adds the next part.
    public mutating func add(_ part: Part) {
        stack.append((part, 1))
        while stack.count >= 2 && stack[stack.count - 1].size == stack[stack.count - 2].size { mergeTop() }
    }

    /// The sum of every part added since `reset` (nil when none was); the sum is reset.
    public mutating func finish() -> Part? {
        while stack.count >= 2 { mergeTop() }
        defer { reset() }
        return stack.first?.part
    }

    /// The two newest partial sums become one (older + newer).
    private mutating func mergeTop() {
        let newer = stack.removeLast()
        merge(&stack[stack.count - 1].part, newer.part)
        stack[stack.count - 1].size += newer.size
    }
}
