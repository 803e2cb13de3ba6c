import Foundation

/// Input from outside that could not be used — a file that cannot be read or written, a bad spec or value:
/// names the path (or spec) and what is wrong, on one line. KeelData calls it `DataError`.
public struct FileError: Error, CustomStringConvertible, Equatable {
    /// The file or folder.
    public var path: String
    /// What is wrong with it, in words.
    public var problem: String

    /// An error about `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// "PATH: PROBLEM".
    public var description: String { "\(path): \(problem)" }

    /// The reason an I/O call failed, from `errno` (e.g. "No space left on device").
    public static func reason(errno code: Int32) -> String { String(cString: strerror(code)) }

    /// The short reason of a Foundation file error: its POSIX reason when there is one, else its
    /// description on one line.
    public static func reason(of error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(errno: Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
        return oneLine(ns.localizedDescription)
    }

    /// `text` with control characters (newlines, escapes) replaced by spaces, so a message stays one line.
    public static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
