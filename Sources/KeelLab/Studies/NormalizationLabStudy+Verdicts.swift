import Foundation

/// The normalization statements, judged from the measurement alone.
extension NormalizationLabStudy {
    /// Five statements: gradient descent on the two-feature problem, z-scoring on wine and on digits, batch norm at
    /// two learning rates.
    public func verdicts(_ m: Measurement) -> [Verdict] {
        [descentVerdict(m)] + m.inputs.map(inputVerdict) + [Float(0.01), 0.1].map { batchNormVerdict(m, learningRate: $0) }
    }

    func descentVerdict(_ m: Measurement) -> Verdict {
        func text(_ d: Descent) -> String { "\(d.iterations.map(String.init) ?? "never") (lr \(String(format: "%.3g", d.learningRate)))" }
        return Verdict(
            "Gradient descent converges in fewer iterations on standardized features",
            supported: (m.standardized.iterations ?? .max) < (m.raw.iterations ?? .max),
            evidence: "to 1e-6 of the initial loss gap at each problem's best stable learning rate: raw \(text(m.raw)), standardized "
                + text(m.standardized))
    }

    func inputVerdict(_ c: InputComparison) -> Verdict {
        let standard = c.runs(.standard)?.meanEpochs
        let none = c.runs(.none)?.meanEpochs
        return Verdict(
            "On \(c.title.lowercased()), z-scored inputs reach 95 % validation accuracy in fewer epochs than raw inputs",
            supported: standard != nil && (none == nil || standard!.mean < none!.mean),
            evidence: "mean epochs: standard \(standard?.formatted(digits: 1) ?? "not every seed"), none "
                + "\(none?.formatted(digits: 1) ?? "not every seed") (MLP \(c.network), SGD momentum 0.9, lr 0.01, batch 16, at most "
                + "\(c.maxEpochs) epochs); feature ranges in the training data: \(c.featureScales)")
    }

    func batchNormVerdict(_ m: Measurement, learningRate: Float) -> Verdict {
        func epochs(_ batchNorm: Bool) -> Double {
            m.batchNorm.first { $0.batchNorm == batchNorm && $0.learningRate == learningRate }?.meanEpochs?.mean ?? .infinity
        }
        let (plain, normed) = (epochs(false), epochs(true))
        func text(_ value: Double) -> String { value.isFinite ? String(format: "%.1f", value) : "not every seed" }
        let target = Int(m.batchNormTarget * 100)
        return Verdict(
            "At lr \(learningRate), batch norm makes the 6-hidden-layer network reach \(target) % validation accuracy in fewer epochs",
            supported: normed < plain,
            evidence: "mean epochs: batch norm \(text(normed)), plain \(text(plain)) (within \(m.batchNormEpochs) epochs)")
    }
}
