import Keel

/// Shape checking: every layer is checked against the shape it receives before anything is built.
extension ModelFile {
    /// What a checked model gives: one sample's output shape and the parameter count (as PyTorch's
    /// `sum(p.numel() for p in model.parameters())`).
    public struct CheckedShape: Equatable, Sendable {
        /// One sample's output shape.
        public var output: [Int]
        /// The number of learnable parameters.
        public var parameters: Int
        /// The most values any layer outputs for one sample.
        public var largestActivation: Int
    }

    /// The most values a layer may output for one sample (2²⁶: 256 MiB of Float32).
    public static let maxActivation = 1 << 26

    /// Walks the layers from `input`, checking each against the shape it receives; throws a
    /// `RunConfigurationError` whose key is the layer's path (`layers.3.linear.in`) and whose problem names both
    /// sides ("is 1600, but the input has 2304 features").
    public func check() throws -> CheckedShape {
        guard !input.isEmpty, input.count <= 4, input.allSatisfy({ (1...Self.maxSize).contains($0) }),
            checkedProduct(input, limit: ReferenceModel.maxInputFeatures) != nil
        else {
            throw RunConfigurationError(
                key: "input",
                problem:
                    "expected one sample's shape, 1 to 4 sizes ≥ 1 ([3, 32, 32]) of at most \(ReferenceModel.maxInputFeatures) values, got \(input)")
        }
        guard !layers.isEmpty else { throw RunConfigurationError(key: "layers", problem: "needs at least one layer") }
        var totals = CheckedShape(output: input, parameters: 0, largestActivation: input.reduce(1, *))
        totals.output = try Self.check(layers, input: input, path: "layers", totals: &totals)
        return totals
    }

    /// What makes this network unusable for samples of `inputShape` and `classes` classes, or nil.
    public func problem(inputShape: [Int], classes: Int) -> String? {
        let checked: CheckedShape
        do { checked = try check() } catch { return "\(displayName): \(error)" }
        guard inputShape == input else { return "\(displayName) takes input \(input), but the data's samples have shape \(inputShape)" }
        guard checked.output == [classes] else {
            return "\(displayName) ends in output \(checked.output), but the data has \(classes) classes (the last layer needs out: \(classes))"
        }
        return nil
    }

    static func check(_ layers: [LayerSpec], input: [Int], path: String, totals: inout CheckedShape) throws -> [Int] {
        var shape = input
        for (index, layer) in layers.enumerated() {
            let here = "\(path).\(index)"
            shape = try layer.outputShape(input: shape, path: here, parameters: &totals.parameters)
            guard let count = checkedProduct(shape, limit: maxActivation) else {
                throw RunConfigurationError(
                    key: layer.kind == .activation ? here : "\(here).\(layer.kind.rawValue)",
                    problem: "outputs \(shape) for one sample, more than \(maxActivation) values")
            }
            totals.largestActivation = max(totals.largestActivation, count)
        }
        return shape
    }
}

extension LayerSpec {
    /// One sample's output shape for one sample's `input`, adding this layer's parameters to `parameters`.
    func outputShape(input: [Int], path: String, parameters: inout Int) throws -> [Int] {
        let here = kind == .activation ? path : "\(path).\(kind.rawValue)"
        func fail(_ key: String?, _ problem: String) -> RunConfigurationError {
            RunConfigurationError(key: key.map { "\(here).\($0)" } ?? here, problem: problem)
        }
        func add(_ factors: [Int]) throws {
            guard let count = checkedProduct(factors), case (let sum, let overflow) = parameters.addingReportingOverflow(count), !overflow,
                sum <= ReferenceModel.maxParameters
            else { throw fail(nil, "the network would have more than \(ReferenceModel.maxParameters) parameters") }
            parameters = sum
        }
        func needImages() throws {
            guard input.count == 3 else { throw fail(nil, "needs images [C, H, W], but its input is \(input)") }
        }
        switch kind {
        case .activation, .identity:
            return input
        case .flatten:
            return [input.reduce(1, *)]
        case .dropout:
            let p = number("p")
            guard p >= 0 && p < 1 else { throw fail("p", "must be in [0, 1), got \(p)") }
            return input
        case .linear:
            let (inFeatures, outFeatures) = (int("in"), int("out"))
            let last = input[input.count - 1]
            if inFeatures != last {
                let flat = input.reduce(1, *)
                let hint = input.count > 1 && flat == inFeatures ? "; put `flatten` before this layer" : ""
                let what = input.count == 1 ? "has \(last) features" : "\(input) has \(last) values in its last axis (\(flat) flattened)"
                throw fail("in", "is \(inFeatures), but the input \(what)\(hint)")
            }
            try add([outFeatures, inFeatures])
            if bool("bias") { try add([outFeatures]) }
            return input.dropLast() + [outFeatures]
        case .conv2d:
            return try convolutionShape(input: input, fail: fail, add: add, needImages: needImages)
        case .batchnorm1d, .batchnorm2d:
            let features = int("features")
            if kind == .batchnorm2d { try needImages() }
            guard kind == .batchnorm2d || input.count <= 2 else {
                throw fail(nil, "needs [features] or [features, length], got \(input); use batchnorm2d for images")
            }
            guard input[0] == features else { throw fail("features", "is \(features), but the input \(input) has \(input[0]) channels") }
            try checkNormalization(fail: fail)
            let momentum = number("momentum")
            guard momentum >= 0 && momentum <= 1 else { throw fail("momentum", "must be in [0, 1], got \(momentum)") }
            if bool("affine") { try add([2, features]) }
            return input
        case .layernorm:
            guard case .ints(let shape) = value("shape") ?? .ints([]), input.suffix(shape.count) == shape[...] else {
                throw fail("shape", "must be the input's trailing sizes; the input is \(input)")
            }
            try checkNormalization(fail: fail)
            if bool("affine") { try add([2] + shape) }
            return input
        case .groupnorm:
            let (groups, channels) = (int("groups"), int("channels"))
            guard input.count >= 2 && input[0] == channels else {
                throw fail("channels", "is \(channels), but the input \(input) has \(input.count >= 2 ? "\(input[0]) channels" : "no channel axis")")
            }
            guard channels % groups == 0 else { throw fail("groups", "\(channels) channels cannot be split into \(groups) groups") }
            try checkNormalization(fail: fail)
            if bool("affine") { try add([2, channels]) }
            return input
        case .localResponseNorm:
            guard input.count >= 2 else { throw fail(nil, "needs input [C, …], got \(input)") }
            for key in ["beta", "k"] where number(key) <= 0 { throw fail(key, "must be positive") }
            return input
        case .maxpool2d, .avgpool2d:
            try needImages()
            let window = self.window
            guard window.padding.height * 2 <= window.kernel.height && window.padding.width * 2 <= window.kernel.width else {
                throw fail("padding", "must be at most half the kernel (PyTorch's rule), got padding \(window.padding) for kernel \(window.kernel)")
            }
            let out = window.outputSize(height: input[1], width: input[2])
            guard out.height >= 1 && out.width >= 1 else {
                throw fail(nil, "a \(window) window does not fit the input \(input)")
            }
            return [input[0], out.height, out.width]
        case .adaptiveAvgPool2d:
            try needImages()
            let size = pair("size") ?? (1, 1)
            return [input[0], size.0, size.1]
        case .residual:
            var totals = ModelFile.CheckedShape(output: input, parameters: parameters, largestActivation: 0)
            let bodyShape = try ModelFile.check(body, input: input, path: "\(here).body", totals: &totals)
            let shortcutShape = try shortcut.map { try ModelFile.check($0, input: input, path: "\(here).shortcut", totals: &totals) } ?? input
            parameters = totals.parameters
            guard bodyShape == shortcutShape else {
                let side =
                    shortcut == nil
                    ? "the shortcut (the identity) gives \(shortcutShape); add a shortcut that maps it" : "the shortcut gives \(shortcutShape)"
                throw fail(nil, "the body gives \(bodyShape) but \(side) — the two must match to be added")
            }
            return bodyShape
        }
    }

    /// conv2d's output shape: channels, groups, `same` padding and the window checked against the input.
    private func convolutionShape(
        input: [Int], fail: (String?, String) -> RunConfigurationError, add: ([Int]) throws -> Void, needImages: () throws -> Void
    ) throws -> [Int] {
        try needImages()
        let (inChannels, outChannels, groups) = (int("in"), int("out"), int("groups"))
        guard input[0] == inChannels else { throw fail("in", "is \(inChannels), but the input \(input) has \(input[0]) channels") }
        guard inChannels % groups == 0 && outChannels % groups == 0 else {
            throw fail("groups", "\(inChannels) input and \(outChannels) output channels cannot be split into \(groups) groups")
        }
        let kernel = pair("kernel") ?? (1, 1)
        let dilation = pair("dilation") ?? (1, 1)
        if case .text = value("padding") {
            guard pair("stride") ?? (1, 1) == (1, 1) else { throw fail("padding", "same needs stride 1 (as in PyTorch)") }
            guard (dilation.0 * (kernel.0 - 1)) % 2 == 0 && (dilation.1 * (kernel.1 - 1)) % 2 == 0 else {
                throw fail("padding", "same needs an odd kernel (dilation · (kernel − 1) even), got kernel \(kernel)")
            }
        }
        let out = window.outputSize(height: input[1], width: input[2])
        guard out.height >= 1 && out.width >= 1 else { throw fail(nil, "a \(window) window does not fit the input \(input)") }
        try add([outChannels, inChannels / groups, kernel.0, kernel.1])
        if bool("bias") { try add([outChannels]) }
        return [outChannels, out.height, out.width]
    }

    private func checkNormalization(fail: (String?, String) -> RunConfigurationError) throws {
        let eps = number("eps")
        guard eps > 0 && eps < 1 else { throw fail("eps", "must be in (0, 1), got \(eps)") }
    }

    /// The window of a conv2d or pooling layer (padding `same` resolved to d·(k − 1) / 2).
    var window: Window2D {
        let kernel = pair("kernel") ?? (1, 1)
        let dilation = pair("dilation") ?? (1, 1)
        let padding: (Int, Int)
        if case .text = value("padding") {
            padding = (dilation.0 * (kernel.0 - 1) / 2, dilation.1 * (kernel.1 - 1) / 2)
        } else {
            padding = pair("padding") ?? (0, 0)
        }
        let stride = pair("stride") ?? (kind == .conv2d ? (1, 1) : kernel)
        return Window2D(kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: bool("ceil_mode"))
    }
}
