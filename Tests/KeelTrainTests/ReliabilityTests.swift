import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData
@testable import KeelTrain

/// Writes, locks and validation at the boundary (issue 13).
struct SafeWriteTests {
    @Test func atomicWritesReplaceOnlyRegularFiles() throws {
        let dir = temporaryDirectory()
        let file = dir.appendingPathComponent("out.txt")
        try AtomicFile.write(Data("one".utf8), to: file)
        try AtomicFile.write(Data("two".utf8), to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "two")
        // A symbolic link, a directory and a FIFO are refused and left as they are.
        let target = dir.appendingPathComponent("target.txt")
        try Data("keep".utf8).write(to: target)
        let link = dir.appendingPathComponent("link.txt")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        expectError(["link.txt", "symbolic link"]) { try AtomicFile.write(Data("x".utf8), to: link) }
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep")
        #expect(InputFile.kind(atPath: link.path, followingLinks: false) == S_IFLNK)
        expectError(["is a directory"]) { try AtomicFile.write(Data("x".utf8), to: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        expectError(["fifo", "FIFO"]) { try AtomicFile.write(Data("x".utf8), to: fifo) }
        expectError(["/dev/null", "device"]) { try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: "/dev/null")) }
        // No temporary files are left behind by the refusals.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func temporariesOfDeadWritersAreRemovedByTheNextWrite() throws {
        let dir = temporaryDirectory()
        // A pid that cannot be running (above pid_max), and our own (alive: kept).
        let dead = dir.appendingPathComponent(".latest.tmp-99999999-1")
        let alive = dir.appendingPathComponent(".latest.tmp-\(getpid())-2")
        try Data().write(to: dead)
        try Data().write(to: alive)
        try AtomicFile.write(Data("step-1\n".utf8), to: dir.appendingPathComponent("latest"))
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: alive.path))
    }

    @Test func readersTakeOnlyRegularFiles() throws {
        let dir = temporaryDirectory()
        expectError([dir.path, "is a directory"]) { _ = try InputFile.read(dir) }
        expectError(["missing", "file not found"]) { _ = try InputFile.read(dir.appendingPathComponent("missing")) }
        let fifo = dir.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        expectError(["not a regular file"]) { _ = try IDX.read(fifo) }  // would block forever if opened
    }

    @Test func aRunFolderTakesOneRunAtATime() throws {
        let dir = temporaryDirectory().appendingPathComponent("run")
        let first = try RunLock(directory: dir)
        expectError([dir.path, "in use by another keel run", "pid \(getpid())"]) { _ = try RunLock(directory: dir) }
        first.release()
        // Released, and the folder it created held nothing else: it is gone.
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        let again = try RunLock(directory: dir)
        try Data("x".utf8).write(to: dir.appendingPathComponent("model.json"))
        again.release()
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.json").path))
    }

    @Test func nonFiniteNumbersAreJSONNull() throws {
        let data = try FiniteJSON.data(["loss": Double.nan, "values": [1.5, Double.infinity], "ok": 2] as [String: Any], options: [.sortedKeys])
        #expect(String(decoding: data, as: UTF8.self) == #"{"loss":null,"ok":2,"values":[1.5,null]}"#)
        var history = History()
        history.iterations.append(
            IterationRecord(
                epoch: 0, iteration: 0, globalStep: 0, loss: .infinity, accuracy: 0.5,
                learningRate: 0.1, batchSize: 4, seconds: 0.1))
        history.epochs.append(
            EpochRecord(
                epoch: 0, globalStep: 1, trainLoss: .nan, trainAccuracy: 0.5, validationLoss: .nan,
                validationAccuracy: 0.4, learningRate: 0.1, seconds: 0.1))
        let json = try JSONEncoder().encode(history)
        #expect(String(decoding: json, as: UTF8.self).contains(#""loss":null"#))
        let back = try JSONDecoder().decode(History.self, from: json)
        #expect(back.iterations[0].loss.isNaN && back.epochs[0].trainLoss.isNaN && back.epochs[0].validationLoss == nil)
        #expect(back.epochs[0].validationAccuracy == 0.4)
    }
}

struct BoundaryValidationTests {
    @Test func checkedProductsCatchOverflow() {
        #expect(checkedProduct([2, 3, 4]) == 24)
        #expect(checkedProduct([]) == 1)
        #expect(checkedProduct([1 << 62, 4]) == nil)
        #expect(checkedProduct([1 << 31, 1 << 31, 4]) == nil)
        #expect(checkedProduct([3, -1]) == nil)
        #expect(checkedProduct([100, 100], limit: 9_999) == nil)
        #expect(checkedProduct([0, 1 << 62, 1 << 62]) == 0)
    }

    @Test func activationSpecsAreChecked() throws {
        #expect(try Activation.parse("leaky_relu:0.2") == .leakyReLU(negativeSlope: 0.2))
        expectError(["empty activation name"]) { _ = try Activation.parse("") }
        expectError(["finite number", "nan"]) { _ = try Activation.parse("leaky_relu:nan") }
        expectError(["softplus", "beta"]) { _ = try Activation.parse("softplus:0") }
        expectError(["celu", "alpha"]) { _ = try Activation.parse("celu:0") }
        expectError(["unknown activation 'warp'"]) { _ = try Activation.parse("warp") }
    }

    @Test func imageOperationsStayWithinTheLimits() throws {
        let image = Image(width: 8, height: 6, channels: 3, value: 0.5)
        for spec in [
            "scale:factor=1e30", "shift:dx=1e30", "affine:scale=0", "center-crop:height=-5,width=-5",
            "pca-lighting:alphas=nan/0/0", "resize:height=1000000,width=1000000", "blur:kernel=999999,sigma=1", ":",
            "hflip:x=1", "brightness:factor=1,factor=2",
        ] {
            expectError([]) { _ = try ImageOperation.parse(spec) }
        }
        // Parsed, but the output would pass the side limit.
        let big = try ImageOperation.parse("scale:factor=1000")
        expectError(["16384"]) { _ = try big.apply(Image(width: 100, height: 20, channels: 1, value: 0)) }
        // Rotations that keep expanding stop at the limit instead of growing without bound.
        var size = (height: 6, width: 8)
        let rotate = try ImageOperation.parse("rotate:degrees=45,expand=1")
        expectError(["exceeds the limit"]) { for _ in 0..<40 { size = try rotate.outputSize(height: size.height, width: size.width) } }
        #expect(size.width > 8000)
        #expect(try ImageOperation.parse("scale:factor=2").apply(image).width == 16)
    }

    @Test func augmentationsDeclareTheirOutputSize() throws {
        for spec in [
            "color-jitter:hue=0.6", "random-blur:sigma=0/0", "random-crop:size=1e30", "scale-jitter:min=1e20",
            "random-hflip:p=2", "noise:sigma=nan", "random-affine:scale=0/1",
        ] {
            expectError([spec]) { _ = try AugmentationPipeline.parse([spec]) }
        }
        let crop = try AugmentationPipeline.parse(["random-crop:size=1000"])
        expectError(["does not fit a 28×28 image"]) { _ = try crop.outputSize(height: 28, width: 28) }
        #expect(try AugmentationPipeline.parse(["random-crop:size=1000,pad_if_needed=1"]).outputSize(height: 28, width: 28) == (1000, 1000))
        #expect(try AugmentationPipeline.parse(["random-resized-crop:size=5"]).outputSize(height: 28, width: 28) == (5, 5))
        #expect(try AugmentationPipeline.parse(["random-affine:degrees=10", "random-hflip"]).outputSize(height: 28, width: 28) == (28, 28))
    }

    @Test func schedulesRefuseOverflowingIntegers() {
        expectError(["step_size_up", "10¹²"]) {
            _ = try Schedule.parse("cyclic:max_lr=0.1,step_size_up=4611686018427387904,step_size_down=4611686018427387904")
        }
        expectError(["seed"]) { _ = try Schedule.parse("noisy_linear_cosine_decay:decay_steps=10,seed=-1") }
    }

    @Test func tablesRefuseAbsurdLabels() {
        expectError(["row 3, column 3", "label 2147483647"]) { _ = try CSVTable.parse("a,b,y\n1,2,0\n3,4,2147483647\n", path: "t.csv") }
        expectError(["label 1000000"]) { _ = try CSVTable.parse("a,b,y\n1,2,0\n3,4,1000000\n", path: "t.csv") }
        expectError(["NUL byte"]) { _ = try CSVTable.decode(Data([0x61, 0x2C, 0x00]), path: "t.csv") }
    }

    @Test func modelDescriptionsAreValidated() throws {
        func json(_ changes: [String: String] = [:]) -> Data {
            var fields = [
                "model": "\"cnn\"", "input_shape": "[1, 28, 28]", "classes": "10", "dataset": "\"mnist-5k\"",
                "normalizer": "{\"method\": \"none\", \"shift\": [], \"scale\": []}",
            ]
            fields.merge(changes) { $1 }
            return Data(("{" + fields.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}").utf8)
        }
        #expect(try ModelDescription.decode(json(), path: "m.json").classes == 10)
        expectError(["m.json", "0 classes"]) { _ = try ModelDescription.decode(json(["classes": "0"]), path: "m.json") }
        expectError(["1000000000000 classes"]) { _ = try ModelDescription.decode(json(["classes": "1e12"]), path: "m.json") }
        expectError(["dropout"]) { _ = try ModelDescription.decode(json(["dropout": "1.5"]), path: "m.json") }
        expectError(["input shape [0]"]) { _ = try ModelDescription.decode(json(["input_shape": "[0]"]), path: "m.json") }
        expectError(["input_shape[1]", "expected"]) { _ = try ModelDescription.decode(json(["input_shape": "[1, \"x\", 3]"]), path: "m.json") }
    }
}

struct CheckpointValidationTests {
    /// A folder holding the checkpoint of one epoch (3 iterations) of the blob MLP.
    func checkpointedRun() throws -> URL {
        let dir = temporaryDirectory()
        let trainer = makeRun()
        trainer.checkpointDirectory = dir
        try trainer.fit(DataLoader(blobs(count: 30, seed: 1), batchSize: 10, seed: 1), epochs: 1)
        return dir
    }

    @Test func corruptPointersAndStatesAreOneLineErrors() throws {
        let dir = try checkpointedRun()
        let latest = dir.appendingPathComponent("latest")
        try Data("../../etc\n\u{1B}[31mx".utf8).write(to: latest)
        expectError(["latest", "corrupt", "step-00000063"]) { _ = try CheckpointStore.load(from: dir) }
        try Data("step-00000003\n".utf8).write(to: latest)
        let state = dir.appendingPathComponent("step-00000003/state.json")
        let text = try String(contentsOf: state, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"epoch\" : 1", with: "\"epoch\" : -7").utf8).write(to: state)
        expectError(["state.json", "out of range"]) { _ = try CheckpointStore.load(from: dir) }
    }

    @Test func optimizerSlotsMustMatchTheirParameters() throws {
        let dir = try checkpointedRun()
        let file = dir.appendingPathComponent("step-00000003/optimizer.safetensors")
        var slots = try SafeTensors.read(file).tensors
        slots["0.weight.exp_avg"] = Tensor.zeros([2])
        try SafeTensors.write(slots.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: file)
        expectError(["0.weight.exp_avg", "shape [2]"]) { try makeRun().resume(from: dir) }
    }

    @Test func aDivergedRunCheckpointsItsLastFiniteState() throws {
        let dir = temporaryDirectory()
        // The third batch holds a sample whose logits overflow: a non-finite loss with finite weights.
        var data = blobs(count: 40, seed: 1)
        var features = data.features.scalars
        for d in 0..<4 { features[25 * 4 + d] = 3e38 }
        data = TensorDataset(features: Tensor(shape: [40, 4], scalars: features), labels: data.labels, classCount: 3)
        let trainer = makeRun()
        trainer.checkpointDirectory = dir
        expectError(["the loss is", "no update was made"]) {
            try trainer.fit(DataLoader(data, batchSize: 10, shuffle: false, seed: 1), epochs: 2)
        }
        let saved = try CheckpointStore.load(from: dir)
        #expect(saved.state.position.globalStep == 2 && saved.state.position.batch == 2)
        #expect(saved.model.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
    }
}
