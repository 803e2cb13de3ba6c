import Foundation
import Keel

/// Runs a fuzz target: seeded mutants of its seeds for a time budget, each of which must return or throw.
/// A trap or a hang cannot be caught in-process, so the input being read is kept where a signal handler can
/// write it out: on SIGILL/SIGTRAP/SIGABRT/SIGSEGV/SIGBUS, or SIGALRM after `hangSeconds`, the input is saved
/// to `crashDirectory/<target>.crash` (then the process dies as it would have), ready to be added to the
/// regression corpus.
public enum FuzzRunner {
    /// What a fuzzing run of one target did.
    public struct Summary: Sendable {
        /// The target's name.
        public var target: String
        /// Inputs tried (seeds and mutants).
        public var inputs: Int
        /// Inputs the reader accepted.
        public var accepted: Int
        /// Inputs the reader refused with an error.
        public var rejected: Int
        /// Wall-clock seconds of the run.
        public var seconds: Double
        /// The slowest single input, in seconds (a hang shows here).
        public var slowestSeconds: Double
    }

    /// The largest image the fuzz targets decode or produce (the limit's logic is what is tested, not
    /// gigabyte allocations; the global `InputLimits` stay untouched, other tests run alongside).
    public static let maxFuzzImagePixels = 1 << 22

    /// Runs `target` for about `seconds` (at least the seeds and `minimumInputs` mutants).
    public static func run(
        _ target: FuzzTarget, seconds: Double, minimumInputs: Int = 50, seed: UInt64 = 1,
        hangSeconds: UInt32 = 20, crashDirectory: String = NSTemporaryDirectory()
    ) throws -> Summary {
        let seeds = try target.seeds()
        precondition(!seeds.isEmpty, "fuzz target \(target.name) has no seeds")
        CrashCapture.install(path: (crashDirectory as NSString).appendingPathComponent("\(target.name).crash"))
        defer { CrashCapture.uninstall() }
        // Images up to `maxFuzzImagePixels` for this task only (decoded, produced, or in between).
        return InputLimits.$imagePixelBudget.withValue(Self.maxFuzzImagePixels) {
            var summary = Summary(target: target.name, inputs: 0, accepted: 0, rejected: 0, seconds: 0, slowestSeconds: 0)
            let start = Date()
            var mutator = Mutator(seed: seed, stream: UInt64(target.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
            var index = 0
            while index < seeds.count + minimumInputs || Date().timeIntervalSince(start) < seconds {
                let input = index < seeds.count ? seeds[index] : mutator.mutate(seeds[index % seeds.count], text: target.isText)
                index += 1
                let began = Date()
                let accepted = CrashCapture.watching(input, hangSeconds: hangSeconds) {
                    do {
                        try target.read(input)
                        return true
                    } catch { return false }
                }
                summary.slowestSeconds = max(summary.slowestSeconds, Date().timeIntervalSince(began))
                summary.inputs += 1
                if accepted { summary.accepted += 1 } else { summary.rejected += 1 }
            }
            summary.seconds = Date().timeIntervalSince(start)
            return summary
        }
    }

    /// Reads one input (a corpus file), with the same crash capture.
    public static func replay(_ target: FuzzTarget, _ input: [UInt8], hangSeconds: UInt32 = 20) -> Bool {
        InputLimits.$imagePixelBudget.withValue(maxFuzzImagePixels) {
            CrashCapture.watching(input, hangSeconds: hangSeconds) {
                do {
                    try target.read(input)
                    return true
                } catch { return false }
            }
        }
    }
}

/// The input being read and where to save it if the process dies: plain memory that the signal handler
/// reaches with async-signal-safe calls only (open, write, close, signal, raise).
enum CrashCapture {
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var input: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) static var count = 0
    static let signals = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGALRM]

    static func install(path newPath: String) {
        path = strdup(newPath)
        for s in signals { signal(s, handler) }
    }

    static func uninstall() {
        for s in signals { signal(s, SIG_DFL) }
        alarm(0)
        free(path)
        path = nil
    }

    static func watching<T>(_ bytes: [UInt8], hangSeconds: UInt32, _ body: () -> T) -> T {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        buffer.initialize(from: bytes, count: bytes.count)
        (input, count) = (buffer, bytes.count)
        alarm(hangSeconds)
        defer {
            alarm(0)
            (input, count) = (nil, 0)
            buffer.deallocate()
        }
        return body()
    }

    static let handler: @convention(c) (Int32) -> Void = { signal in
        if let path = CrashCapture.path {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 {
                if let input = CrashCapture.input { _ = write(fd, input, CrashCapture.count) }
                close(fd)
            }
        }
        let message: StaticString = "keel fuzz: the process died reading an input; it was saved as <target>.crash\n"
        _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        Glibc.signal(signal, SIG_DFL)
        raise(signal == SIGALRM ? SIGABRT : signal)
    }
}
