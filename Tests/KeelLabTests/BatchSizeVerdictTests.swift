import KeelTestSupport
import Testing

@testable import KeelLab

/// The batch-size study's five verdicts are computed from the numbers: synthetic runs with known throughput,
/// epochs to target and final accuracy must give the verdicts those numbers imply — including "not supported".
struct BatchSizeVerdictTests {
    typealias Study = BatchSizeLabStudy

    /// Runs for batch sizes 1, 8, 64, 512 on 512 samples over 10 epochs: samples/s, the epoch (1-based) that
    /// first reaches 0.9 (nil: never), the final validation accuracy, and whether the curve jumps around.
    func summaries(throughput: [Double], reach: [Int?], final: [Float]) -> [Study.Summary] {
        let batches = [1, 8, 64, 512]
        var list: [Study.Summary] = []
        for scaled in [false, true] {
            for (i, batch) in batches.enumerated() {
                var run = Study.Run()
                run.iterationsPerEpoch = 512 / batch
                run.epochSeconds = Array(repeating: 512 / throughput[i], count: 10)
                var curve: [Float] = (1...10).map { epoch in reach[i].map { epoch >= $0 ? 0.9 : 0.5 } ?? 0.5 }
                if i == 0 { curve = curve.enumerated().map { $0.offset >= 5 && $0.offset % 2 == 1 ? 0.6 : $0.element } }  // erratic
                curve[9] = final[i]
                run.validationAccuracy = curve
                run.target = curve.firstIndex { $0 >= 0.9 }
                // Loss noise falls with batch size: alternate around 0.5 by ±(0.4 / (i + 1)).
                run.lossNoise = Study.Run.noise(of: (0..<40).map { 0.5 + Float($0 % 2 == 0 ? 1 : -1) * 0.4 / Float(i + 1) })
                run.testAccuracy = final[i]
                list.append(Study.Summary(batch: batch, scaled: scaled, learningRate: 0.1, runs: [run], sampleCount: 512))
            }
        }
        return list
    }

    func verdicts(_ summaries: [Study.Summary]) -> [Bool] {
        let setup = Study.Setup(batchSizes: [1, 8, 64, 512], epochs: 10, seeds: 1, target: 0.9)
        let measurement = Study.Measurement(setup: setup, summaries: summaries, trainingSamples: 512, validationSamples: 100, threads: 2)
        let verdicts = Study().verdicts(measurement)
        #expect(verdicts.count == 5)
        let figures = Study().render(measurement)
        #expect(figures.charts.count == 6 && figures.tables.count == 1)
        return verdicts.map(\.supported)
    }

    @Test func everyStatementHoldsWhenTheNumbersSaySo() {
        // Epochs to target 3, 2, 4, never (ρ = 0.8); time to target 1.536, 0.205, 0.102 s (fastest: 64, interior);
        // the 512 budget (10 × 0.020 s) is slower than that; best final accuracy at 8.
        let v = verdicts(summaries(throughput: [1000, 5000, 20000, 25000], reach: [3, 2, 4, nil], final: [0.91, 0.95, 0.93, 0.85]))
        #expect(v == [true, true, true, true, true])
    }

    @Test func statementsTheNumbersContradictAreNotSupported() {
        // Throughput falls at 512; epochs to target fall with batch size (ρ = −1); the largest batch is the most accurate.
        let v = verdicts(summaries(throughput: [1000, 5000, 20000, 2000], reach: [4, 3, 2, 1], final: [0.91, 0.92, 0.93, 0.97]))
        #expect(v[0] == true)  // batch 1 is still the erratic one
        #expect(v[1] == false && v[2] == false && v[4] == false)
        // The largest batch reaches the target fastest (1 × 0.017 s against 3 × 0.026 s at 64): no interior optimum.
        let w = verdicts(summaries(throughput: [1000, 5000, 20000, 30000], reach: [4, 3, 3, 1], final: [0.91, 0.95, 0.93, 0.85]))
        #expect(w[3] == false && w[4] == true)
    }

    @Test func aSizeThatNeverReachedButCouldBeFasterLeavesTheTimeOptimumUndecided() {
        // 512 never reaches the target, but its whole budget (10 × 0.0005 s) is shorter than the fastest time.
        let v = verdicts(summaries(throughput: [1000, 5000, 20000, 1_000_000], reach: [3, 2, 4, nil], final: [0.91, 0.95, 0.93, 0.85]))
        #expect(v[3] == false)
        #expect(v[1] == true && v[4] == true)
    }
}
