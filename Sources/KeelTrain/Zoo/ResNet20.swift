import Keel

/// The CIFAR ResNet-20 of He et al. 2016 ("Deep Residual Learning for Image Recognition", section 4.2): a 3×3
/// convolution to 16 channels with batch norm and ReLU, three stages of three basic blocks with 16, 32 and 64
/// channels (the first block of stages 2 and 3 halves the resolution with stride 2 and has a 1×1 convolution + batch
/// norm projection shortcut), bias-free convolutions, global average pooling and Linear 64 → classes: 272,474
/// parameters for 10 classes (PyTorch's count). Any input [C, H, W] with H, W ≥ 4.
enum ResNet20 {
    /// The smallest input side: two stride-2 stages leave at least 1×1.
    static let minimumSide = 4

    static func make(
        inputShape: [Int], classes: Int, activation: Activation, dropout: Float, dropoutSeed: UInt64,
        generator g: inout KeelRandom
    ) -> Sequential {
        var layers: [any Module] = [
            Conv2d(inputShape[0], 16, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(16), ActivationLayer(activation),
        ]
        var channels = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            for block in 0..<3 {
                let stride = stage > 0 && block == 0 ? 2 : 1
                layers.append(basicBlock(channels, width, stride: stride, activation: activation, generator: &g))
                layers.append(ActivationLayer(activation))
                channels = width
            }
        }
        layers += [AdaptiveAvgPool2d(1), Flatten()]
        if dropout > 0 { layers.append(Dropout(dropout, seed: dropoutSeed)) }
        layers.append(Linear(64, classes, generator: &g))
        return Sequential(layers)
    }

    /// conv 3×3 (stride) – BN – f – conv 3×3 – BN, plus a 1×1 conv + BN projection when the shape changes.
    static func basicBlock(_ cin: Int, _ cout: Int, stride: Int, activation: Activation, generator g: inout KeelRandom) -> Residual {
        let body = Sequential([
            Conv2d(cin, cout, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &g), BatchNorm2d(cout),
            ActivationLayer(activation), Conv2d(cout, cout, kernelSize: 3, padding: 1, bias: false, generator: &g), BatchNorm2d(cout),
        ])
        guard stride != 1 || cin != cout else { return Residual(body) }
        let projection = Sequential([Conv2d(cin, cout, kernelSize: 1, stride: stride, bias: false, generator: &g), BatchNorm2d(cout)])
        return Residual(body, shortcut: projection)
    }

    /// Parameters for `channels` input channels and `classes` classes (independent of the image size).
    static func parameterCount(channels: Int, classes: Int) -> Int {
        func conv(_ cin: Int, _ cout: Int, _ k: Int) -> Int { cin * cout * k * k }
        func bn(_ c: Int) -> Int { 2 * c }
        var total = conv(channels, 16, 3) + bn(16)
        var cin = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            for block in 0..<3 {
                total += conv(cin, width, 3) + bn(width) + conv(width, width, 3) + bn(width)
                if stage > 0 && block == 0 { total += conv(cin, width, 1) + bn(width) }
                cin = width
            }
        }
        return total + 64 * classes + classes
    }
}
