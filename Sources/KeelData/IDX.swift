import Foundation
import Keel

/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte (0x08 = unsigned byte), the
/// number of dimensions, each dimension as a big-endian UInt32, then the data, row-major. Files may be
/// gzipped.
public enum IDX {
    /// Reads an unsigned-byte IDX file (raw or gzipped): its shape and bytes.
    public static func read(_ url: URL) throws -> (shape: [Int], bytes: [UInt8]) {
        try decode(try InputFile.read(url), path: url.path)
    }

    /// Parses IDX file contents, raw or gzipped; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> (shape: [Int], bytes: [UInt8]) {
        var data = data
        if Gzip.isCompressed(data) {
            // Inflated only as far as the header says the data goes.
            data = try Gzip.decompress(data, path: path) { prefix in
                declaredSize(Array(prefix.prefix(4 + 4 * 255))) ?? InputLimits.maxDecompressedBytes
            }
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses IDX bytes; `path` names the source in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws -> (shape: [Int], bytes: [UInt8]) {
        guard bytes.count >= 4 else { throw DataError(path: path, problem: "too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes.prefix(4).map { String(format: "%02x", $0) }.joined()
            throw DataError(path: path, problem: "wrong IDX magic number 0x\(magic) (expected 0x0000 then type and rank)")
        }
        guard bytes[2] == 0x08 else {
            throw DataError(path: path, problem: "unsupported IDX element type 0x\(String(format: "%02x", bytes[2])) (only 0x08, unsigned byte)")
        }
        let rank = Int(bytes[3])
        guard rank >= 1, bytes.count >= 4 + 4 * rank else {
            throw DataError(path: path, problem: "truncated IDX header (rank \(rank), \(bytes.count) bytes)")
        }
        var shape: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let available = bytes.count - 4 - 4 * rank
        // Checked: the dimensions are untrusted 32-bit numbers whose product can overflow.
        guard let expected = checkedProduct(shape) else {
            throw DataError(path: path, problem: "shape \(shape) has more elements than can be counted (a corrupt header)")
        }
        guard available >= expected else {
            throw DataError(path: path, problem: "truncated data: shape \(shape) needs \(expected) bytes, found \(available)")
        }
        guard available == expected else {
            throw DataError(path: path, problem: "\(available - expected) unexpected bytes after the data of shape \(shape)")
        }
        return (shape, Array(bytes[(4 + 4 * rank)...]))
    }

    /// The total size (header and data) an IDX header declares, once `prefix` holds the whole header; nil
    /// before that or when the header is not IDX.
    static func declaredSize(_ prefix: [UInt8]) -> Int? {
        guard prefix.count >= 4, prefix[0] == 0, prefix[1] == 0 else { return nil }
        let rank = Int(prefix[3])
        guard prefix.count >= 4 + 4 * rank else { return nil }
        let shape = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(prefix[4 + 4 * d + $1]) } }
        return checkedProduct(shape, limit: InputLimits.maxDecompressedBytes).map { $0 + 4 + 4 * rank }
    }

    /// Encodes unsigned bytes as an (uncompressed) IDX file.
    public static func encode(shape: [Int], bytes: [UInt8]) -> Data {
        var data = Data([0, 0, 0x08, UInt8(shape.count)])
        for d in shape { data.append(contentsOf: [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]) }
        data.append(contentsOf: bytes)
        return data
    }
}
