import Keel

/// The models `keel train` knows by name.
public enum ReferenceModel: String, CaseIterable, Sendable {
    /// 784-256-128-10 with ReLU.
    case mlp
    /// conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, Linear 1600→128, ReLU, Linear 128→10
    /// (for 1×28×28 input).
    case cnn

    /// A freshly initialized model (PyTorch's default initialization) for inputs of `inputShape` ([C, H, W]),
    /// with `activation` after every hidden layer (ReLU in the reference models).
    /// With `dropout` > 0, a Dropout layer (seeded by `dropoutSeed`) comes before the last Linear layer.
    public func make(inputShape: [Int] = [1, 28, 28], classes: Int = 10, activation: Activation = .relu, dropout: Float = 0,
                     dropoutSeed: UInt64 = 0, generator: inout KeelRandom) -> Sequential {
        switch self {
        case .mlp:
            let features = inputShape.reduce(1, *)
            return Sequential {
                Flatten()
                Linear(features, 256, generator: &generator)
                ActivationLayer(activation)
                Linear(256, 128, generator: &generator)
                ActivationLayer(activation)
                if dropout > 0 { Dropout(dropout, seed: dropoutSeed) }
                Linear(128, classes, generator: &generator)
            }
        case .cnn:
            let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
            let flat = 64 * (((h - 2) / 2 - 2) / 2) * (((w - 2) / 2 - 2) / 2)
            return Sequential {
                Conv2d(c, 32, kernelSize: 3, generator: &generator)
                ActivationLayer(activation)
                MaxPool2d(kernelSize: 2)
                Conv2d(32, 64, kernelSize: 3, generator: &generator)
                ActivationLayer(activation)
                MaxPool2d(kernelSize: 2)
                Flatten()
                Linear(flat, 128, generator: &generator)
                ActivationLayer(activation)
                if dropout > 0 { Dropout(dropout, seed: dropoutSeed) }
                Linear(128, classes, generator: &generator)
            }
        }
    }
}
