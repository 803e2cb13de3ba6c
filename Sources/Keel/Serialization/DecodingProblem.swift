import Foundation

/// One-line descriptions of JSON decoding failures: the key path and what was wrong, e.g.
/// "input_shape[0]: expected Int, found a string", instead of a multi-line `DecodingError` dump.
public enum DecodingProblem {
    /// "key.path: what was wrong" for a `DecodingError`, the error's one-line text otherwise.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return FileError.oneLine(String(describing: error)) }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            let trimmed = keys.hasPrefix(".") ? String(keys.dropFirst()) : keys
            return trimmed.isEmpty ? "" : "\(trimmed): "
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context))expected \(type) (\(FileError.oneLine(context.debugDescription)))"
        case .valueNotFound(let type, let context):
            return "\(path(context))missing \(type) value"
        case .keyNotFound(let key, let context):
            return "\(path(context))missing key '\(key.stringValue)'"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?).map { " — \(FileError.oneLine($0.localizedDescription))" } ?? ""
            return "\(path(context))\(FileError.oneLine(context.debugDescription))\(underlying)"
        @unknown default:
            return FileError.oneLine(String(describing: error))
        }
    }
}
