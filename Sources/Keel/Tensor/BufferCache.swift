import Synchronization

/// Keeps the large buffers of freed tensors for reuse.
///
/// A training step allocates the same large tensors (activations, gradients) every iteration. Fresh large
/// allocations come from the kernel as new pages that fault and are zeroed on first touch — several percent of
/// a step. Freed buffers of at least `minimumBytes` are kept here by exact size (up to `capacityBytes` in
/// all, oldest dropped first) and handed out again.
final class BufferCache: Sendable {
    static let shared = BufferCache()

    /// Buffers smaller than this go straight back to the allocator (it recycles them well itself).
    static let minimumBytes = 128 << 10
    /// The most bytes kept in all.
    static let capacityBytes = 512 << 20

    private struct State: ~Copyable {
        /// Addresses (as integers, which are Sendable) of free buffers by byte count.
        var free: [Int: [UInt]] = [:]
        /// Sizes in the order their buffers were returned (for dropping the oldest).
        var order: [Int] = []
        var bytes = 0
    }

    private let state = Locked(State())

    /// A 64-byte-aligned buffer of `byteCount` bytes, uninitialized.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= Self.minimumBytes {
            let reused = state.withLock { state -> UInt? in
                guard let address = state.free[byteCount]?.popLast() else { return nil }
                state.bytes -= byteCount
                if let i = state.order.lastIndex(of: byteCount) { state.order.remove(at: i) }
                return address
            }
            if let reused, let pointer = UnsafeMutableRawPointer(bitPattern: reused) { return pointer }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    /// Frees every kept buffer (when the sizes in use are about to change: training → evaluation).
    func releaseAll() {
        let addresses = state.withLock { state -> [UInt] in
            let all = state.free.values.flatMap { $0 }
            (state.free, state.order, state.bytes) = ([:], [], 0)
            return all
        }
        for address in addresses { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    /// Bytes kept now.
    var bytesKept: Int { state.withLock { $0.bytes } }

    func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= Self.minimumBytes, byteCount <= Self.capacityBytes else {
            pointer.deallocate()
            return
        }
        let address = UInt(bitPattern: pointer)
        let dropped = state.withLock { state -> [UInt] in
            state.free[byteCount, default: []].append(address)
            state.order.append(byteCount)
            state.bytes += byteCount
            var dropped: [UInt] = []
            while state.bytes > Self.capacityBytes, !state.order.isEmpty {
                let size = state.order.removeFirst()
                if let oldest = state.free[size]?.first {
                    state.free[size]!.removeFirst()
                    state.bytes -= size
                    dropped.append(oldest)
                }
            }
            return dropped
        }
        for address in dropped { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }
}

extension Tensor {
    /// Frees the large buffers Keel keeps from freed tensors for reuse (up to 512 MiB, kept because a training step
    /// allocates the same sizes every iteration). Call it when the sizes in use change — `Metrics.evaluate` does,
    /// before and after evaluating — so that buffers of the old sizes do not stay resident beside the new ones.
    public static func releaseCachedBuffers() { BufferCache.shared.releaseAll() }

    /// Bytes of freed tensor buffers kept for reuse now.
    public static var cachedBufferBytes: Int { BufferCache.shared.bytesKept }
}
