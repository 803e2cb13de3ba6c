import Keel
import KeelData

/// How well a regression model predicts, in the target's own units: mean absolute error, root mean squared error
/// and the coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (scikit-learn's `r2_score`, ȳ the mean of the
/// samples scored; over all output columns together).
public struct RegressionMetrics: Equatable, Sendable {
    /// mean |y − ŷ|.
    public var meanAbsoluteError: Double
    /// √mean (y − ŷ)².
    public var rootMeanSquaredError: Double
    /// 1 − SS_res / SS_tot (1 is perfect, 0 is predicting the mean).
    public var r2: Double

    /// The metrics of `predictions` against `targets` (equal shapes, any units).
    public init(predictions: Tensor, targets: Tensor) {
        let (p, t) = (predictions.scalars.map(Double.init), targets.scalars.map(Double.init))
        let n = Double(max(t.count, 1))
        let mean = t.reduce(0, +) / n
        var (absolute, squared, total) = (0.0, 0.0, 0.0)
        for (y, yHat) in zip(t, p) {
            absolute += abs(y - yHat)
            squared += (y - yHat) * (y - yHat)
            total += (y - mean) * (y - mean)
        }
        meanAbsoluteError = absolute / n
        rootMeanSquaredError = (squared / n).squareRoot()
        r2 = total > 0 ? 1 - squared / total : (squared == 0 ? 1 : 0)
    }

    /// The metrics of a model's `outputs` [N, outputs] for `dataset` (standardized targets), in the target's units
    /// through `scaler`.
    public init(outputs: Tensor, dataset: any Dataset, scaler: TargetScaler) {
        let targets = dataset.targets ?? Tensor.zeros(outputs.shape)
        self.init(predictions: scaler.invert(outputs), targets: scaler.invert(targets))
    }
}
