import Foundation

/// Shows training progress: a bar redrawn in place on a terminal, plain lines otherwise.
public final class ProgressReporter: @unchecked Sendable {
    /// A bar redrawn in place, one line per epoch, or nothing.
    public enum Style { case bar, lines, silent }

    /// How progress is shown.
    public let style: Style
    private let output: FileHandle
    private var lastDraw = 0.0

    /// `.bar` when standard error is a terminal, `.lines` otherwise.
    public init(style: Style? = nil, output: FileHandle = .standardError) {
        self.output = output
        self.style = style ?? (isatty(output.fileDescriptor) != 0 ? .bar : .lines)
    }

    func write(_ text: String) { output.write(Data(text.utf8)) }

    /// Called after each iteration.
    public func iteration(
        epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Float, accuracy: Float,
        samplesPerSecond: Double
    ) {
        guard style == .bar else { return }
        let now = ProcessInfo.processInfo.systemUptime
        guard now - lastDraw > 0.1 || batch + 1 == batches else { return }
        lastDraw = now
        let width = 24
        let done = Int(Double(width) * Double(batch + 1) / Double(max(batches, 1)))
        let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
        let score = accuracy.isNaN ? "" : String(format: "  acc %5.1f%%", accuracy * 100)
        write(
            String(
                format: "\r\u{1B}[2Kepoch %d/%d %@ %d/%d  loss %.4f%@  %.0f samples/s",
                epoch + 1, epochs, bar, batch + 1, batches, loss, score, samplesPerSecond))
    }

    /// Called after each epoch.
    public func epoch(_ record: EpochRecord, epochs: Int) {
        guard style != .silent else { return }
        // Regression records have no accuracy (NaN): only the losses are shown.
        var line = String(format: "epoch %d/%d  loss %.4f", record.epoch + 1, epochs, record.trainLoss)
        if !record.trainAccuracy.isNaN { line += String(format: "  acc %.2f%%", record.trainAccuracy * 100) }
        if let loss = record.validationLoss {
            line += String(format: "  val loss %.4f", loss)
            if let accuracy = record.validationAccuracy, !accuracy.isNaN { line += String(format: "  val acc %.2f%%", accuracy * 100) }
        }
        line += String(format: "  lr %.3g  %.1fs", record.learningRate, record.seconds)
        write((style == .bar ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    /// Progress of a long study: a bar for the study and one for all studies on a terminal, a line per change otherwise.
    public func study(name: String, fraction: Double, overall: Double, message: String) {
        switch style {
        case .silent: return
        case .lines: write(String(format: "[%@ %3.0f%%, overall %3.0f%%] %@\n", name, fraction * 100, overall * 100, message))
        case .bar:
            func bar(_ f: Double) -> String {
                let done = Int(16 * min(max(f, 0), 1))
                return String(repeating: "█", count: done) + String(repeating: "·", count: 16 - done)
            }
            write("\r\u{1B}[2K\(name) \(bar(fraction)) overall \(bar(overall)) \(message)")
        }
    }

    /// A free-form message on its own line.
    public func message(_ text: String) {
        guard style != .silent else { return }
        write((style == .bar ? "\r\u{1B}[2K" : "") + text + "\n")
    }
}
