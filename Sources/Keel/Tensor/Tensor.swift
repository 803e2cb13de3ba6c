/// An n-dimensional array of Float32 with value semantics and reverse-mode automatic differentiation.
///
/// Storage is a 64-byte-aligned buffer shared copy-on-write between copies; the layout is always
/// row-major and contiguous. A tensor that requires gradients carries a `GradientNode` recording the op
/// that produced it, and `backward()` on a scalar result accumulates gradients into the leaves.
public struct Tensor: @unchecked Sendable {
    var storage: TensorStorage
    /// The dimensions, outermost first. A scalar has shape `[]`.
    public let shape: [Int]
    /// The autograd record of this value (nil when it needs no gradient).
    var node: GradientNode?

    init(storage: TensorStorage, shape: [Int], node: GradientNode? = nil) {
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    /// A tensor with uninitialized contents, to be filled by a kernel.

    init(uninitializedShape shape: [Int]) {
        Shape.validate(shape, op: "Tensor")
        self.init(storage: TensorStorage(count: Shape.count(shape)), shape: shape)
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        Shape.validate(shape, op: "Tensor(shape:scalars:)")
        ensure(
            Shape.count(shape) == scalars.count,
            "Tensor(shape:scalars:): shape \(shape) needs \(Shape.count(shape)) scalars, got \(scalars.count)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// A 1-D tensor.
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// A 2-D tensor from rows of equal length.
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        ensure(rows.allSatisfy { $0.count == columns }, "Tensor(rows): rows have different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A scalar (rank-0) tensor.
    public init(_ scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        ensure(count == 1, "scalar: tensor of shape \(shape) has \(count) elements, not 1")
        return storage.pointer[0]
    }

    /// Element at a full multi-index (for tests and inspection; not for hot loops).
    public subscript(index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            let i = flatIndex(index)
            withUnsafeMutablePointer { $0[i] = newValue }
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        ensure(index.count == shape.count, "subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, d) in shape.enumerated() {
            ensure(index[i] >= 0 && index[i] < d, "subscript: index \(index) out of range for shape \(shape)")
            flat = flat * d + index[i]
        }
        return flat
    }

    /// Read-only access to the contiguous elements.

    /// Calls `body` with a pointer to the contiguous elements (read-only, valid only inside `body`).
    public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer))
    }

    /// Mutable access to the elements; copies the storage first if it is shared (copy-on-write).
    /// Writing through it does not record anything for autograd.

    /// Calls `body` with a mutable pointer to the elements, copying the buffer first if it is shared (copy on write).
    public mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(storage.pointer)
    }

    /// Whether two tensors share the same buffer (a view, or a copy not yet written to).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }
}

extension Tensor: CustomStringConvertible {
    /// PyTorch-like text: nested brackets, long dimensions summarized with "...".
    public var description: String {
        var text = ""
        if shape.isEmpty {
            text = Tensor.format(storage.pointer[0])
        } else if count == 0 {
            text = "[]"
        } else {
            let strides = Shape.strides(shape)
            func render(_ dim: Int, _ offset: Int, _ indent: String) -> String {
                let d = shape[dim]
                let show: [Int?] = d > 6 ? [0, 1, 2, nil, d - 3, d - 2, d - 1] : (0..<d).map { $0 }
                if dim == shape.count - 1 {
                    let items = show.map { i in i.map { Tensor.format(storage.pointer[offset + $0]) } ?? "..." }
                    return "[" + items.joined(separator: ", ") + "]"
                }
                let separator = ",\n" + String(repeating: "\n", count: Swift.max(0, shape.count - dim - 2)) + indent + " "
                let items = show.map { i in
                    i.map { render(dim + 1, offset + $0 * strides[dim], indent + " ") } ?? "..."
                }
                return "[" + items.joined(separator: separator) + "]"
            }
            text = render(0, 0, "")
        }
        let grad = requiresGradient ? ", requiresGradient" : ""
        return "Tensor(shape: \(shape)\(grad),\n\(text))"
    }

    static func format(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded() && Swift.abs(x) < 1e7 { return String(format4: x, integral: true) }
        return String(format4: x, integral: false)
    }
}

extension String {
    /// Four significant decimals, without Foundation.
    init(format4 x: Float, integral: Bool) {
        if integral {
            self = "\(Int(x))."
            return
        }
        let magnitude = Swift.abs(x)
        if magnitude >= 1e-4 && magnitude < 1e6 {
            let scaled = (Double(x) * 10_000).rounded() / 10_000
            self = "\(scaled)"
        } else {
            self = "\(x)"
        }
    }
}
