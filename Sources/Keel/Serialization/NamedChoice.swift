/// An enum chosen by name in a config file or JSON (`sgd`, `standard`, `cnn`): decoding an unknown name fails with
/// "'resnet' is not one of mlp, cnn" instead of Foundation's "Cannot initialize … from invalid String value".
public protocol NamedChoice: RawRepresentable<String>, CaseIterable, Codable {}

extension NamedChoice {
    /// Decodes a name; an unknown one throws "'NAME' is not one of …".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Self(rawValue: name) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(FileError.oneLine(name))' is not one of \(names)")
        }
        self = value
    }
}
