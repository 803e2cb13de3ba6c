import Foundation
import Keel

/// A problem with data that came from outside (a file, a directory, a flag): names the path and what is wrong.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

extension DataError {
    /// The bytes of the regular file at `url` (see `InputFile.read`), its problems as `DataError`s.
    public static func readFile(_ url: URL, maxBytes: Int = 1 << 34) throws -> Data {
        do { return try InputFile.read(url, maxBytes: maxBytes) } catch let error as FileError {
            throw DataError(path: error.path, problem: error.problem)
        }
    }
}
