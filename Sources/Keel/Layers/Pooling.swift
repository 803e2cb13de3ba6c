/// 2-D max pooling (PyTorch's `nn.MaxPool2d`); stride defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// Unused: pooling acts the same in training and evaluation.
    public var isTraining = true

    /// Max pooling over square windows; `stride` defaults to `kernelSize` (PyTorch's `MaxPool2d`).
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: (stride ?? kernelSize, stride ?? kernelSize), padding: (padding, padding),
            dilation: (dilation, dilation), ceilMode: ceilMode)
    }

    /// Max pooling over (height, width) windows.
    public init(kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.dilation, self.ceilMode) = (kernelSize, stride, padding, dilation, ceilMode)
    }

    /// [N, C, H, W] → [N, C, H′, W′]: the maximum of each window (padding counts as −∞).
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor { forward(input, relu: false) }

    /// The pooling of relu(input) with `relu` (`Sequential` uses it for a ReLU layer followed by this one):
    /// one op, the same bits as the two.
    func forward(_ input: Tensor, relu: Bool) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, relu: relu)
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`); stride defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    /// Whether zero padding counts in each window's average (PyTorch's default true).
    public let countIncludePad: Bool
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// Unused: pooling acts the same in training and evaluation.
    public var isTraining = true

    /// Average pooling over square windows; `stride` defaults to `kernelSize` (PyTorch's `AvgPool2d`).
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true, ceilMode: Bool = false) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: (stride ?? kernelSize, stride ?? kernelSize), padding: (padding, padding),
            countIncludePad: countIncludePad, ceilMode: ceilMode)
    }

    /// Average pooling over (height, width) windows.
    public init(kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0), countIncludePad: Bool = true, ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.countIncludePad, self.ceilMode) = (kernelSize, stride, padding, countIncludePad, ceilMode)
    }

    /// [N, C, H, W] → [N, C, H′, W′]: the mean of each window.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad, ceilMode: ceilMode)
    }
}

/// Adaptive average pooling (PyTorch's `nn.AdaptiveAvgPool2d`): [N, C, H, W] → [N, C, oh, ow] whatever H and W; cell
/// (i, j) is the mean over rows ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ and columns ⌊j·W/ow⌋ ..< ⌈(j+1)·W/ow⌉.
/// `AdaptiveAvgPool2d(1)` is global average pooling.
public final class AdaptiveAvgPool2d: Module {
    /// The output's height and width.
    public let outputSize: (height: Int, width: Int)
    /// Unused: pooling acts the same in training and evaluation.
    public var isTraining = true

    /// Pooling to `outputSize` × `outputSize`.
    public convenience init(_ outputSize: Int) { self.init(height: outputSize, width: outputSize) }

    /// Pooling to `height` × `width`.
    public init(height: Int, width: Int) {
        ensure(height > 0 && width > 0, "AdaptiveAvgPool2d: output size must be positive, got \(height)×\(width)")
        outputSize = (height, width)
    }

    /// [N, C, H, W] → [N, C, oh, ow].
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, adaptiveAvgPool2d(input, outputSize)) }
}

/// Adaptive average pooling of [N, C, H, W] to [N, C, height, width] (see `AdaptiveAvgPool2d`).
public func adaptiveAvgPool2d(_ input: Tensor, _ size: (height: Int, width: Int)) -> Tensor {
    ensure(input.rank == 4, "adaptiveAvgPool2d: input must be [N, C, H, W], got shape \(input.shape)")
    let (h, w) = (input.shape[2], input.shape[3])
    ensure(h > 0 && w > 0, "adaptiveAvgPool2d: empty input of shape \(input.shape)")
    if size == (1, 1) { return input.mean(axes: [2, 3], keepDims: true) }
    func bounds(_ i: Int, _ n: Int, _ length: Int) -> Range<Int> { (i * length / n)..<(((i + 1) * length + n - 1) / n) }
    let rows = (0..<size.height).map { i in
        let band = input.slice(axis: 2, bounds(i, size.height, h))
        return Tensor.concatenate(
            (0..<size.width).map { j in band.slice(axis: 3, bounds(j, size.width, w)).mean(axes: [2, 3], keepDims: true) }, axis: 3)
    }
    return Tensor.concatenate(rows, axis: 2)
}
