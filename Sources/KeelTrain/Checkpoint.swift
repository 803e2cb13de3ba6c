import Foundation
import Keel
import KeelData

/// Where a run stands: the next batch to train is batch `batch` of epoch `epoch`.
public struct TrainingPosition: Codable, Equatable, Sendable {
    public var epoch = 0
    public var batch = 0
    /// Parameter updates made so far.
    public var globalStep = 0
    public init() {}
}

/// Everything besides tensors that a checkpoint records (state.json).
public struct CheckpointState: Codable, Equatable {
    public static let currentFormat = "keel-checkpoint-1"
    public var format = CheckpointState.currentFormat
    /// A name for the architecture ("cnn", "mlp", …) checked when resuming.
    public var modelName: String
    /// Shape of every parameter and buffer, checked when resuming.
    public var shapes: [String: [Int]]
    public var position: TrainingPosition
    public var optimizerStepCount: Int
    /// Seed and draw count of each randomized module (dropout), by module path.
    public var randomStates: [String: [UInt64]]
    public var normalizer: Normalizer
    public var history: History
    /// Free-form run settings (e.g. the CLI's flags), kept for reference.
    public var settings: [String: String]
}

/// A checkpoint on disk: `DIR/step-NNNNNNNN/{model.safetensors, optimizer.safetensors, state.json}` and
/// `DIR/latest` naming the newest complete one.
///
/// A step folder is written under a temporary name and renamed when complete; `latest` is then replaced
/// atomically. A crash at any moment leaves `latest` pointing to a complete checkpoint.
public enum CheckpointStore {
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let stateFile = "state.json"

    /// Writes a checkpoint and makes it the latest; older ones are removed.
    public static func save(model: any Module, optimizer: any Optimizer, state: CheckpointState, to directory: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = String(format: "step-%08d", state.position.globalStep)
        let temporary = directory.appendingPathComponent(".tmp-\(name)-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        try SafeTensors.write(model.stateDict(), metadata: ["format": "pt", "keel_model": state.modelName],
                              to: temporary.appendingPathComponent(modelFile))
        let slots = optimizer.state.slots.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }
        try SafeTensors.write(slots, to: temporary.appendingPathComponent(optimizerFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(state), to: temporary.appendingPathComponent(stateFile))
        let final = directory.appendingPathComponent(name)
        try? fm.removeItem(at: final)
        guard rename(temporary.path, final.path) == 0 else {
            throw TrainingError.badCheckpoint(path: final.path, problem: "cannot be created (errno \(errno))")
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
    public static func load(from directory: URL) throws -> (state: CheckpointState, model: [String: Tensor], optimizer: [String: Tensor]) {
        let latest = directory.appendingPathComponent("latest")
        guard let pointer = try? String(contentsOf: latest, encoding: .utf8) else {
            throw TrainingError.badCheckpoint(path: directory.path, problem: "no checkpoint here (missing 'latest')")
        }
        let folder = directory.appendingPathComponent(pointer.trimmingCharacters(in: .whitespacesAndNewlines))
        let stateURL = folder.appendingPathComponent(stateFile)
        let state: CheckpointState
        do {
            state = try JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: stateURL))
        } catch {
            throw TrainingError.badCheckpoint(path: stateURL.path, problem: "unreadable checkpoint state (\(error))")
        }
        guard state.format == CheckpointState.currentFormat else {
            throw TrainingError.badCheckpoint(path: stateURL.path, problem: "unknown checkpoint format '\(state.format)'")
        }
        do {
            let model = try SafeTensors.read(folder.appendingPathComponent(modelFile)).tensors
            let optimizer = try SafeTensors.read(folder.appendingPathComponent(optimizerFile)).tensors
            return (state, model, optimizer)
        } catch let error as SafeTensorsError {
            throw TrainingError.badCheckpoint(path: error.path ?? folder.path, problem: error.problem)
        }
    }
}
