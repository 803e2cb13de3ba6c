import Keel

/// Seeded mutations of valid inputs, the kinds that break readers: bit flips, interesting bytes and 32-bit
/// values (0, 0x7FFFFFFF, 0xFFFFFFFF…) in headers, deleted, repeated and inserted runs, truncation; for text
/// formats, numbers replaced by extreme ones (nan, inf, 1e30, 2⁶³−1, −1…) and by other JSON values.
public struct Mutator {
    private var generator: KeelRandom

    /// A mutator drawing from the stream (`seed`, `stream`): the same seeds give the same mutants.
    public init(seed: UInt64, stream: UInt64) { generator = KeelRandom(seed: seed, stream: [0xF022, stream]) }

    static let interesting32: [UInt32] = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000, 0x4000_0000]
    static let numbers = [
        "0", "-1", "1e30", "-1e30", "nan", "inf", "-inf", "4294967295", "2147483647", "9223372036854775807",
        "18446744073709551616", "1e9", "1000000", "-0", "1e-45", "0.5", "3", "65536", "1e308", "-2147483648",
    ]
    static let values = ["\"\"", "[]", "{}", "null", "true", "\"x\"", "[0]", "[-1]", "[1e12]", ",", ""]

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(generator.next() % UInt64(n)) }

    /// A mutant of `input`: bytes, or (for text) numbers and values first.
    public mutating func mutate(_ input: [UInt8], text: Bool) -> [UInt8] {
        if text, below(4) != 0, let mutated = mutateNumbers(input) { return mutated }
        return mutateBytes(input)
    }

    mutating func mutateBytes(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for _ in 0..<[1, 1, 1, 2, 3, 5][below(6)] {
            if b.isEmpty {
                b = (0..<(1 + below(15))).map { _ in UInt8(below(256)) }
                continue
            }
            // Headers matter most: half the edits land in the first 64 bytes.
            let at = below(2) == 0 ? below(min(64, b.count)) : below(b.count)
            switch below(8) {
            case 0: b[at] ^= 1 << UInt8(below(8))
            case 1: b[at] = [0, 1, 0x7F, 0x80, 0xFF][below(5)]
            case 2 where at + 4 <= b.count:
                let v = Self.interesting32[below(Self.interesting32.count)]
                let bytes = (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) }
                b.replaceSubrange(at..<(at + 4), with: below(2) == 0 ? bytes : bytes.reversed())
            case 3: b.removeSubrange(at..<min(b.count, at + 1 + below(63)))
            case 4:
                let run = Array(b[at..<min(b.count, at + 1 + below(63))])
                b.insert(contentsOf: Array([[UInt8]](repeating: run, count: 1 + below(3)).joined()), at: at)
            case 5: b.removeSubrange(below(b.count + 1)..<b.count)
            case 6: b.insert(contentsOf: (0..<(1 + below(15))).map { _ in UInt8(below(256)) }, at: at)
            default: b[at] = UInt8(below(256))
            }
        }
        return b
    }

    /// Replaces one to three numbers of the text with extreme numbers or other JSON values; nil if it has none.
    mutating func mutateNumbers(_ input: [UInt8]) -> [UInt8]? {
        var b = input
        for _ in 0..<[1, 1, 2, 3][below(4)] {
            let spans = numberSpans(b)
            guard !spans.isEmpty else { return nil }
            let span = spans[below(spans.count)]
            let replacement = below(10) == 0 ? Self.values[below(Self.values.count)] : Self.numbers[below(Self.numbers.count)]
            b.replaceSubrange(span, with: Array(replacement.utf8))
        }
        return b
    }

    /// Ranges of decimal numbers (optional sign, digits, fraction, exponent).
    func numberSpans(_ b: [UInt8]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var i = 0
        let digit = { (c: UInt8) in c >= 48 && c <= 57 }
        while i < b.count {
            guard digit(b[i]) else {
                i += 1
                continue
            }
            var start = i
            if start > 0 && b[start - 1] == UInt8(ascii: "-") { start -= 1 }
            while i < b.count && (digit(b[i]) || b[i] == UInt8(ascii: ".")) { i += 1 }
            if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
                var j = i + 1
                if j < b.count && (b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+")) { j += 1 }
                if j < b.count && digit(b[j]) {
                    i = j
                    while i < b.count && digit(b[i]) { i += 1 }
                }
            }
            spans.append(start..<i)
        }
        return spans
    }
}
