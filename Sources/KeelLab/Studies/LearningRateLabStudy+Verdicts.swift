import Foundation

extension LearningRateLabStudy {
    /// The chapter's claims, each from the numbers: the largest sweep rate diverges, or ends with a training loss
    /// at least 1.5× the best rate's or jumps twice as much within its last epoch; the smallest ends with at least
    /// twice the best rate's training loss while still decreasing; and the suggestion lies in the best sweep range.
    public func verdicts(_ m: Measurement) -> [Verdict] {
        let finite = m.sweep.filter { $0.diverged == 0 && $0.finalLoss.isFinite }
        guard let best = finite.min(by: { $0.finalLoss < $1.finalLoss }), let large = m.sweep.last, let small = m.sweep.first else {
            return [Verdict("The sweep trained", supported: false, evidence: "no sweep rate trained without diverging")]
        }
        let largeSupported = large.diverged > 0 || large.finalLoss >= 1.5 * best.finalLoss || large.oscillation >= 2 * best.oscillation
        let smallDecreasing = (small.trainingLoss.last ?? 0) < (small.trainingLoss.first ?? 0)
        let range = m.bestRange
        let inRange = range.map { $0.contains(m.suggestion) } ?? false
        func loss(_ t: Training) -> String { t.diverged > 0 ? "diverged in \(t.diverged) seed(s)" : String(format: "%.4f", t.finalLoss) }
        return [
            Verdict(
                "Too large a learning rate oscillates or diverges", supported: largeSupported,
                evidence: String(
                    format: "rate %.3g: final training loss %@, last-epoch jumps %.2f (std/mean); best rate %.3g: %@, %.2f",
                    large.learningRate, loss(large), large.oscillation, best.learningRate, loss(best), best.oscillation)),
            Verdict(
                "Too small a learning rate converges slowly", supported: small.finalLoss >= 2 * best.finalLoss && smallDecreasing,
                evidence: String(
                    format: "rate %.3g after %d epochs: training loss %@ (still %@), against %@ at %.3g", small.learningRate, m.epochs, loss(small),
                    smallDecreasing ? "decreasing" : "not decreasing", loss(best), best.learningRate)),
            Verdict(
                "The range test's suggestion lies within the best range of the sweep", supported: inRange,
                evidence: String(
                    format: "suggestion %.3g (steepest descent, geometric mean over %d seeds); best sweep range %@ (rates within one "
                        + "point or one std of the best validation accuracy, %.2f %%, each covering its third of the grid); trained at "
                        + "the suggestion: %@", m.suggestion, m.seeds,
                    range.map { String(format: "%.3g–%.3g", $0.lowerBound, $0.upperBound) } ?? "none",
                    (m.bestSweep?.training.accuracy.mean ?? .nan) * 100,
                    m.named("suggested")?.accuracy.formatted(digits: 2, scale: 100, unit: " %") ?? "—")),
        ]
    }
}
