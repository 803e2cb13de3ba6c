import Foundation
import Keel

/// An advisory lock on a run folder (`DIR/.lock`, `flock`), held while the process runs and released by the
/// kernel when it ends (even by SIGKILL): a second run on the same folder gets a clear "in use" error instead
/// of racing the first one's files.
public final class RunLock {
    /// The locked run folder.
    public let directory: URL
    private let descriptor: Int32
    private let createdDirectory: Bool
    private var released = false

    /// The lock file's name inside the folder.
    public static let fileName = ".lock"

    /// Takes the lock, creating `directory` if needed; throws a `FileError` when another process holds it.
    public init(directory: URL) throws {
        self.directory = directory
        createdDirectory = InputFile.kind(atPath: directory.path) == nil
        try AtomicFile.createDirectory(directory)
        let path = directory.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw FileError(path: path, problem: "cannot lock the run folder (\(FileError.reason(errno: errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            let holder = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw FileError(
                path: directory.path,
                problem: "is in use by another keel run" + (holder.isEmpty ? "" : " (pid \(holder))")
                    + "; wait for it to finish or choose another folder")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    /// Releases the lock; when this run created the folder and left nothing else in it, removes the folder
    /// too (a run that failed before writing anything leaves no trace).
    public func release() {
        guard !released else { return }
        released = true
        let lockPath = directory.appendingPathComponent(Self.fileName).path
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0 != Self.fileName }
        if createdDirectory && others.isEmpty {
            unlink(lockPath)
            rmdir(directory.path)
        }
        close(descriptor)
    }

    deinit { release() }
}
