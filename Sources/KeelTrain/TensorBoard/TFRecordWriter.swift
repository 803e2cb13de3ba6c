import Foundation
import Keel

/// Appends records in the TFRecord framing TensorFlow and TensorBoard read: for each record, its length as a
/// little-endian UInt64, the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
final class TFRecordWriter {
    /// The file written.
    let url: URL
    private let handle: FileHandle

    /// Creates `url`, which must not exist yet (a writer never replaces a file).
    init(creating url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileError(path: url.path, problem: "cannot create the event file (\(String(cString: strerror(errno))))")
        }
        self.url = url
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// The framed bytes of one record.
    static func frame(_ data: Data) -> Data {
        var out = Data()
        var length = UInt64(data.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Data($0) }
        var lengthCRC = CRC32C.masked(lengthBytes).littleEndian
        var dataCRC = CRC32C.masked(data).littleEndian
        out.append(lengthBytes)
        withUnsafeBytes(of: &lengthCRC) { out.append(contentsOf: $0) }
        out.append(data)
        withUnsafeBytes(of: &dataCRC) { out.append(contentsOf: $0) }
        return out
    }

    /// Appends one record.
    func write(_ record: Data) throws {
        do { try handle.write(contentsOf: Self.frame(record)) } catch {
            throw FileError(path: url.path, problem: "cannot write the event file (\(error.localizedDescription))")
        }
    }

    /// Pushes what was written to the file system.
    func flush() { try? handle.synchronize() }
}
