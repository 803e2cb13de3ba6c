import Keel

/// LeNet-5 (LeCun et al. 1998) as usually trained today: conv 5×5 to 6 channels (padding 2) – f – max-pool 2 – conv
/// 5×5 to 16 – f – max-pool 2 – Linear to 120 – f – Linear to 84 – f – Linear to classes (ReLU and max pooling where
/// the paper had scaled tanh and subsampling). Any input [C, H, W] with H, W ≥ 12; 61,706 parameters on 1×28×28.
enum LeNet5 {
    static let minimumSide = 12

    /// The side after the two convolutions and poolings.
    static func featureSide(_ side: Int) -> Int { (side / 2 - 4) / 2 }

    static func make(
        inputShape: [Int], classes: Int, activation: Activation, dropout: Float, dropoutSeed: UInt64,
        generator g: inout KeelRandom
    ) -> Sequential {
        let flat = 16 * featureSide(inputShape[1]) * featureSide(inputShape[2])
        var layers: [any Module] = [
            Conv2d(inputShape[0], 6, kernelSize: 5, padding: 2, generator: &g), ActivationLayer(activation), MaxPool2d(kernelSize: 2),
            Conv2d(6, 16, kernelSize: 5, generator: &g), ActivationLayer(activation), MaxPool2d(kernelSize: 2), Flatten(),
            Linear(flat, 120, generator: &g), ActivationLayer(activation), Linear(120, 84, generator: &g), ActivationLayer(activation),
        ]
        if dropout > 0 { layers.append(Dropout(dropout, seed: dropoutSeed)) }
        layers.append(Linear(84, classes, generator: &g))
        return Sequential(layers)
    }

    static func parameterCount(inputShape: [Int], classes: Int) -> Int? {
        let flat = checkedProduct([16, featureSide(inputShape[1]), featureSide(inputShape[2])])
        return flat.flatMap { checkedProduct([$0 + 1, 120]) }.map {
            $0 + (25 * inputShape[0] + 1) * 6 + (150 + 1) * 16 + 121 * 84 + 85 * classes
        }
    }
}
