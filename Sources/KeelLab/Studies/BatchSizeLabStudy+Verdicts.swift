import Foundation

/// The five textbook statements about batch size, judged on the constant-learning-rate runs (the textbook setting).
extension BatchSizeLabStudy {
    /// The five statements, in the claim's order.
    public func verdicts(_ m: Measurement) -> [Verdict] {
        [erratic(m), faster(m), moreEpochs(m), timeOptimum(m), accuracyOptimum(m)]
    }

    /// The setting with the largest mean of `value`; settings without a value (NaN) count as the smallest.
    static func highest(_ list: [Summary], _ value: KeyPath<Summary, MeanStd>) -> Summary {
        list.max { a, b in
            let x = a[keyPath: value].mean
            let y = b[keyPath: value].mean
            return (x.isFinite ? x : -.infinity) < (y.isFinite ? y : -.infinity)
        }!
    }

    func erratic(_ m: Measurement) -> Verdict {
        let constant = m.constant
        let smallest = constant.first!
        let noisiest = Self.highest(constant, \.lossNoise)
        let jitteriest = Self.highest(constant, \.validationJitter)
        let jitter = jitteriest.validationJitter.formatted(digits: 2, scale: 100, unit: " %")
        return Verdict(
            "Too small a batch makes training erratic",
            supported: noisiest.batch == smallest.batch && jitteriest.batch == smallest.batch,
            evidence: "loss-curve noise " + constant.map { "\($0.batch): \($0.lossNoise.formatted(digits: 3))" }.joined(separator: ", ")
                + "; validation jitter is largest at batch \(jitteriest.batch) (\(jitter))")
    }

    /// Throughput from every setting (the scaled runs do the same work per step), so diverged runs leave no gaps.
    func faster(_ m: Measurement) -> Verdict {
        let throughput = m.setup.batchSizes.map { b in
            MeanStd(m.summaries.filter { $0.batch == b }.flatMap { $0.live.map { Double(m.trainingSamples) / $0.secondsPerEpoch } }).mean
        }
        let drops = zip(throughput.dropFirst(), throughput).filter { $0 < 0.9 * $1 }.count
        let saturation = throughput.firstIndex { $0 >= 0.9 * (throughput.max() ?? 0) }.map { m.setup.batchSizes[$0] }
        return Verdict(
            "A larger batch processes data faster (more samples per second)",
            supported: drops == 0 && throughput.last! > 2 * throughput.first!,
            evidence: "samples/s " + zip(m.setup.batchSizes, throughput).map { "\($0): \(String(format: "%.0f", $1))" }.joined(separator: ", ")
                + "; never drops by more than 10 % from one size to the next: \(drops == 0 ? "yes" : "no")"
                + (saturation.map { "; within 10 % of the maximum from batch \($0) on (the cores are saturated)" } ?? ""))
    }

    /// Rank correlation of batch size with epochs to target (never reached = slowest).
    func moreEpochs(_ m: Measurement) -> Verdict {
        let (constant, epochs) = (m.constant, m.setup.epochs)
        let needed = constant.map { $0.epochsToTarget?.mean ?? Double(epochs + 1) + Double($0.batch) / Double(m.trainingSamples) }
        let rho = spearman(constant.map { Double($0.batch) }, needed)
        return Verdict(
            "A larger batch needs more epochs to reach the same accuracy",
            supported: rho >= 0.8,
            evidence: "epochs to \(target(m)): "
                + constant.map { "\($0.batch): \($0.epochsToTarget?.formatted(digits: 1) ?? "not in \(epochs)")" }.joined(separator: ", ")
                + String(format: "; Spearman ρ(batch, epochs) = %.2f", rho))
    }

    func timeOptimum(_ m: Measurement) -> Verdict {
        let constant = m.constant
        let timed = constant.filter { $0.secondsToTarget != nil }
        let fastest = timed.min { $0.secondsToTarget!.mean < $1.secondsToTarget!.mean }
        let interior = fastest.map { $0.batch != constant.first!.batch && $0.batch != constant.last!.batch } ?? false
        // A size that never reached the target is only known to be slower if its whole budget took longer than the fastest.
        let unresolved = constant.filter { s in
            s.secondsToTarget == nil && Double(m.setup.epochs) * s.secondsPerEpoch.mean < (fastest?.secondsToTarget?.mean ?? 0)
        }
        let undecided =
            unresolved.isEmpty
            ? ""
            : "; undecided: batch " + unresolved.map { "\($0.batch)" }.joined(separator: ", ")
                + " did not reach the target, but its whole \(m.setup.epochs)-epoch budget took less time than the fastest"
        return Verdict(
            "There is an optimal batch size for training time (between the smallest and the largest)",
            supported: interior && timed.count >= 2 && unresolved.isEmpty,
            evidence: "training time to \(target(m)): "
                + constant.map { "\($0.batch): \($0.secondsToTarget?.formatted(digits: 2, unit: " s") ?? "not reached")" }
                .joined(separator: ", ") + (fastest.map { "; fastest at batch \($0.batch)" } ?? "") + undecided)
    }

    func accuracyOptimum(_ m: Measurement) -> Verdict {
        let constant = m.constant
        let best = Self.highest(constant, \.finalValidation)
        let runnerUp = constant.filter { $0.batch != best.batch }.map { $0.finalValidation.mean }.filter(\.isFinite).max() ?? 0
        let margin = best.finalValidation.mean - runnerUp
        return Verdict(
            "There is an optimal batch size for final accuracy (between the smallest and the largest)",
            supported: best.batch != constant.first!.batch && best.batch != constant.last!.batch,
            evidence: "final validation accuracy after \(m.setup.epochs) epochs: "
                + constant.map { "\($0.batch): \($0.finalValidation.formatted(digits: 2, scale: 100, unit: " %"))" }.joined(separator: ", ")
                + String(
                    format: "; best at batch %d, %.2f points above the next (seed std %.2f)", best.batch, margin * 100,
                    best.finalValidation.std * 100))
    }

    /// "92 %": the validation accuracy the time and epoch statements count to.
    func target(_ m: Measurement) -> String { String(format: "%.0f %%", m.setup.target * 100) }
}

/// Spearman's rank correlation (average ranks for ties).
func spearman(_ a: [Double], _ b: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            for k in i...j { r[order[k]] = Double(i + j) / 2 }
            i = j + 1
        }
        return r
    }
    let ra = ranks(a)
    let rb = ranks(b)
    let ma = MeanStd(ra).mean
    let mb = MeanStd(rb).mean
    let cov = zip(ra, rb).map { ($0 - ma) * ($1 - mb) }.reduce(0, +)
    let va = ra.map { ($0 - ma) * ($0 - ma) }.reduce(0, +)
    let vb = rb.map { ($0 - mb) * ($0 - mb) }.reduce(0, +)
    return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
}
