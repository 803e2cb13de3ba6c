import Foundation

/// JSON for results that may hold non-finite numbers (a diverged loss, NaN weights): JSON has no NaN or
/// infinity, so each is written as `null` — the rule for every JSON file and `--json` output Keel writes.
public enum FiniteJSON {
    /// `value` with every non-finite `Double`/`Float` (in arrays and dictionaries too) replaced by `NSNull`.
    public static func sanitized(_ value: Any) -> Any {
        switch value {
        case let v as Double: return v.isFinite ? v : NSNull()
        case let v as Float: return v.isFinite ? v : NSNull()
        case let v as [Any]: return v.map(sanitized)
        case let v as [String: Any]: return v.mapValues(sanitized)
        default: return value
        }
    }

    /// Pretty, key-sorted JSON of an `Encodable` value, with every non-finite number as `null`.
    public static func encode<T: Encodable>(_ value: T, options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys]) throws -> Data {
        let marker = "\u{1}non-finite\u{1}"
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        func replacingMarkers(_ value: Any) -> Any {
            switch value {
            case let v as String: return v == marker ? NSNull() : v
            case let v as [Any]: return v.map(replacingMarkers)
            case let v as [String: Any]: return v.mapValues(replacingMarkers)
            default: return value
            }
        }
        let object = try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
        return try JSONSerialization.data(withJSONObject: replacingMarkers(object), options: options.union(.fragmentsAllowed))
    }

    /// `JSONSerialization` data of `object` after `sanitized`.
    public static func data(_ object: Any, options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys]) throws -> Data {
        try JSONSerialization.data(withJSONObject: sanitized(object), options: options)
    }
}

extension KeyedEncodingContainer {
    /// Encodes `value`, or null when it is NaN or infinite (JSON has neither).
    public mutating func encodeFinite<T: BinaryFloatingPoint & Encodable>(_ value: T, forKey key: Key) throws {
        if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// A number written by `encodeFinite`: null reads back as NaN.
    public func decodeFinite<T: BinaryFloatingPoint & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeNil(forKey: key) ? T.nan : decode(T.self, forKey: key)
    }
}
