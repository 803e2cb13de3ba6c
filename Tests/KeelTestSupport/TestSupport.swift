import Foundation
import Keel
import Testing

/// A new, empty folder under the system's temporary directory (the caller removes it).
public func temporaryDirectory(_ prefix: String = "keel-tests") -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `body` with the kernels' thread count set to `threads`, restoring it afterwards.
public func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
    let saved = Parallel.threadCount
    Parallel.threadCount = threads
    defer { Parallel.threadCount = saved }
    return try body()
}

/// Expects `body` to throw an error of type `E` (any error when omitted) whose one-line text contains every
/// one of `fragments`.
public func expectError<E: Error>(
    _ fragments: [String], of errorType: E.Type = (any Error).self, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected an error containing \(fragments)", sourceLocation: sourceLocation)
    } catch {
        guard error is E else {
            Issue.record("expected \(E.self), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            return
        }
        let text = String(describing: error)
        #expect(!text.contains("\n"), "multi-line error: \(text)", sourceLocation: sourceLocation)
        for fragment in fragments { #expect(text.contains(fragment), "\(text) lacks '\(fragment)'", sourceLocation: sourceLocation) }
    }
}
