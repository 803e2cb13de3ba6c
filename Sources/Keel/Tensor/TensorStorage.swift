/// The reference-counted, 64-byte-aligned Float buffer behind one or more `Tensor` values.
/// Tensors share it until one of them writes (copy-on-write).

final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// A buffer of `count` floats, uninitialized unless `zeroed`.

    init(count: Int, zeroed: Bool = false) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw =
            bytes >= BufferCache.minimumBytes
            ? BufferCache.shared.allocate(byteCount: bytes)
            : UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    func copy() -> TensorStorage {
        let other = TensorStorage(count: count)
        other.pointer.update(from: pointer, count: count)
        return other
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= BufferCache.minimumBytes {
            BufferCache.shared.deallocate(UnsafeMutableRawPointer(pointer), byteCount: bytes)
        } else {
            pointer.deallocate()
        }
    }
}
