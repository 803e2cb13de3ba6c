/// 2-D max pooling (PyTorch's `nn.MaxPool2d`); stride defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    /// Unused: pooling acts the same in training and evaluation.
    public var isTraining = true

    /// Max pooling over square windows; `stride` defaults to `kernelSize` (PyTorch's `MaxPool2d`).
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) {
        self.kernelSize = (kernelSize, kernelSize)
        self.stride = (stride ?? kernelSize, stride ?? kernelSize)
        self.padding = (padding, padding)
        self.dilation = (dilation, dilation)
    }

    /// [N, C, H, W] → [N, C, H′, W′]: the maximum of each window (padding counts as −∞).
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`); stride defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    /// Whether zero padding counts in each window's average (PyTorch's default true).
    public let countIncludePad: Bool
    /// Unused: pooling acts the same in training and evaluation.
    public var isTraining = true

    /// Average pooling over square windows; `stride` defaults to `kernelSize` (PyTorch's `AvgPool2d`).
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) {
        self.kernelSize = (kernelSize, kernelSize)
        self.stride = (stride ?? kernelSize, stride ?? kernelSize)
        self.padding = (padding, padding)
        self.countIncludePad = countIncludePad
    }

    /// [N, C, H, W] → [N, C, H′, W′]: the mean of each window.
    public func callAsFunction(_ input: Tensor) -> Tensor { withForwardHooks(input, forwardPass(input)) }

    func forwardPass(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}
