import Foundation

/// Writes files so that a reader sees either the old or the new contents, never a mix, and never replaces
/// something that is not a regular file: a symbolic link, a device such as /dev/null, a FIFO or a directory
/// at the destination is an error, not something to overwrite.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, flushes it to disk, and renames it over `url`. On
    /// failure the temporary file is removed; leftovers of writers that died (a SIGKILL) are removed by the
    /// next write of the same file.
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        guard !url.lastPathComponent.isEmpty, url.lastPathComponent != "/" else {
            throw FileError(path: path, problem: "is not a file name")
        }
        try checkReplaceable(path)
        let directory = url.deletingLastPathComponent()
        try createDirectory(directory)
        let prefix = ".\(url.lastPathComponent).tmp-"
        let temporary = directory.appendingPathComponent("\(prefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, problem: "cannot be written (\(FileError.reason(errno: errno)))") }
        var failure: String?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = FileError.reason(errno: errno)
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = FileError.reason(errno: errno) }
        if close(fd) != 0 && failure == nil { failure = FileError.reason(errno: errno) }
        if failure == nil {
            // Checked again just before the rename: what appeared meanwhile is not replaced either.
            do { try checkReplaceable(path) } catch {
                unlink(temporary.path)
                throw error
            }
            if rename(temporary.path, path) != 0 { failure = FileError.reason(errno: errno) }
        }
        if let failure {
            unlink(temporary.path)
            throw FileError(path: path, problem: "cannot be written (\(failure))")
        }
        removeStaleTemporaries(in: directory, prefix: prefix)
    }

    /// Creates `directory` (and its parents) unless it exists; an error names the path.
    public static func createDirectory(_ directory: URL) throws {
        let path = directory.path
        if let kind = InputFile.kind(atPath: path) {
            guard kind == S_IFDIR else { throw FileError(path: path, problem: "exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: path, problem: "cannot create the directory (\(FileError.reason(of: error)))")
        }
    }

    /// Throws unless `path` is missing or a regular file.
    static func checkReplaceable(_ path: String) throws {
        guard let kind = InputFile.kind(atPath: path, followingLinks: false), kind != S_IFREG else { return }
        let what: String
        switch kind {
        case S_IFLNK: what = "a symbolic link"
        case S_IFDIR: what = "a directory"
        case S_IFCHR, S_IFBLK: what = "a device"
        case S_IFIFO: what = "a FIFO"
        case S_IFSOCK: what = "a socket"
        default: what = "not a regular file"
        }
        throw FileError(path: path, problem: "is \(what); Keel replaces only regular files — remove it or choose another path")
    }

    /// Removes "PREFIX<pid>-…" files whose writing process no longer exists.
    static func removeStaleTemporaries(in directory: URL, prefix: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory.appendingPathComponent(entry).path) }
        }
    }
}
