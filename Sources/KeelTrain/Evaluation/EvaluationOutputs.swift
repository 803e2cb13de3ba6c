import Keel

/// A model's outputs over a dataset, batch by batch, as `Metrics.evaluate`'s `outputs` sink hands them over — so that
/// one evaluation pass gives the loss, the accuracy and the outputs for further scores (probabilities, regression
/// metrics).
public final class EvaluationOutputs {
    /// Every batch's output values, in order.
    public private(set) var values: [Float] = []
    private var width = 0

    /// An empty collection.
    public init() {}

    /// Appends one batch's output [batch, width].
    public func append(_ output: Tensor) {
        width = output.shape.last ?? 0
        values += output.scalars
    }

    /// The outputs gathered, [N, width].
    public var tensor: Tensor { Tensor(shape: [values.count / max(width, 1), width], scalars: values) }
}
