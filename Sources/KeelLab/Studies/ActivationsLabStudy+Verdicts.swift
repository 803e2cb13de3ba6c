import Foundation

/// The activation statements, judged from the measurement alone.
extension ActivationsLabStudy {
    /// Seven statements: ReLU beats sigmoid, the ReLU family beats saturating functions, gradients vanish in a deep
    /// sigmoid network, which then learns slowly, a linear stack is affine and no better than one layer, and a sigmoid
    /// output is a calibrated binary classifier.
    public func verdicts(_ m: Measurement) -> [Verdict] {
        mlpVerdicts(m) + deepVerdicts(m) + [linearityVerdict(m.linearity.residual), linearStackVerdict(m.linearity), binaryVerdict(m.binary)]
    }

    func mlpVerdicts(_ m: Measurement) -> [Verdict] {
        func percent(_ value: MeanStd) -> String { value.formatted(digits: 2, scale: 100, unit: " %") }
        let (relu, sigmoid) = (m.final("relu"), m.final("sigmoid"))
        let best = m.mlp.max { $0.finalValidation.mean < $1.finalValidation.mean }!
        let family = m.mlp.filter { ["relu", "leaky_relu", "elu", "gelu", "silu", "mish"].contains($0.activation) }
        let familyBest = family.map(\.finalValidation.mean).max() ?? 0
        let saturating = m.mlp.filter { ["sigmoid", "tanh"].contains($0.activation) }.map(\.finalValidation.mean).max() ?? 0
        return [
            Verdict(
                "ReLU hidden layers reach a better validation accuracy than sigmoid ones",
                supported: relu.mean > sigmoid.mean,
                evidence: "relu \(percent(relu)), sigmoid \(percent(sigmoid)); best: \(best.activation) \(percent(best.finalValidation))"),
            Verdict(
                "The ReLU family (ReLU, Leaky ReLU, ELU, GELU, SiLU, Mish) beats the saturating sigmoid and tanh",
                supported: familyBest > saturating,
                evidence: String(format: "best of the ReLU family %.2f %%, best of sigmoid/tanh %.2f %%", familyBest * 100, saturating * 100)),
        ]
    }

    func deepVerdicts(_ m: Measurement) -> [Verdict] {
        func run(_ name: String) -> DeepRun? { m.deep.first { $0.activation == name } }
        let (sigmoid, relu) = (run("sigmoid")?.ratio ?? 1, run("relu")?.ratio ?? 1)
        let sigmoidFinal = run("sigmoid")?.validationAccuracy.last ?? 0
        let reluFinal = run("relu")?.validationAccuracy.last ?? 0
        return [
            Verdict(
                "In a deep sigmoid network the gradients vanish toward the input layers (far more than with ReLU)",
                supported: sigmoid < 0.1 && sigmoid < relu / 10,
                evidence: String(format: "first-layer ÷ last-layer gradient norm in epoch 1: sigmoid %.2e, relu %.2e", sigmoid, relu)),
            Verdict(
                "So the deep sigmoid network learns far more slowly than the deep ReLU network",
                supported: reluFinal - sigmoidFinal > 0.2,
                evidence: String(
                    format: "validation accuracy after %d epochs: sigmoid %.2f %%, relu %.2f %% (chance: 10 %%)", m.deepEpochs, sigmoidFinal * 100,
                    reluFinal * 100)),
        ]
    }

    func linearityVerdict(_ residual: [String: Double]) -> Verdict {
        Verdict(
            "A deep network without non-linearity is a single linear (affine) map",
            supported: (residual["identity"] ?? 1) < 1e-4 && (residual["relu"] ?? 0) > 1e-2,
            evidence: String(
                format: "relative |f(x+y) − f(x) − f(y) + f(0)| at initialization: identity %.1e, relu %.1e", residual["identity"] ?? 0,
                residual["relu"] ?? 0))
    }

    func linearStackVerdict(_ l: Linearity) -> Verdict {
        let (one, identity, relu) = (MeanStd(l.oneLinearLayer), MeanStd(l.identityMLP), MeanStd(l.reluMLP))
        func percent(_ value: MeanStd) -> String { value.formatted(digits: 2, scale: 100, unit: " %") }
        return Verdict(
            "A 3-layer network with identity activations does no better than one Linear layer, and worse than ReLU",
            supported: identity.mean <= one.mean + 0.01 && identity.mean < relu.mean,
            evidence: "validation accuracy at lr 0.01: identity MLP \(percent(identity)), one Linear layer \(percent(one)), relu MLP \(percent(relu))"
        )
    }

    func binaryVerdict(_ b: BinaryOutput) -> Verdict {
        Verdict(
            "A sigmoid output unit trained with binary cross-entropy is a binary classifier whose output reads as a probability",
            supported: b.outputsInUnitInterval && b.validationAccuracy > 0.9 && b.expectedCalibrationError < 0.05,
            evidence: String(
                format: "odd-vs-even validation accuracy %.2f %%, expected calibration error %.3f, every output in [0, 1]: %@; "
                    + "σ(z) equals the two-class softmax of (z, 0) to %.1e", b.validationAccuracy * 100, b.expectedCalibrationError,
                b.outputsInUnitInterval ? "yes" : "no", b.sigmoidVsSoftmax))
    }
}
