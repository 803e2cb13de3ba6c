import CZlib
import Foundation
import Keel

/// gzip decompression through zlib.
enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The decompressed bytes of a complete gzip stream; `path` names the file in errors. The stream is
    /// refused as soon as its output passes `limit(output so far)` bytes — `InputLimits.maxDecompressedBytes`
    /// unless the caller knows the size from a header — so a small "gzip bomb" is never inflated in full.
    static func decompress(
        _ data: Data, path: String,
        limit: (Data) -> Int = { _ in InputLimits.maxDecompressedBytes }
    ) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(path: path, problem: "zlib could not be initialized")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 18
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        throw DataError(path: path, problem: "corrupt gzip data (zlib error \(status))")
                    }
                    output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
                }
                let allowed = limit(output)
                if output.count > allowed {
                    throw DataError(
                        path: path,
                        problem: "gzip data decompresses to more than the \(allowed) bytes expected " + "(corrupt, or a decompression bomb)")
                }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw DataError(path: path, problem: "truncated gzip data (the stream ends early)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
