import Keel

/// The models `keel train` knows by name.
public enum ReferenceModel: String, NamedChoice, Sendable {
    /// 784-256-128-10 with ReLU.
    case mlp
    /// conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, Linear 1600→128, ReLU, Linear 128→10
    /// (for 1×28×28 input).
    case cnn

    /// What makes this model impossible for samples of `inputShape` and `classes` classes — a size it cannot
    /// take, or more than `maxParameters` parameters — or nil when it can be built. Check it before `make`
    /// for sizes that come from outside (a data set, a model.json).
    public func problem(inputShape: [Int], classes: Int) -> String? {
        guard (1...InputLimits.maxClasses).contains(classes) else {
            return "\(classes) classes (must be 1…\(InputLimits.maxClasses))"
        }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }),
            let features = checkedProduct(inputShape, limit: Self.maxInputFeatures)
        else {
            return "input shape \(inputShape) (each size must be positive, \(Self.maxInputFeatures) values at most)"
        }
        let parameters: Int?
        switch self {
        case .mlp:
            parameters = checkedProduct([features + 1, 256]).map { $0 + 257 * 128 + 129 * classes }
        case .cnn:
            guard inputShape.count == 3 else { return "the cnn model needs images [C, H, W], got input shape \(inputShape)" }
            let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
            guard h >= 10 && w >= 10 else { return "the cnn model needs images of at least 10×10 pixels, got \(w)×\(h)" }
            let flat = 64 * (((h - 2) / 2 - 2) / 2) * (((w - 2) / 2 - 2) / 2)
            parameters = checkedProduct([flat + 1, 128]).map { $0 + (9 * c + 1) * 32 + (9 * 32 + 1) * 64 + 129 * classes }
        }
        guard let parameters, parameters <= Self.maxParameters else {
            return "input shape \(inputShape) and \(classes) classes give the \(rawValue) model more than \(Self.maxParameters) parameters"
        }
        return nil
    }

    /// The most values one sample may have (2²⁴).
    public static let maxInputFeatures = 1 << 24
    /// The most parameters a reference model may have (2²⁸: 1 GiB of weights).
    public static let maxParameters = 1 << 28

    /// A freshly initialized model (PyTorch's default initialization) for inputs of `inputShape` ([C, H, W]),
    /// with `activation` after every hidden layer (ReLU in the reference models).
    /// With `dropout` > 0, a Dropout layer (seeded by `dropoutSeed`) comes before the last Linear layer.
    public func make(
        inputShape: [Int] = [1, 28, 28], classes: Int = 10, activation: Activation = .relu, dropout: Float = 0,
        dropoutSeed: UInt64 = 0, generator: inout KeelRandom
    ) -> Sequential {
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
