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

    /// `target[i] += source[i]` for i in 0..<count (IEEE single-precision adds, one per element).
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { target[i] += source[i] }
    }
}

/// Sums parts that arrive one at a time by the `PairwiseSum` tree, keeping one partial sum per level (a binary
/// counter): after part k, equal-sized neighbours are merged; `finish` merges what is left from the newest down.
/// Memory: ⌈log₂ S⌉ + 1 vectors for S parts, reused from step to step.
public struct StreamingPairwiseSum {
    /// Floats per part.
    public let count: Int
    private var buffers: [[Float]] = []
    private var sizes: [Int] = []

    /// A sum of parts of `count` floats.
    public init(count: Int) { self.count = count }

    /// Forgets the parts added so far (keeps the buffers).
    public mutating func reset() { sizes.removeAll(keepingCapacity: true) }

    /// Adds the next part, written by `fill` into a zeroed buffer of `count` floats.
    public mutating func add(_ fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let slot = sizes.count
        if slot == buffers.count { buffers.append([Float](repeating: 0, count: count)) }
        buffers[slot].withUnsafeMutableBufferPointer { b in
            b.update(repeating: 0)
            fill(b)
        }
        sizes.append(1)
        while sizes.count >= 2 && sizes[sizes.count - 1] == sizes[sizes.count - 2] {
            mergeTop()
        }
    }

    /// The sum of every part added since `reset`, handed to `body` (zeros when none was added).
    public mutating func finish<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        while sizes.count >= 2 { mergeTop() }
        if sizes.isEmpty {
            if buffers.isEmpty { buffers.append([Float](repeating: 0, count: count)) }
            buffers[0].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        return try buffers[0].withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The two newest partial sums become one (older + newer, in that order).
    private mutating func mergeTop() {
        let top = sizes.count - 1
        let n = count
        buffers[top].withUnsafeBufferPointer { newer in
            buffers[top - 1].withUnsafeMutableBufferPointer { older in
                PairwiseSum.add(newer.baseAddress!, into: older.baseAddress!, count: n)
            }
        }
        sizes[top - 1] += sizes[top]
        sizes.removeLast()
    }
}
