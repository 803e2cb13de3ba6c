import Keel

/// A small VGG-style network (Simonyan & Zisserman 2015): three stages of two 3×3 conv – batch norm – f layers (32,
/// 64, 128 channels, bias-free), each stage ending in a 2×2 max-pool, then global average pooling and Linear 128 →
/// classes. Any input [C, H, W] with H, W ≥ 8.
enum VGGSmall {
    static let minimumSide = 8

    static func make(
        inputShape: [Int], classes: Int, activation: Activation, dropout: Float, dropoutSeed: UInt64,
        generator g: inout KeelRandom
    ) -> Sequential {
        var layers: [any Module] = []
        var channels = inputShape[0]
        for width in [32, 64, 128] {
            for _ in 0..<2 {
                layers += [
                    Conv2d(channels, width, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(width), ActivationLayer(activation),
                ]
                channels = width
            }
            layers.append(MaxPool2d(kernelSize: 2))
        }
        layers += [AdaptiveAvgPool2d(1), Flatten()]
        if dropout > 0 { layers.append(Dropout(dropout, seed: dropoutSeed)) }
        layers.append(Linear(128, classes, generator: &g))
        return Sequential(layers)
    }

    static func parameterCount(channels: Int, classes: Int) -> Int {
        var (total, cin) = (0, channels)
        for width in [32, 64, 128] {
            for _ in 0..<2 {
                total += cin * width * 9 + 2 * width
                cin = width
            }
        }
        return total + 129 * classes
    }
}
