/// Why training stopped early or a checkpoint could not be used.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite; no update was made with it.
    case nonFiniteLoss(value: Float, epoch: Int, iteration: Int, globalStep: Int)
    /// A checkpoint that is missing, damaged or written for another model.
    case badCheckpoint(path: String, problem: String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(value, epoch, iteration, globalStep):
            return "training stopped: the loss is \(value.isNaN ? "NaN" : "\(value)") at epoch \(epoch + 1), iteration \(iteration + 1) " +
                "(global step \(globalStep)); no update was made with it. Try a smaller learning rate or " +
                "normalized inputs; the last good checkpoint is kept."
        case let .badCheckpoint(path, problem):
            return "\(path): \(problem)"
        }
    }
}
