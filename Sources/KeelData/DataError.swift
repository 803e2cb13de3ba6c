import Foundation
import Keel

/// A problem with data that came from outside (a file, a directory, a flag, a spec): the same one-line
/// "path: problem" error as `FileError`, under the name the data layer has always used.
public typealias DataError = FileError

extension DataError {
    /// The bytes of the regular file at `url` (`InputFile.read`).
    public static func readFile(_ url: URL, maxBytes: Int = 1 << 34) throws -> Data {
        try InputFile.read(url, maxBytes: maxBytes)
    }
}
