import Keel

/// Reads the parameters of a `Spec` ("name:key=value,…", lists with '/') — image operations and augmentations —
/// with every value checked where it enters: numbers finite and within their range, integers exact, no unknown
/// key. Errors are `DataError`s naming the spec.
struct SpecReader {
    let spec: String
    let name: String
    private var values: [String: String] = [:]

    init(_ spec: String) throws {
        self.spec = spec
        let parsed: Spec
        do { parsed = try Spec.parse(spec) } catch { throw DataError(path: "'\(spec)'", problem: error.problem) }
        if let value = parsed.unnamedValue { throw DataError(path: spec, problem: "expected key=value, got '\(value)'") }
        name = parsed.name
        values = parsed.dictionary
    }

    func fail(_ problem: String) -> DataError { DataError(path: spec, problem: problem) }

    mutating func string(_ key: String) -> String? { values.removeValue(forKey: key) }

    /// A finite number in `range` (the fallback when absent; an error when absent without one).
    mutating func number(_ key: String, _ fallback: Float? = nil, in range: ClosedRange<Float>) throws -> Float {
        guard let text = values.removeValue(forKey: key) else {
            if let fallback { return fallback }
            throw fail("needs \(key)=…")
        }
        guard let v = Float(text), v.isFinite else { throw fail("\(key) must be a number, got '\(text)'") }
        guard range.contains(v) else {
            throw fail("\(key) must be in [\(Self.format(range.lowerBound)), \(Self.format(range.upperBound))], got \(text)")
        }
        return v
    }

    /// A number in (0, max] (a scale or σ: positive, not zero).
    mutating func positive(_ key: String, _ fallback: Float? = nil, max: Float) throws -> Float {
        let v = try number(key, fallback, in: 0...max)
        guard v > 0 else { throw fail("\(key) must be positive, got \(Self.format(v))") }
        return v
    }

    /// An integer in `range`.
    mutating func integer(_ key: String, _ fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values.removeValue(forKey: key) else {
            if let fallback { return fallback }
            throw fail("needs \(key)=…")
        }
        guard let v = Double(text), v.isFinite, v == v.rounded() else {
            throw fail("\(key) must be an integer, got '\(text)'")
        }
        guard v >= Double(range.lowerBound) && v <= Double(range.upperBound) else {
            throw fail("\(key) must be in \(range.lowerBound)…\(range.upperBound), got \(text)")
        }
        return Int(v)
    }

    /// A flag given as 0/1 (or true/false).
    mutating func flag(_ key: String) throws -> Bool {
        guard let text = values.removeValue(forKey: key) else { return false }
        switch text.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw fail("\(key) must be 0 or 1, got '\(text)'")
        }
    }

    /// "low/high" with low ≤ high, both within `within`.
    mutating func range(_ key: String, _ fallback: ClosedRange<Float>, within: ClosedRange<Float>) throws -> ClosedRange<Float> {
        guard let text = values.removeValue(forKey: key) else { return fallback }
        let v = try numbers(text, key: key, count: 2, within: within)
        guard v[0] <= v[1] else { throw fail("\(key) must be low/high with low ≤ high, got '\(text)'") }
        return v[0]...v[1]
    }

    /// `count` numbers separated by '/', each finite and within `within`.
    mutating func numbers(_ key: String, count: Int, within: ClosedRange<Float>) throws -> [Float] {
        guard let text = values.removeValue(forKey: key) else {
            throw fail("needs \(key)=" + Array(repeating: "…", count: count).joined(separator: "/"))
        }
        return try numbers(text, key: key, count: count, within: within)
    }

    private func numbers(_ text: String, key: String, count: Int, within: ClosedRange<Float>) throws -> [Float] {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let v = parts.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == count, v.count == count, v.allSatisfy({ $0.isFinite && within.contains($0) }) else {
            throw fail("\(key) needs \(count) numbers a/b… in [\(Self.format(within.lowerBound)), \(Self.format(within.upperBound))], got '\(text)'")
        }
        return v
    }

    /// Throws for a key nobody read.
    func finish() throws {
        if let unknown = values.keys.sorted().first { throw fail("unknown parameter '\(unknown)'") }
    }

    static func format(_ v: Float) -> String { v == v.rounded() && abs(v) < 1e7 ? String(Int(v)) : "\(v)" }
}
