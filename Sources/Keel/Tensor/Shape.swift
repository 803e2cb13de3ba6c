/// Shape helpers: element counts, strides, validation and broadcasting (NumPy rules).
enum Shape {
    /// Product of the dimensions (1 for a scalar's empty shape).
    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n *= d }
        return n
    }

    /// Row-major strides in elements.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= shape[i]
        }
        return strides
    }

    static func validate(_ shape: [Int], op: String) {
        ensure(shape.allSatisfy { $0 >= 0 }, "\(op): invalid shape \(shape) (negative dimension)")
    }

    /// Resolves a possibly negative axis against a rank, stopping with a message naming the op.
    static func axis(_ axis: Int, rank: Int, op: String, shape: [Int]) -> Int {
        let a = axis < 0 ? axis + rank : axis
        ensure(a >= 0 && a < max(rank, 1), "\(op): axis \(axis) is out of range for shape \(shape)")
        return a
    }

    /// The broadcast shape of `a` and `b` (NumPy rules), or a precondition failure naming both shapes.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            ensure(
                da == db || da == 1 || db == 1,
                "\(op): shapes \(a) and \(b) cannot be broadcast together")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Strides of `shape` seen through the broadcast `target` shape (0 along broadcast dimensions).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        return (0..<target.count).map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }
}
