import Keel

/// Building: a checked model file becomes a `Sequential`, drawing initial weights in file order.
extension ModelFile {
    /// The network, freshly initialized (PyTorch's default initialization) from `generator` in the order the
    /// layers are written (a residual block: body, then shortcut). Dropout layers are seeded from `dropoutSeed`
    /// (the k-th with `dropoutSeed + k`). Throws what `check()` throws.
    public func make(dropoutSeed: UInt64 = 0, generator: inout KeelRandom) throws -> Sequential {
        _ = try check()
        var dropouts: UInt64 = 0
        return Self.make(layers, dropoutSeed: dropoutSeed, dropouts: &dropouts, generator: &generator)
    }

    static func make(_ layers: [LayerSpec], dropoutSeed: UInt64, dropouts: inout UInt64, generator: inout KeelRandom) -> Sequential {
        Sequential(layers.map { $0.make(dropoutSeed: dropoutSeed, dropouts: &dropouts, generator: &generator) })
    }
}

extension LayerSpec {
    /// The layer (arguments already checked by `ModelFile.check`).
    func make(dropoutSeed: UInt64, dropouts: inout UInt64, generator g: inout KeelRandom) -> any Module {
        switch kind {
        case .linear:
            return Linear(int("in"), int("out"), bias: bool("bias"), generator: &g)
        case .conv2d:
            let w = window
            return Conv2d(
                int("in"), int("out"), kernelSize: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation,
                groups: int("groups"), bias: bool("bias"), generator: &g)
        case .batchnorm1d:
            return BatchNorm1d(int("features"), epsilon: Float(number("eps")), momentum: Float(number("momentum")), affine: bool("affine"))
        case .batchnorm2d:
            return BatchNorm2d(int("features"), epsilon: Float(number("eps")), momentum: Float(number("momentum")), affine: bool("affine"))
        case .layernorm:
            guard case .ints(let shape) = value("shape") else { preconditionFailure("layernorm without a checked shape") }
            return LayerNorm(shape, epsilon: Float(number("eps")), elementwiseAffine: bool("affine"))
        case .groupnorm:
            return GroupNorm(groups: int("groups"), channels: int("channels"), epsilon: Float(number("eps")), affine: bool("affine"))
        case .localResponseNorm:
            return LocalResponseNorm(size: int("size"), alpha: Float(number("alpha")), beta: Float(number("beta")), k: Float(number("k")))
        case .maxpool2d:
            let w = window
            return MaxPool2d(kernelSize: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation, ceilMode: w.ceilMode)
        case .avgpool2d:
            let w = window
            return AvgPool2d(
                kernelSize: w.kernel, stride: w.stride, padding: w.padding, countIncludePad: bool("count_include_pad"), ceilMode: w.ceilMode)
        case .adaptiveAvgPool2d:
            let size = pair("size") ?? (1, 1)
            return AdaptiveAvgPool2d(height: size.0, width: size.1)
        case .flatten:
            return Flatten()
        case .identity:
            return Identity()
        case .dropout:
            defer { dropouts += 1 }
            return Dropout(Float(number("p")), seed: dropoutSeed &+ dropouts)
        case .activation:
            return ActivationLayer((try? Activation.parse(activation ?? "")) ?? .identity)
        case .residual:
            let bodyLayers = ModelFile.make(body, dropoutSeed: dropoutSeed, dropouts: &dropouts, generator: &g)
            let shortcutLayers = shortcut.map { ModelFile.make($0, dropoutSeed: dropoutSeed, dropouts: &dropouts, generator: &g) }
            return Residual(bodyLayers, shortcut: shortcutLayers)
        }
    }
}
