/// Why training stopped early or a checkpoint could not be used.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite; no update was made with it.
    case nonFiniteLoss(value: Float, epoch: Int, iteration: Int, globalStep: Int)
    /// A checkpoint that is missing, damaged or written for another model.
    case badCheckpoint(path: String, problem: String)

    /// One line saying what happened and what to try.
    public var description: String {
        switch self {
        case .nonFiniteLoss(let value, let epoch, let iteration, let globalStep):
            return "training stopped: the loss is \(value.isNaN ? "NaN" : "\(value)") at epoch \(epoch + 1), iteration \(iteration + 1) "
                + "(global step \(globalStep)); no update was made with it. Try a smaller learning rate or "
                + "normalized inputs; the last good checkpoint is kept."
        case .badCheckpoint(let path, let problem):
            return "\(path): \(problem)"
        }
    }
}
