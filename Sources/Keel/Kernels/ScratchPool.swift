import Synchronization

/// A pool of 64-byte-aligned Float buffers that kernels borrow and give back, so that hot paths do not
/// allocate: each buffer grows to the largest size asked of it and is then reused.
final class ScratchPool: Sendable {
    static let shared = ScratchPool()

    private final class Buffer: @unchecked Sendable {
        var pointer: UnsafeMutablePointer<Float>
        var capacity: Int
        init(capacity: Int) {
            self.capacity = max(capacity, 16)
            pointer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity * 4, alignment: 64)
                .bindMemory(to: Float.self, capacity: self.capacity)
        }
        func reserve(_ count: Int) {
            if count <= capacity { return }
            pointer.deallocate()
            capacity = count
            pointer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
        }
        deinit { pointer.deallocate() }
    }

    private let free = Locked<[Buffer]>([])

    /// Lends a buffer of at least `count` floats (contents undefined) for the duration of `body`.
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = free.withLock { $0.popLast() } ?? Buffer(capacity: count)
        buffer.reserve(count)
        defer { free.withLock { $0.append(buffer) } }
        return try body(buffer.pointer)
    }
}
