import Foundation

/// Reads files that come from outside: only regular files (a FIFO would block, a device could be endless),
/// within a size limit, with errors that name the path and the reason.
public enum InputFile {
    /// What is at `path` without following a final symbolic link: nil when nothing is.
    public static func kind(atPath path: String, followingLinks: Bool = true) -> mode_t? {
        var info = stat()
        let status = followingLinks ? stat(path, &info) : lstat(path, &info)
        return status == 0 ? info.st_mode & S_IFMT : nil
    }

    /// The contents of the regular file at `url`, at most `maxBytes` long.
    public static func read(_ url: URL, maxBytes: Int = 1 << 34) throws -> Data {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            throw FileError(path: path, problem: code == ENOENT ? "file not found" : FileError.reason(errno: code))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw FileError(path: path, problem: "is a directory, not a file")
        default: throw FileError(path: path, problem: "is not a regular file (a device, FIFO or socket)")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw FileError(path: path, problem: "is \(info.st_size) bytes, more than the limit of \(maxBytes)")
        }
        // An empty file is empty data (Foundation's reader leaks its buffer on zero-length files).
        if info.st_size == 0 { return Data() }
        do {
            return try Data(contentsOf: url, options: info.st_size >= 1 << 20 ? .mappedIfSafe : [])
        } catch {
            throw FileError(path: path, problem: "cannot be read (\(FileError.reason(of: error)))")
        }
    }

    /// The file at `url` as UTF-8 text.
    public static func text(_ url: URL, maxBytes: Int = 1 << 30) throws -> String {
        guard let text = String(data: try read(url, maxBytes: maxBytes), encoding: .utf8) else {
            throw FileError(path: url.path, problem: "is not UTF-8 text")
        }
        return text
    }
}
