import CZlib
import Foundation

/// gzip decompression through zlib.
enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The decompressed bytes of a complete gzip stream; `path` names the file in errors.
    static func decompress(_ data: Data, path: String) throws -> Data {
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
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw DataError(path: path, problem: "truncated gzip data (the stream ends early)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
