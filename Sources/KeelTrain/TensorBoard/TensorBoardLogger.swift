import Foundation
import Keel
import SwiftProtobuf

/// Writes a run's progress as TensorBoard event files (`tensorboard --logdir DIR`): scalars `train/loss`,
/// `train/accuracy` and `train/learning_rate` every iteration, `val/loss` and `val/accuracy` every epoch (steps
/// are global steps, as in iterations.csv), and a histogram of every parameter's values (`weights/NAME`) and last
/// gradient (`gradients/NAME`) at each epoch's end. Records are `Event` protobuf messages in TFRecord framing;
/// each logger creates a new file in the folder (a resumed run adds one), named `events.out.tfevents.…`.
public final class TensorBoardLogger: TrainingCallback {
    /// The event file.
    public var file: URL { writer.url }
    private let writer: TFRecordWriter
    private let model: any Module
    /// Buckets of each histogram.
    static let bucketCount = 30

    /// A logger writing into `directory` (created when missing; it must be a folder) about `model`'s parameters.
    public init(directory: URL, model: any Module) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw FileError(path: directory.path, problem: "not a folder (TensorBoard logs go into a folder)") }
        } else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let name = "events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host.isEmpty ? "keel" : host).\(getpid()).keel"
        writer = try TFRecordWriter(creating: directory.appendingPathComponent(name))
        self.model = model
        var event = Tensorboard_Event()
        event.wallTime = Date().timeIntervalSince1970
        event.fileVersion = "brain.Event:2"
        try write(event)
    }

    deinit { writer.flush() }

    private func write(_ event: Tensorboard_Event) throws { try writer.write(try event.serializedData()) }

    /// Writes `values` (tag → value) as one event at `step`; non-finite values are written as they are.
    public func scalars(_ values: [(tag: String, value: Float)], step: Int) throws {
        var summary = Tensorboard_Summary()
        summary.value = values.map { tag, value in
            var v = Tensorboard_Summary.Value()
            (v.tag, v.simpleValue) = (tag, value)
            return v
        }
        try write(Self.event(summary, step: step))
    }

    /// Writes histograms of `tensors` (tag → values) as one event at `step`.
    public func histograms(_ tensors: [(tag: String, values: [Float])], step: Int) throws {
        var summary = Tensorboard_Summary()
        summary.value = tensors.map { tag, values in
            var v = Tensorboard_Summary.Value()
            (v.tag, v.histo) = (tag, Self.histogram(values))
            return v
        }
        try write(Self.event(summary, step: step))
    }

    static func event(_ summary: Tensorboard_Summary, step: Int) -> Tensorboard_Event {
        var event = Tensorboard_Event()
        (event.wallTime, event.step, event.summary) = (Date().timeIntervalSince1970, Int64(step), summary)
        return event
    }

    /// `bucketCount` equal-width buckets from the smallest to the largest finite value (bucket i holds
    /// (limit[i−1], limit[i]]; the first also everything below), with count, sum and sum of squares.
    static func histogram(_ values: [Float]) -> Tensorboard_HistogramProto {
        var h = Tensorboard_HistogramProto()
        let finite = values.filter(\.isFinite).map(Double.init)
        guard let low = finite.min(), let high = finite.max() else { return h }
        (h.min, h.max, h.num) = (low, high, Double(finite.count))
        (h.sum, h.sumSquares) = (finite.reduce(0, +), finite.reduce(0) { $0 + $1 * $1 })
        let buckets = high > low ? bucketCount : 1
        let width = (high - low) / Double(buckets)
        h.bucketLimit = (1...buckets).map { $0 == buckets ? high : low + width * Double($0) }
        var counts = [Double](repeating: 0, count: buckets)
        for x in finite { counts[Swift.min(buckets - 1, width > 0 ? Swift.max(0, Int(((x - low) / width).rounded(.up)) - 1) : 0)] += 1 }
        h.bucket = counts
        return h
    }

    /// Logs the iteration's loss, accuracy (unless NaN: regression) and learning rate.
    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) {
        var values: [(tag: String, value: Float)] = [("train/loss", record.loss), ("train/learning_rate", record.learningRate)]
        if !record.accuracy.isNaN { values.insert(("train/accuracy", record.accuracy), at: 1) }
        report { try scalars(values, step: record.globalStep) }
    }

    /// Logs the validation loss and accuracy (when there is validation data) and the parameter histograms.
    public func epochEnded(_ record: EpochRecord, trainer: Trainer) -> Bool {
        var values: [(tag: String, value: Float)] = []
        if let loss = record.validationLoss { values.append(("val/loss", loss)) }
        if let accuracy = record.validationAccuracy, !accuracy.isNaN { values.append(("val/accuracy", accuracy)) }
        let step = max(record.globalStep - 1, 0)
        report {
            if !values.isEmpty { try scalars(values, step: step) }
            let parameters = model.namedParameters
            try histograms(parameters.map { ("weights/\($0.name)", $0.parameter.value.scalars) }, step: step)
            try histograms(parameters.compactMap { p in p.parameter.grad.map { ("gradients/\(p.name)", $0.scalars) } }, step: step)
        }
        writer.flush()
        return false
    }

    private var warned = false

    /// Runs `body`; a failure to write is reported once and does not stop training.
    private func report(_ body: () throws -> Void) {
        do { try body() } catch  where !warned {
            warned = true
            FileHandle.standardError.write(Data("warning: TensorBoard log \(writer.url.path): \(error)\n".utf8))
        } catch {}
    }
}
