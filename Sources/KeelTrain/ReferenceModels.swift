import Keel

/// The models `keel train` knows by name (the model zoo; `keel models` lists them).
public enum ReferenceModel: String, NamedChoice, Sendable {
    /// 784-256-128-10 with ReLU.
    case mlp
    /// conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, Linear 1600→128, ReLU, Linear 128→10
    /// (for 1×28×28 input).
    case cnn
    /// LeNet-5 with ReLU and max pooling (see `LeNet5`).
    case lenet5
    /// Three conv–BN–ReLU stages of two layers, max pooling, global average pooling (see `VGGSmall`).
    case vggSmall = "vgg-small"
    /// The CIFAR ResNet-20 of He et al. 2016: 272,474 parameters for 10 classes (see `ResNet20`).
    case resnet20
    /// Depthwise-separable blocks (see `MobileNetTiny`).
    case mobilenetTiny = "mobilenet-tiny"

    /// One line on what the model is.
    public var summary: String {
        switch self {
        case .mlp: "multilayer perceptron 256-128 with ReLU (any input, flattened)"
        case .cnn: "two 3×3 conv + max-pool layers, Linear 128 (the reference CNN for MNIST)"
        case .lenet5: "LeNet-5: conv 5×5 ×6, pool, conv 5×5 ×16, pool, Linear 120-84 (LeCun et al. 1998)"
        case .vggSmall: "VGG-style: 3 stages of 2 conv-BN-ReLU (32/64/128), max-pool, global average pool"
        case .resnet20: "ResNet-20 for CIFAR: 3 stages × 3 basic blocks (16/32/64), projection shortcuts (He et al. 2016)"
        case .mobilenetTiny: "tiny MobileNet: depthwise-separable blocks to 128 channels, global average pool"
        }
    }

    /// The input these models are usually trained on: 1×28×28 (MNIST) for the MNIST-era models, 3×32×32 (CIFAR) for
    /// the others.
    public var typicalInputShape: [Int] { [.mlp, .cnn, .lenet5].contains(self) ? [1, 28, 28] : [3, 32, 32] }

    /// Whether the model takes images [C, H, W] (all but the MLP).
    public var needsImages: Bool { self != .mlp }

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
        if needsImages {
            guard inputShape.count == 3 else { return "the \(rawValue) model needs images [C, H, W], got input shape \(inputShape)" }
            let side = minimumSide
            guard inputShape[1] >= side && inputShape[2] >= side else {
                return "the \(rawValue) model needs images of at least \(side)×\(side) pixels, got \(inputShape[2])×\(inputShape[1])"
            }
        }
        let parameters = parameterCount(inputShape: inputShape, features: features, classes: classes)
        guard let parameters, parameters <= Self.maxParameters else {
            return "input shape \(inputShape) and \(classes) classes give the \(rawValue) model more than \(Self.maxParameters) parameters"
        }
        return nil
    }

    /// The smallest image side the model takes.
    var minimumSide: Int {
        switch self {
        case .mlp: 1
        case .cnn: 10
        case .lenet5: LeNet5.minimumSide
        case .vggSmall: VGGSmall.minimumSide
        case .resnet20: ResNet20.minimumSide
        case .mobilenetTiny: MobileNetTiny.minimumSide
        }
    }

    /// The number of learnable parameters for `inputShape` and `classes`, computed without building the model
    /// (nil when it overflows).
    func parameterCount(inputShape: [Int], features: Int, classes: Int) -> Int? {
        switch self {
        case .mlp:
            return checkedProduct([features + 1, 256]).map { $0 + 257 * 128 + 129 * classes }
        case .cnn:
            let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
            let flat = 64 * (((h - 2) / 2 - 2) / 2) * (((w - 2) / 2 - 2) / 2)
            return checkedProduct([flat + 1, 128]).map { $0 + (9 * c + 1) * 32 + (9 * 32 + 1) * 64 + 129 * classes }
        case .lenet5: return LeNet5.parameterCount(inputShape: inputShape, classes: classes)
        case .vggSmall: return VGGSmall.parameterCount(channels: inputShape[0], classes: classes)
        case .resnet20: return ResNet20.parameterCount(channels: inputShape[0], classes: classes)
        case .mobilenetTiny: return MobileNetTiny.parameterCount(channels: inputShape[0], classes: classes)
        }
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
        case .lenet5, .vggSmall, .resnet20, .mobilenetTiny:
            let build = [
                .lenet5: LeNet5.make, .vggSmall: VGGSmall.make, .resnet20: ResNet20.make, .mobilenetTiny: MobileNetTiny.make,
            ][self]!
            return build(inputShape, classes, activation, dropout, dropoutSeed, &generator)
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
