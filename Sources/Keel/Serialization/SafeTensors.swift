import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping
/// each name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data section) plus an
/// optional `"__metadata__"` string map, then the raw little-endian data.
///
/// Keel writes F32 tensors; it reads F32, F64, F16, BF16, I64, I32 and U8 (converted to Float).
public enum SafeTensors {
    /// Serializes tensors (in the given order) and string metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, tensor) in tensors {
            guard header[name] == nil, name != "__metadata__" else {
                throw SafeTensorsError(path: nil, problem: "duplicate or reserved tensor name '\(name)'")
            }
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + tensor.count * 4]]
            offset += tensor.count * 4
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so that the data section starts 8-byte aligned.
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, tensor) in tensors {
            tensor.withUnsafePointer { p in
                #if _endian(big)
                    for i in 0..<tensor.count {
                        var v = p[i].bitPattern.littleEndian
                        withUnsafeBytes(of: &v) { data.append(contentsOf: $0) }
                    }
                #else
                    data.append(UnsafeBufferPointer(start: p, count: tensor.count))
                #endif
            }
        }
        return data
    }

    /// Parses a safetensors file's bytes. `path` only names the file in errors.
    public static func decode(_ data: Data, path: String? = nil) throws -> (tensors: [String: Tensor], order: [String], metadata: [String: String]) {
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(path: path, problem: problem) }
        guard data.count >= 8 else { throw fail("file is too short (\(data.count) bytes) to be safetensors") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8), headerLength < 100_000_000 else {
            throw fail("header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerData = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = data.count - dataStart
        var tensors: [String: Tensor] = [:]
        var entries: [(String, Int)] = []
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else { throw fail("__metadata__ is not a map of strings") }
                metadata = map
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw fail("entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("entry '\(name)' has a negative dimension in \(shape)") }
            let elementSize: Int
            switch dtype {
            case "F32", "I32": elementSize = 4
            case "F64", "I64": elementSize = 8
            case "F16", "BF16": elementSize = 2
            case "U8": elementSize = 1
            default: throw fail("entry '\(name)' has unsupported dtype \(dtype)")
            }
            // Checked: a shape like [2^62, 4] must not overflow; the file's size bounds any honest tensor.
            guard let count = checkedProduct(shape, limit: Int.max / 8) else {
                throw fail("entry '\(name)' has shape \(shape), more elements than can be counted")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= dataLength, end - begin == count * elementSize else {
                throw fail(
                    "entry '\(name)' has data offsets [\(begin), \(end)] that do not fit shape \(shape) of \(dtype) " + "in \(dataLength) data bytes")
            }
            var tensor = Tensor(uninitializedShape: shape)
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let base = raw.baseAddress! + dataStart + begin
                tensor.withUnsafeMutablePointer { p in
                    for i in 0..<count {
                        let at = base + i * elementSize
                        switch dtype {
                        case "F32": p[i] = Float(bitPattern: UInt32(littleEndian: at.loadUnaligned(as: UInt32.self)))
                        case "F64": p[i] = Float(Double(bitPattern: UInt64(littleEndian: at.loadUnaligned(as: UInt64.self))))
                        case "I64": p[i] = Float(Int64(littleEndian: at.loadUnaligned(as: Int64.self)))
                        case "I32": p[i] = Float(Int32(littleEndian: at.loadUnaligned(as: Int32.self)))
                        case "F16": p[i] = Float(Float16(bitPattern: UInt16(littleEndian: at.loadUnaligned(as: UInt16.self))))
                        case "BF16": p[i] = Float(bitPattern: UInt32(UInt16(littleEndian: at.loadUnaligned(as: UInt16.self))) << 16)
                        default: p[i] = Float(at.load(as: UInt8.self))
                        }
                    }
                }
            }
            tensors[name] = tensor
            entries.append((name, begin))
        }
        return (tensors, entries.sorted { $0.1 < $1.1 }.map(\.0), metadata)
    }

    /// Writes tensors to `url` atomically: a temporary file in the same folder, then a rename.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
    }

    /// Reads a safetensors file.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], order: [String], metadata: [String: String]) {
        let data: Data
        do {
            data = try InputFile.read(url)
        } catch let error as FileError {
            throw SafeTensorsError(path: error.path, problem: error.problem)
        }
        return try decode(data, path: url.path)
    }
}

/// A safetensors file that could not be written or read.
public struct SafeTensorsError: Error, CustomStringConvertible {
    /// The file, when known.
    public var path: String?
    /// What is wrong with it.
    public var problem: String
    /// "PATH: PROBLEM".
    public var description: String { (path.map { "\($0): " } ?? "") + problem }
}
