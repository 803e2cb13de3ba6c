/// The layers a model file names, each with the arguments it takes (PyTorch's argument names where they fit:
/// `in`/`out` for `in_features`/`out_features` and `in_channels`/`out_channels`).
public enum LayerKind: String, CaseIterable, Sendable {
    /// `Linear`: in, out, bias (true).
    case linear
    /// `Conv2d`: in, out, kernel, stride (1), padding (0, or `same`), dilation (1), groups (1), bias (true).
    case conv2d
    /// `BatchNorm1d`: features, eps (1e-5), momentum (0.1), affine (true).
    case batchnorm1d
    /// `BatchNorm2d`: features, eps (1e-5), momentum (0.1), affine (true).
    case batchnorm2d
    /// `LayerNorm`: shape (the trailing sizes normalized), eps (1e-5), affine (true).
    case layernorm
    /// `GroupNorm`: groups, channels, eps (1e-5), affine (true).
    case groupnorm
    /// `LocalResponseNorm`: size, alpha (1e-4), beta (0.75), k (1).
    case localResponseNorm = "local_response_norm"
    /// `MaxPool2d`: kernel, stride (the kernel), padding (0), dilation (1), ceil_mode (false).
    case maxpool2d
    /// `AvgPool2d`: kernel, stride (the kernel), padding (0), ceil_mode (false), count_include_pad (true).
    case avgpool2d
    /// `AdaptiveAvgPool2d`: size (1 is global average pooling).
    case adaptiveAvgPool2d = "adaptive_avg_pool2d"
    /// `Flatten`: [C, H, W] → [C·H·W].
    case flatten
    /// `Identity`.
    case identity
    /// `Dropout`: p (0.5).
    case dropout
    /// `Residual`: body (a list of layers) plus shortcut (a list of layers; absent: the identity).
    case residual
    /// An activation layer, written as its spec alone: `relu`, `gelu`, `leaky_relu:0.1`.
    case activation

    /// Whether an argument must be given, has a default, or may be left out (a pooling stride: the kernel).
    enum Requirement: Sendable {
        case required
        case optional
        case defaultValue(LayerArgument)
    }

    /// The arguments of this kind in the order a model file writes them.
    var arguments: [(key: String, type: ArgumentType, requirement: Requirement)] {
        let norm: [(key: String, type: ArgumentType, requirement: Requirement)] = [
            ("eps", .number, .defaultValue(.number(1e-5))), ("affine", .bool, .defaultValue(.bool(true))),
        ]
        switch self {
        case .linear:
            return [("in", .positive, .required), ("out", .positive, .required), ("bias", .bool, .defaultValue(.bool(true)))]
        case .conv2d:
            return [
                ("in", .positive, .required), ("out", .positive, .required), ("kernel", .pair(minimum: 1), .required),
                ("stride", .pair(minimum: 1), .defaultValue(.int(1))), ("padding", .padding, .defaultValue(.int(0))),
                ("dilation", .pair(minimum: 1), .defaultValue(.int(1))), ("groups", .positive, .defaultValue(.int(1))),
                ("bias", .bool, .defaultValue(.bool(true))),
            ]
        case .batchnorm1d, .batchnorm2d:
            return [("features", .positive, .required), norm[0], ("momentum", .number, .defaultValue(.number(0.1))), norm[1]]
        case .layernorm: return [("shape", .sizes, .required)] + norm
        case .groupnorm: return [("groups", .positive, .required), ("channels", .positive, .required)] + norm
        case .localResponseNorm:
            return [
                ("size", .positive, .required), ("alpha", .number, .defaultValue(.number(1e-4))),
                ("beta", .number, .defaultValue(.number(0.75))), ("k", .number, .defaultValue(.number(1))),
            ]
        case .maxpool2d, .avgpool2d:
            let window: [(key: String, type: ArgumentType, requirement: Requirement)] = [
                ("kernel", .pair(minimum: 1), .required), ("stride", .pair(minimum: 1), .optional),
                ("padding", .pair(minimum: 0), .defaultValue(.int(0))),
            ]
            if self == .avgpool2d {
                return window + [("ceil_mode", .bool, .defaultValue(.bool(false))), ("count_include_pad", .bool, .defaultValue(.bool(true)))]
            }
            return window + [("dilation", .pair(minimum: 1), .defaultValue(.int(1))), ("ceil_mode", .bool, .defaultValue(.bool(false)))]
        case .adaptiveAvgPool2d: return [("size", .pair(minimum: 1), .required)]
        case .dropout: return [("p", .number, .defaultValue(.number(0.5)))]
        case .flatten, .identity, .residual, .activation: return []
        }
    }

    /// The kinds a model file may name (the activation kind is written as the activation's name).
    static var named: [LayerKind] { allCases.filter { $0 != .activation } }
}
