import Keel

/// A tiny MobileNet (Howard et al. 2017): a 3×3 conv to 16 channels – batch norm – f, then depthwise-separable blocks
/// (3×3 depthwise conv – BN – f – 1×1 pointwise conv – BN – f) to 32 (stride 2), 64 (stride 2), 128 (stride 2) and
/// 128 channels, global average pooling and Linear 128 → classes; bias-free convolutions. Any input [C, H, W] with
/// H, W ≥ 8.
enum MobileNetTiny {
    static let minimumSide = 8
    /// (output channels, stride) of each depthwise-separable block.
    static let blocks = [(32, 2), (64, 2), (128, 2), (128, 1)]

    static func make(
        inputShape: [Int], classes: Int, activation: Activation, dropout: Float, dropoutSeed: UInt64,
        generator g: inout KeelRandom
    ) -> Sequential {
        var layers: [any Module] = [
            Conv2d(inputShape[0], 16, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(16), ActivationLayer(activation),
        ]
        var channels = 16
        for (width, stride) in blocks {
            layers += [
                Conv2d(channels, channels, kernelSize: 3, stride: stride, padding: 1, groups: channels, bias: false, generator: &g),
                BatchNorm2d(channels), ActivationLayer(activation),
                Conv2d(channels, width, kernelSize: 1, bias: false, generator: &g), BatchNorm2d(width), ActivationLayer(activation),
            ]
            channels = width
        }
        layers += [AdaptiveAvgPool2d(1), Flatten()]
        if dropout > 0 { layers.append(Dropout(dropout, seed: dropoutSeed)) }
        layers.append(Linear(128, classes, generator: &g))
        return Sequential(layers)
    }

    static func parameterCount(channels: Int, classes: Int) -> Int {
        var (total, cin) = (channels * 16 * 9 + 32, 16)
        for (width, _) in blocks {
            total += cin * 9 + 2 * cin + cin * width + 2 * width
            cin = width
        }
        return total + 129 * classes
    }
}
