import Foundation
import Keel

/// A network described in YAML — the format `keel models show` prints and `keel train --model FILE.yaml` builds:
///
/// ```yaml
/// name: tiny-resnet
/// input: [3, 32, 32]
/// layers:
///   - conv2d: {in: 3, out: 16, kernel: 3, padding: 1, bias: false}
///   - batchnorm2d: {features: 16}
///   - relu
///   - residual:
///       body:
///         - conv2d: {in: 16, out: 16, kernel: 3, padding: 1, bias: false}
///         - batchnorm2d: {features: 16}
///   - relu
///   - adaptive_avg_pool2d: {size: 1}
///   - flatten
///   - linear: {in: 16, out: 10}
/// ```
///
/// `input` is one sample's shape; the layers form a `Sequential` whose `state_dict` names follow the list
/// (`0.weight`, `3.body.0.weight`, `3.shortcut.0.weight`), as PyTorch's `nn.Sequential` names them. Reading a file
/// checks every shape before anything is built: errors name the layer's key path (`layers.7.linear.in`) and the line.
public struct ModelFile: Codable, Equatable, Sendable {
    /// A name for the network (shown in logs and `model.json`).
    public var name: String?
    /// One sample's shape ([C, H, W] for images, [features] for tables).
    public var input: [Int]
    /// The layers, in order.
    public var layers: [LayerSpec]

    /// A network of `layers` taking samples of shape `input`.
    public init(name: String? = nil, input: [Int], layers: [LayerSpec]) {
        (self.name, self.input, self.layers) = (name, input, layers)
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, input, layers }

    /// Reads `name` (optional), `input` and `layers` (both required); other keys are errors.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        input = try c.decode([Int].self, forKey: .input)
        layers = try c.decode([LayerSpec].self, forKey: .layers)
    }

    /// The largest size any argument may have (2²⁴).
    public static let maxSize = 1 << 24
    /// The largest model file read (1 MiB) and the most YAML nodes it may hold.
    static let maxFileBytes = 1 << 20
    static let maxNodes = 100_000

    /// The name to show: `name`, or "model file".
    public var displayName: String { name.map { FileError.oneLine($0) } ?? "model file" }

    /// Reads, decodes and checks a model file (see `decode(yaml:file:)`).
    public static func read(_ url: URL) throws -> ModelFile {
        let text: String
        do { text = try InputFile.text(url, maxBytes: maxFileBytes) } catch let error as FileError {
            throw RunConfigurationError(key: "", problem: error.problem, file: error.path)
        }
        return try decode(yaml: text, file: url.path)
    }

    /// Decodes YAML text and checks every layer against the shape it receives; errors are one line with the file,
    /// line and key path (`layers.3.linear.in`).
    public static func decode(yaml text: String, file: String = "model.yaml") throws -> ModelFile {
        let (model, node) = try StrictYAML.decode(ModelFile.self, yaml: text, file: file, maxNodes: maxNodes)
        do { _ = try model.check() } catch let error as RunConfigurationError {
            var located = error
            (located.file, located.line) = (file, StrictYAML.line(of: error.key.split(separator: ".").map(String.init), in: node))
            throw located
        }
        return model
    }

    /// The file's text: a header comment (name, parameter count, what to do with it), then the YAML.
    public func yaml() throws -> String {
        let shape = try check()
        return "# \(displayName): \(ModelSummary.grouped(shape.parameters)) parameters for input \(input), output \(shape.output).\n"
            + "# `keel train --model FILE.yaml` builds it; edit the layers to make your own network.\n"
            + (try StrictYAML.encode(self))
    }

    /// Writes the file (atomically).
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(yaml().utf8), to: url)
    }
}
