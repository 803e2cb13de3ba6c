import Foundation

/// The augmentation statements, judged from the measurement alone.
extension AugmentationLabStudy {
    /// Four statements: the full recipe raises test accuracy, reduces the train − test gap, each label-preserving
    /// family helps alone, and mirroring digits does not.
    public func verdicts(_ m: Measurement) -> [Verdict] {
        let (none, full) = (m.none, m.full)
        func percent(_ value: MeanStd) -> String { value.formatted(digits: 2, scale: 100, unit: " %") }
        func points(_ value: MeanStd) -> String { value.formatted(digits: 2, scale: 100, unit: " points") }
        let helping = m.families.filter { $0.testAccuracy.mean > none.testAccuracy.mean }.map(\.name)
        let hurting = m.families.filter { $0.testAccuracy.mean < none.testAccuracy.mean }.map(\.name)
        let flip = m.outcomes.first { $0.name == "horizontal flip" }!
        return [
            Verdict(
                "The full augmentation recipe raises test accuracy on a 1,000-image training set",
                supported: full.testAccuracy.mean > none.testAccuracy.mean,
                evidence: "test accuracy: none \(percent(none.testAccuracy)), full recipe \(percent(full.testAccuracy))"),
            Verdict(
                "Augmentation reduces overfitting (a smaller train − test gap)",
                supported: full.gap.mean < none.gap.mean,
                evidence: "train − test gap: none \(points(none.gap)), full recipe \(points(full.gap))"),
            Verdict(
                "Each label-preserving family helps on its own",
                supported: hurting.allSatisfy { $0 == "horizontal flip" } && helping.count >= m.families.count - 1,
                evidence: "better than none: " + (helping.isEmpty ? "none" : helping.joined(separator: ", ")) + "; worse: "
                    + (hurting.isEmpty ? "none" : hurting.joined(separator: ", "))),
            Verdict(
                "A transformation that does not preserve the label (mirroring digits) does not help",
                supported: flip.testAccuracy.mean <= none.testAccuracy.mean + none.testAccuracy.std,
                evidence: "horizontal flip \(percent(flip.testAccuracy)) vs none \(percent(none.testAccuracy))"),
        ]
    }
}
