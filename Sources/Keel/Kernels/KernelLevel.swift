import CKeelKernels
import Foundation

/// The instruction-set level Keel's kernels run at.
///
/// Every level computes the same bits — the same operations, the same fused multiply-adds and the same
/// summation trees (see docs/ARCHITECTURE.md, "Same numbers on every CPU") — so the level changes speed
/// only. By default kernels run at the highest level the CPU supports; `KEEL_CPU=portable|avx2|avx512` in
/// the environment or `KernelLevel.select(_:)` (the CLI's `--cpu`) lowers it for the whole process.
public enum KernelLevel: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// Plain C over 4-lane vectors, every multiply-add fused (`fmaf`): any CPU, ARM64 included.
    case portable = 0
    /// AVX2 with FMA, 8 lanes.
    case avx2 = 1
    /// AVX-512 (F, DQ, VL, BW) with FMA, 16 lanes.
    case avx512 = 2

    /// "portable", "avx2" or "avx512": the names `KEEL_CPU` and `--cpu` take.
    public var name: String { String(cString: keel_cpu_level_name(Int32(rawValue))) }
    /// The level's name: "portable", "avx2" or "avx512".
    public var description: String { name }

    /// The level named `name`, or nil for an unknown name.
    public init?(name: String) {
        let raw = keel_cpu_level_from_name(name)
        guard raw >= 0, let level = KernelLevel(rawValue: Int(raw)) else { return nil }
        self = level
    }

    /// Levels order by capability: portable < avx2 < avx512.
    public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rawValue < b.rawValue }

    /// The highest level this CPU supports.
    public static var supported: KernelLevel { KernelLevel(rawValue: Int(keel_cpu_supported_level())) ?? .portable }

    /// Every level this CPU can run, lowest first.
    public static var available: [KernelLevel] { allCases.filter { $0 <= supported } }

    /// The level kernels called from this thread run at now.
    public static var current: KernelLevel { KernelLevel(rawValue: Int(keel_cpu_level())) ?? .portable }

    /// Why `KEEL_CPU` was ignored, or nil when it is unset or was honoured.
    public static var environmentProblem: String? {
        let value = environmentValue ?? ""
        switch keel_cpu_environment_problem() {
        case 1: return "KEEL_CPU=\(value) names no kernel level (use \(allCases.map(\.name).joined(separator: ", ")))"
        case 2: return "KEEL_CPU=\(value) asks for more than this CPU supports (\(available.map(\.name).joined(separator: ", ")))"
        default: return nil
        }
    }

    private static var environmentValue: String? {
        guard let raw = getenv("KEEL_CPU") else { return nil }
        return String(cString: raw)
    }

    /// Runs every kernel of this process at `level` from now on (nil: back to the default).
    public static func select(_ level: KernelLevel?) throws(KernelLevelError) {
        guard let level else {
            _ = keel_set_process_cpu_level(-1)
            return
        }
        guard keel_set_process_cpu_level(Int32(level.rawValue)) == 0 else {
            throw KernelLevelError(requested: level.name)
        }
    }

    /// Runs `body` with the kernels it calls on this thread — and the helper threads they use — at `level`
    /// (lowered to what the CPU supports). Other threads keep theirs; for tests that compare levels.
    public static func with<R>(_ level: KernelLevel, _ body: () throws -> R) rethrows -> R {
        let previous = keel_thread_cpu_level()
        keel_set_cpu_level(Int32(level.rawValue))
        defer { keel_set_cpu_level(previous) }
        return try body()
    }
}

/// A kernel level that this CPU cannot run, or a name that is no level.
public struct KernelLevelError: Error, CustomStringConvertible, Equatable {
    /// The level that was asked for.
    public let requested: String
    /// "'sse9' is not a kernel level (use …)" or "kernel level avx512 is not supported by this CPU (available: …)".
    public var description: String {
        if KernelLevel(name: requested) == nil {
            return "'\(requested)' is not a kernel level (use \(KernelLevel.allCases.map(\.name).joined(separator: ", ")))"
        }
        return "kernel level \(requested) is not supported by this CPU (available: " + "\(KernelLevel.available.map(\.name).joined(separator: ", ")))"
    }
}
