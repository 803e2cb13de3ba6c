/// What a model learns from a table: a class per sample, or numbers (regression).
public enum LearningTask: String, Codable, CaseIterable, Sendable {
    /// One class per sample: cross-entropy loss, accuracy.
    case classification
    /// A numeric target per sample: squared-error or Huber loss, MAE / RMSE / R².
    case regression
}
