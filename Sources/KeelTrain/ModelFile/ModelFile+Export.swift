import Keel

/// Exporting: a network of Keel's layers written as a model file (what `keel models show` prints).
extension ModelFile {
    /// The file that builds `network` again — same layers, same `state_dict` names, and, from the same generator,
    /// the same initial weights. Throws `ModelFileExportError` for a module a model file cannot name (a custom
    /// module, a nested `Sequential` outside a residual block, an activation with a non-default softplus threshold).
    public init(describing network: Sequential, input: [Int], name: String? = nil) throws {
        self.init(name: name, input: input, layers: try network.layers.enumerated().map { try LayerSpec(describing: $1, path: "\($0)") })
    }
}

/// A module that a model file cannot describe.
public struct ModelFileExportError: Error, CustomStringConvertible, Sendable {
    /// The module's `state_dict` prefix ("3.body.1").
    public var path: String
    /// The module's type.
    public var type: String
    /// "3.body.1: a model file cannot describe MyLayer".
    public var description: String { "\(path): a model file cannot describe \(type)" }
}

extension LayerSpec {
    /// The spec of `module` (at `state_dict` prefix `path`), arguments that equal their defaults left out.
    init(describing module: any Module, path: String) throws {
        try self.init(describingWithDefaults: module, path: path)
        arguments = arguments.filter { key, value in
            guard let entry = kind.arguments.first(where: { $0.key == key }), case .defaultValue(let fallback) = entry.requirement else {
                return true
            }
            return value != fallback
        }
    }

    private init(describingWithDefaults module: any Module, path: String) throws {
        func unsupported() -> ModelFileExportError { ModelFileExportError(path: path, type: "\(type(of: module))") }
        func pair(_ p: (Int, Int)) -> LayerArgument { p.0 == p.1 ? .int(p.0) : .ints([p.0, p.1]) }
        func number(_ x: Float) -> LayerArgument { .number(Double("\(x)") ?? Double(x)) }
        switch module {
        case let layer as Linear:
            self.init(.linear, ["in": .int(layer.inFeatures), "out": .int(layer.outFeatures), "bias": .bool(layer.bias != nil)])
        case let layer as Conv2d:
            let shape = layer.weight.shape
            self.init(
                .conv2d,
                [
                    "in": .int(shape[1] * layer.groups), "out": .int(shape[0]), "kernel": pair((shape[2], shape[3])),
                    "stride": pair(layer.stride), "padding": pair(layer.padding), "dilation": pair(layer.dilation),
                    "groups": .int(layer.groups), "bias": .bool(layer.bias != nil),
                ])
        case let layer as BatchNorm:
            self.init(
                layer is BatchNorm2d ? .batchnorm2d : .batchnorm1d,
                [
                    "features": .int(layer.features), "eps": number(layer.epsilon), "momentum": number(layer.momentum),
                    "affine": .bool(layer.weight != nil),
                ])
        case let layer as LayerNorm:
            self.init(.layernorm, ["shape": .ints(layer.normalizedShape), "eps": number(layer.epsilon), "affine": .bool(layer.weight != nil)])
        case let layer as GroupNorm:
            self.init(
                .groupnorm,
                ["groups": .int(layer.groups), "channels": .int(layer.channels), "eps": number(layer.epsilon), "affine": .bool(layer.weight != nil)])
        case let layer as LocalResponseNorm:
            self.init(.localResponseNorm, ["size": .int(layer.size), "alpha": number(layer.alpha), "beta": number(layer.beta), "k": number(layer.k)])
        case let layer as MaxPool2d:
            self.init(
                .maxpool2d,
                [
                    "kernel": pair(layer.kernelSize), "stride": pair(layer.stride), "padding": pair(layer.padding), "dilation": pair(layer.dilation),
                    "ceil_mode": .bool(layer.ceilMode),
                ])
            if layer.stride == layer.kernelSize { arguments["stride"] = nil }
        case let layer as AvgPool2d:
            self.init(
                .avgpool2d,
                [
                    "kernel": pair(layer.kernelSize), "stride": pair(layer.stride), "padding": pair(layer.padding),
                    "ceil_mode": .bool(layer.ceilMode), "count_include_pad": .bool(layer.countIncludePad),
                ])
            if layer.stride == layer.kernelSize { arguments["stride"] = nil }
        case let layer as AdaptiveAvgPool2d:
            self.init(.adaptiveAvgPool2d, ["size": pair((layer.outputSize.height, layer.outputSize.width))])
        case let layer as Flatten where layer.startAxis == 1:
            self.init(.flatten)
        case is Identity:
            self.init(.identity)
        case let layer as Dropout:
            self.init(.dropout, ["p": number(layer.probability)])
        case let layer as ActivationLayer:
            guard let spec = Self.spec(of: layer.activation) else { throw unsupported() }
            self = .activation(spec)
        case let block as Residual:
            func layers(_ module: any Module, _ name: String) throws -> [LayerSpec] {
                guard let sequential = module as? Sequential else { throw unsupported() }
                return try sequential.layers.enumerated().map { try LayerSpec(describing: $1, path: "\(path).\(name).\($0)") }
            }
            self = .residual(body: try layers(block.body, "body"), shortcut: try block.shortcut.map { try layers($0, "shortcut") })
        default:
            throw unsupported()
        }
    }

    /// `relu`, `leaky_relu:0.1`, `elu:0.5`: the spec `Activation.parse` reads back as `activation`, or nil.
    static func spec(of activation: Activation) -> String? {
        let spec: String
        switch activation {
        case .leakyReLU(let slope): spec = "\(activation.name):\(slope)"
        case .elu(let alpha), .celu(let alpha): spec = "\(activation.name):\(alpha)"
        case .softplus(let beta, _): spec = "\(activation.name):\(beta)"
        default: spec = activation.name
        }
        return (try? Activation.parse(spec)) == activation ? spec : nil
    }
}
