/// 2-D convolution layer over NCHW input. Weight [out, in / groups, kh, kw], bias [out].
public final class Conv2d: Module {
    /// Filters [out, in / groups, kh, kw].
    public let weight: Parameter
    /// One bias per output channel (nil without `bias`).
    public let bias: Parameter?
    /// Step between windows (height, width).
    public let stride: (Int, Int)
    /// Zero padding on each side (height, width).
    public let padding: (Int, Int)
    /// Spacing between kernel taps (height, width).
    public let dilation: (Int, Int)
    /// Input and output channels are split into this many groups, each convolved on its own (PyTorch's `groups`;
    /// `groups == in` is a depthwise convolution).
    public let groups: Int
    /// Unused: a convolution acts the same in training and evaluation.
    public var isTraining = true

    /// PyTorch's default initialization (U(−1/√fan_in, 1/√fan_in), fan_in = in / groups · kh · kw) unless
    /// `initializer` is given. `in` and `out` must be multiples of `groups`.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
        initializer: Initializer = .pytorchDefault, generator: inout KeelRandom
    ) {
        ensure(
            inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0,
            "Conv2d: channels and kernel size must be positive")
        ensure(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: \(inChannels) input and \(outChannels) output channels cannot be split into \(groups) groups")
        let perGroup = inChannels / groups
        weight = Parameter(initializer.make([outChannels, perGroup, kernelSize.0, kernelSize.1], generator: &generator))
        let bound = 1 / Float(perGroup * kernelSize.0 * kernelSize.1).squareRoot()
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, generator: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// What `padding: .same` asks for: the output as large as the input (stride 1, as PyTorch's `padding='same'`).
    public enum SamePadding: Sendable { case same }

    /// Square kernel with `padding: .same`: d·(k − 1) / 2 zeros on each side keep the input's height and width
    /// (stride 1; d·(k − 1) must be even, which every odd kernel gives).
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, padding: SamePadding, dilation: Int = 1, groups: Int = 1,
        bias: Bool = true, initializer: Initializer = .pytorchDefault, generator: inout KeelRandom
    ) {
        ensure(
            dilation * (kernelSize - 1) % 2 == 0,
            "Conv2d: padding .same needs dilation · (kernel − 1) even, got kernel \(kernelSize), dilation \(dilation)")
        let p = dilation * (kernelSize - 1) / 2
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), padding: (p, p), dilation: (dilation, dilation),
            groups: groups, bias: bias, initializer: initializer, generator: &generator)
    }

    /// Square kernel, stride, padding and dilation.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, initializer: Initializer = .pytorchDefault,
        generator: inout KeelRandom
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
            initializer: initializer, generator: &generator)
    }

    /// Square kernel, initialized from the process-wide stream (`KeelRandom.manualSeed`), as PyTorch's `nn.Conv2d`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, initializer: Initializer = .pytorchDefault
    ) {
        var generator = KeelRandom(seed: KeelRandom.nextGlobalSeed())
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
            groups: groups, bias: bias, initializer: initializer, generator: &generator)
    }

    /// Square kernel with `padding: .same`, initialized from the process-wide stream.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, padding: SamePadding, dilation: Int = 1, groups: Int = 1,
        bias: Bool = true, initializer: Initializer = .pytorchDefault
    ) {
        var generator = KeelRandom(seed: KeelRandom.nextGlobalSeed())
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, padding: padding, dilation: dilation, groups: groups, bias: bias,
            initializer: initializer, generator: &generator)
    }

    /// `weight` and `bias`, as PyTorch names them.
    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// [N, in, H, W] → [N, out, H′, W′], H′ = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forward(input, relu: false)) }

    /// The convolution, with a ReLU fused in when `relu`.
    func forward(_ input: Tensor, relu: Bool) -> Tensor {
        guard groups == 1 else {
            let y = conv2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups)
            return relu ? y.relu() : y
        }
        return conv2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, relu: relu)
    }
}
