import Foundation
import Keel
import KeelData

/// Where a run stands: the next batch to train is batch `batch` of epoch `epoch`.
public struct TrainingPosition: Codable, Equatable, Sendable {
    /// The epoch (0-based) the next batch belongs to.
    public var epoch = 0
    /// The next batch's index within its epoch.
    public var batch = 0
    /// Parameter updates made so far.
    public var globalStep = 0
    /// The start of training.
    public init() {}
}

/// Everything besides tensors that a checkpoint records (state.json).
public struct CheckpointState: Codable, Equatable {
    /// The `format` this version writes and reads.
    public static let currentFormat = "keel-checkpoint-2"
    /// The state file's format; others are refused.
    public var format = CheckpointState.currentFormat
    /// A name for the architecture ("cnn", "mlp", …) checked when resuming.
    public var modelName: String
    /// Shape of every parameter and buffer, checked when resuming.
    public var shapes: [String: [Int]]
    /// Where training resumes.
    public var position: TrainingPosition
    /// The optimizer's global step count.
    public var optimizerStepCount: Int
    /// Seed and draw count of each randomized module (dropout), by module path.
    public var randomStates: [String: [UInt64]]
    /// The input normalizer fitted on the training split.
    public var normalizer: Normalizer
    /// The per-iteration and per-epoch records so far.
    public var history: History
    /// The resolved configuration of the run (`TrainingRun`), so that a resume needs nothing else; nil for a
    /// trainer used on its own.
    public var configuration: RunConfiguration?

    /// A state from its parts.
    public init(
        modelName: String, shapes: [String: [Int]], position: TrainingPosition, optimizerStepCount: Int,
        randomStates: [String: [UInt64]], normalizer: Normalizer, history: History,
        configuration: RunConfiguration? = nil
    ) {
        (self.modelName, self.shapes, self.position, self.optimizerStepCount) = (modelName, shapes, position, optimizerStepCount)
        (self.randomStates, self.normalizer, self.history, self.configuration) = (randomStates, normalizer, history, configuration)
    }
}

extension CheckpointState {
    /// Reads and validates `state.json` contents; `path` names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> CheckpointState {
        let state: CheckpointState
        do {
            state = try JSONDecoder().decode(CheckpointState.self, from: data)
        } catch {
            throw TrainingError.badCheckpoint(path: path, problem: "unreadable checkpoint state (\(DecodingProblem.describe(error)))")
        }
        guard state.format == CheckpointState.currentFormat else {
            throw TrainingError.badCheckpoint(path: path, problem: "unknown checkpoint format '\(FileError.oneLine(state.format))'")
        }
        if let problem = state.problem {
            throw TrainingError.badCheckpoint(path: path, problem: "corrupt checkpoint state: \(problem)")
        }
        return state
    }

    /// What makes this state impossible to resume from (a negative or absurd position, inconsistent
    /// history, shapes that overflow), or nil.
    public var problem: String? {
        let limit = 1_000_000_000_000
        let p = position
        guard (0...limit).contains(p.epoch), (0...limit).contains(p.batch), (0...limit).contains(p.globalStep),
            (0...limit).contains(optimizerStepCount)
        else {
            return "position epoch \(p.epoch), batch \(p.batch), global step \(p.globalStep), optimizer step \(optimizerStepCount) out of range"
        }
        for (name, shape) in shapes where checkedProduct(shape, limit: 1 << 34) == nil {
            return "parameter '\(name)' has shape \(shape)"
        }
        for r in history.iterations
        where
            !((0...limit).contains(r.epoch) && (0...limit).contains(r.iteration) && (0...limit).contains(r.globalStep)
            && (0...limit).contains(r.batchSize))
        {
            return "history holds an iteration record out of range (epoch \(r.epoch), iteration \(r.iteration))"
        }
        for r in history.epochs where !((0...limit).contains(r.epoch) && (0...limit).contains(r.globalStep)) {
            return "history holds an epoch record out of range (epoch \(r.epoch))"
        }
        if let problem = normalizer.problem { return problem }
        do { try configuration?.validate() } catch { return "configuration: \(error)" }
        return nil
    }
}

/// A checkpoint read from disk: its state, the model's weights and the optimizer's slots by name.
public struct SavedCheckpoint {
    /// The state (state.json).
    public var state: CheckpointState
    /// The model's weights and buffers by `state_dict` name.
    public var model: [String: Tensor]
    /// The optimizer's slots by "parameter.slot".
    public var optimizer: [String: Tensor]
    /// The checkpoint folder it was read from (named in errors).
    public var directory: URL
}

/// A checkpoint on disk: `DIR/step-NNNNNNNN/{model.safetensors, optimizer.safetensors, state.json}` and
/// `DIR/latest` naming the newest complete one.
///
/// A step folder is written under a temporary name and renamed when complete; `latest` is then replaced
/// atomically. A crash at any moment leaves `latest` pointing to a complete checkpoint.
public enum CheckpointStore {
    /// The weights' file in a step folder.
    public static let modelFile = "model.safetensors"
    /// The optimizer state's file in a step folder.
    public static let optimizerFile = "optimizer.safetensors"
    /// The state's file in a step folder.
    public static let stateFile = "state.json"

    /// Writes a checkpoint and makes it the latest; older ones are removed.
    public static func save(model: any Module, optimizer: any Optimizer, state: CheckpointState, to directory: URL) throws {
        let fm = FileManager.default
        try AtomicFile.createDirectory(directory)
        let name = String(format: "step-%08d", state.position.globalStep)
        let temporary = directory.appendingPathComponent(".tmp-\(name)-\(getpid())")
        try? fm.removeItem(at: temporary)
        do {
            try AtomicFile.createDirectory(temporary)
            try SafeTensors.write(
                model.stateDict(), metadata: ["format": "pt", "keel_model": state.modelName],
                to: temporary.appendingPathComponent(modelFile))
            let slots = optimizer.state.slots.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }
            try SafeTensors.write(slots, to: temporary.appendingPathComponent(optimizerFile))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(state), to: temporary.appendingPathComponent(stateFile))
            let final = directory.appendingPathComponent(name)
            if InputFile.kind(atPath: final.path, followingLinks: false) != nil {
                // The same step again (a stop right after a checkpoint): that folder already holds this state
                // (same step, same weights); it stays, so `latest` never names a missing folder.
                try? fm.removeItem(at: temporary)
            } else if rename(temporary.path, final.path) != 0 {
                throw TrainingError.badCheckpoint(path: final.path, problem: "cannot be created (\(FileError.reason(errno: errno)))")
            }
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
        try AtomicFile.write(Data((name + "\n").utf8), to: directory.appendingPathComponent("latest"))
        // Remove older checkpoints and leftovers of interrupted writes.
        for entry in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        where (entry.hasPrefix("step-") && entry != name) || (entry.hasPrefix(".tmp-") && !entry.contains("\(getpid())")) {
            try? fm.removeItem(at: directory.appendingPathComponent(entry))
        }
    }

    /// Whether `directory` holds a checkpoint.
    public static func exists(at directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("latest").path)
    }

    /// Reads the latest checkpoint in `directory`.
    public static func load(from directory: URL) throws -> SavedCheckpoint {
        let latest = directory.appendingPathComponent("latest")
        guard InputFile.kind(atPath: latest.path) != nil else {
            throw TrainingError.badCheckpoint(path: directory.path, problem: "no checkpoint here (missing 'latest')")
        }
        let pointer: String
        do { pointer = try InputFile.text(latest, maxBytes: 4096).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            throw TrainingError.badCheckpoint(path: latest.path, problem: "unreadable (\(error))")
        }
        // "step-" and digits only: never a path that leads out of the checkpoint folder.
        guard pointer.hasPrefix("step-"), pointer.count <= 32, pointer.dropFirst(5).allSatisfy(\.isASCII),
            pointer.dropFirst(5).allSatisfy(\.isNumber), pointer.count > 5
        else {
            throw TrainingError.badCheckpoint(
                path: latest.path, problem: "corrupt: expected a name like step-00000063, got " + "'\(FileError.oneLine(String(pointer.prefix(40))))'"
            )
        }
        let folder = directory.appendingPathComponent(pointer)
        let stateURL = folder.appendingPathComponent(stateFile)
        let state: CheckpointState
        do {
            state = try CheckpointState.decode(InputFile.read(stateURL, maxBytes: 1 << 30), path: stateURL.path)
        } catch let error as FileError {
            throw TrainingError.badCheckpoint(path: error.path, problem: error.problem)
        }
        do {
            let model = try SafeTensors.read(folder.appendingPathComponent(modelFile)).tensors
            let optimizer = try SafeTensors.read(folder.appendingPathComponent(optimizerFile)).tensors
            return SavedCheckpoint(state: state, model: model, optimizer: optimizer, directory: directory)
        } catch let error as SafeTensorsError {
            throw TrainingError.badCheckpoint(path: error.path ?? folder.path, problem: error.problem)
        }
    }
}
