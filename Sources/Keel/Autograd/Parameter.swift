/// A learnable tensor: an autograd leaf with identity (optimizers and checkpoints key their state by it).
///
/// Use `value` in forward passes; after `backward()` its gradient is in `grad` and keeps accumulating
/// over backward passes until `zeroGrad()`.
public final class Parameter: @unchecked Sendable {
    private let leaf: GradientNode
    private var data: Tensor

    /// A parameter holding `value`, with no gradient yet.
    public init(_ value: Tensor) {
        data = value.detached()
        leaf = GradientNode(leafOfShape: value.shape)
    }

    /// The value's shape.
    public var shape: [Int] { data.shape }

    /// The current value, tracked by autograd. Setting it replaces the values (same shape) and keeps the
    /// accumulated gradient.
    public var value: Tensor {
        get { Tensor(storage: data.storage, shape: data.shape, node: leaf) }
        set {
            ensure(
                newValue.shape == data.shape,
                "Parameter.value: new value of shape \(newValue.shape) for a parameter of shape \(data.shape)")
            data = newValue.detached()
        }
    }

    /// The gradient accumulated since the last `zeroGrad()` (nil if none).
    public var grad: Tensor? {
        get { leaf.grad }
        set {
            if let newValue {
                ensure(
                    newValue.shape == data.shape,
                    "Parameter.grad: gradient of shape \(newValue.shape) for a parameter of shape \(data.shape)")
            }
            leaf.grad = newValue?.detached()
        }
    }

    /// Forgets the accumulated gradient (`grad` becomes nil).
    public func zeroGrad() { leaf.grad = nil }

    /// In-place update of the values without recording (for optimizers): `body` gets the raw buffer.
    public func update(_ body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let n = data.count
        data.withUnsafeMutablePointer { body($0, n) }
    }
}
