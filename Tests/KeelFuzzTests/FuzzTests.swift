import Foundation
import Keel
import KeelFuzz
import Testing

/// Every reader, fuzzed: seeded mutants of valid inputs must be read or rejected with an error — a trap, an
/// unbounded allocation or a hang kills the test process, and the input is saved as `<target>.crash` in
/// $KEEL_FUZZ_CRASH_DIR (default: the temporary directory). $KEEL_FUZZ_SECONDS sets each target's budget
/// (default 0.5 s; CI gives each 30 s); $KEEL_FUZZ_SEED the mutation seed (default 1).
@Suite(.serialized) struct FuzzTests {
    static var seconds: Double { ProcessInfo.processInfo.environment["KEEL_FUZZ_SECONDS"].flatMap(Double.init) ?? 0.5 }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["KEEL_FUZZ_SEED"].flatMap(UInt64.init) ?? 1 }
    static var crashDirectory: String { ProcessInfo.processInfo.environment["KEEL_FUZZ_CRASH_DIR"] ?? NSTemporaryDirectory() }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func mutantsAreReadOrRejected(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let summary = try FuzzRunner.run(target, seconds: Self.seconds, seed: Self.seed, crashDirectory: Self.crashDirectory)
        print(
            String(
                format: "fuzz %@: %d inputs in %.1f s (%d read, %d rejected), slowest %.3f s", name, summary.inputs,
                summary.seconds, summary.accepted, summary.rejected, summary.slowestSeconds))
        #expect(summary.inputs >= 50)
        // The seeds are valid inputs: each is read.
        #expect(summary.accepted >= 1)
    }

    /// The regression corpus: inputs that crashed, hung or exhausted memory before (Scripts/make_fuzz_corpus.py).
    /// "*.reject" files must be rejected with an error; the others must just not crash.
    @Test(arguments: FuzzTarget.all.map(\.name))
    func corpusInputsAreHandled(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let folder = try #require(Bundle.module.resourceURL).appendingPathComponent("Corpus").appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!files.isEmpty, "no corpus for \(name)")
        for file in files {
            let bytes = [UInt8](try InputFile.read(folder.appendingPathComponent(file)))
            let accepted = FuzzRunner.replay(target, bytes)
            if file.hasSuffix(".reject") { #expect(!accepted, "\(name)/\(file) was accepted") }
        }
    }

    @Test func mutatorIsDeterministic() {
        var a = Mutator(seed: 3, stream: 7)
        var b = Mutator(seed: 3, stream: 7)
        let input = Array("{\"a\": [1, 2.5e3, -7]}".utf8)
        for _ in 0..<100 { #expect(a.mutate(input, text: true) == b.mutate(input, text: true)) }
    }
}
