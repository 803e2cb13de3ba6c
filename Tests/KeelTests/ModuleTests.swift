import Foundation
import KeelTestSupport
import Testing

@testable import Keel

struct ModuleTests {
    static func cnn() -> Sequential {
        var g = KeelRandom(seed: 3)
        return Sequential {
            Conv2d(1, 32, kernelSize: 3, generator: &g)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Conv2d(32, 64, kernelSize: 3, generator: &g)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(1600, 128, generator: &g)
            ReLU()
            Linear(128, 10, generator: &g)
        }
    }

    @Test func stateDictNamesMatchPyTorch() {
        let model = Self.cnn()
        #expect(model.stateDict().map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"])
        #expect(model.parameterCount == 225_034)  // as PyTorch counts for the same network
        #expect(model(Tensor.zeros([2, 1, 28, 28])).shape == [2, 10])
        var g = KeelRandom(seed: 0)
        let nested = Sequential {
            Sequential { Linear(2, 3, generator: &g) }
            BatchNorm1d(3)
        }
        #expect(
            nested.stateDict().map(\.name) == [
                "0.0.weight", "0.0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            ])
        #expect(nested.namedParameters.map(\.name) == ["0.0.weight", "0.0.bias", "1.weight", "1.bias"])
    }

    @Test func loadStateDictIsStrict() {
        let model = Self.cnn()
        var values = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) })
        values["0.bias"] = nil
        values["extra.weight"] = Tensor([1])
        values["9.weight"] = Tensor.zeros([10, 127])
        let before = model.stateDict().map(\.tensor.scalars)
        do {
            try model.loadStateDict(values)
            Issue.record("expected a StateDictError")
        } catch {
            #expect(error.missing == ["0.bias"])
            #expect(error.unexpected == ["extra.weight"])
            #expect(error.mismatchedShapes == ["9.weight: checkpoint [10, 127], model [10, 128]"])
            #expect(error.description.contains("missing 0.bias"))
        }
        #expect(model.stateDict().map(\.tensor.scalars) == before)  // nothing changed
        let other = Self.cnn()
        try! other.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) }))
        #expect(other.stateDict().map(\.tensor.scalars) == before)
    }

    @Test func trainAndEvalModesReachEveryLayer() {
        let model = Sequential {
            Dropout(0.5, seed: 0)
            BatchNorm1d(4)
        }
        model.eval()
        #expect(model.allModules.allSatisfy { !$0.isTraining })
        model.train()
        #expect(model.allModules.allSatisfy { $0.isTraining })
    }

    @Test func dropoutScalesKeptUnitsAndIsReproducible() {
        let dropout = Dropout(0.25, seed: 9)
        let x = Tensor.ones([100_000])
        let y = dropout(x)
        let kept = y.greater(Tensor(0)).mean().scalar
        #expect(Swift.abs(kept - 0.75) < 0.01)
        #expect(Set(y.scalars) == [0, Float(1) / 0.75])
        #expect(Swift.abs(y.mean().scalar - 1) < 0.02)  // expectation preserved
        dropout.randomDraws = 0
        #expect(dropout(x).scalars == y.scalars)
        #expect(dropout(x).scalars != y.scalars)  // the next draw differs
        dropout.eval()
        #expect(dropout(x).scalars == x.scalars)
        let check = GradientCheck().run([randomTensor([3, 4], seed: 1)]) { v in
            dropout.train()
            dropout.randomDraws = 5
            return dropout(v[0])
        }
        #expect(check.passed)
    }

    @Test func initializersHaveTheirVariance() {
        var g = KeelRandom(seed: 1)
        let shape = [256, 128, 3, 3]  // fan_in 1152, fan_out 2304
        let fanIn = 1152.0
        let fanOut = 2304.0
        func std(_ t: Tensor) -> Double { Double(t.variance(correction: 0).scalar).squareRoot() }
        #expect(Initializer.fans(shape) == (1152, 2304))
        let d = Initializer.pytorchDefault.make(shape, generator: &g)
        #expect(Double(d.max().scalar) <= 1 / fanIn.squareRoot() && Swift.abs(std(d) - 1 / (3 * fanIn).squareRoot()) < 2e-4)
        #expect(Swift.abs(std(Initializer.kaimingNormal().make(shape, generator: &g)) - (2 / fanIn).squareRoot()) < 1e-3)
        #expect(Swift.abs(std(Initializer.kaimingUniform().make(shape, generator: &g)) - (2 / fanIn).squareRoot()) < 1e-3)
        #expect(Swift.abs(std(Initializer.kaimingNormal(fanOut: true).make(shape, generator: &g)) - (2 / fanOut).squareRoot()) < 1e-3)
        #expect(Swift.abs(std(Initializer.xavierUniform().make(shape, generator: &g)) - (2 / (fanIn + fanOut)).squareRoot()) < 1e-3)
        #expect(Swift.abs(std(Initializer.xavierNormal(gain: 2).make(shape, generator: &g)) - 2 * (2 / (fanIn + fanOut)).squareRoot()) < 1e-3)
        #expect(Initializer.zeros.make([3], generator: &g).scalars == [0, 0, 0])
        #expect(Initializer.constant(2).make([2], generator: &g).scalars == [2, 2])
    }
}

struct SafeTensorsTests {
    @Test func roundTripWithMetadata() throws {
        let tensors: [(name: String, tensor: Tensor)] = [
            ("a.weight", randomTensor([3, 4], seed: 1)), ("b", Tensor(2)),
            ("empty", Tensor.zeros([0, 3])),
        ]
        let data = try SafeTensors.encode(tensors, metadata: ["format": "pt"])
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        let decoded = try SafeTensors.decode(data)
        #expect(decoded.order == ["a.weight", "b", "empty"])
        #expect(decoded.metadata == ["format": "pt"])
        #expect(decoded.tensors["a.weight"]!.scalars == tensors[0].tensor.scalars)
        #expect(decoded.tensors["b"]!.shape == [])
        #expect(decoded.tensors["empty"]!.shape == [0, 3])
    }

    @Test func readsOtherDtypes() throws {
        // A file with F64 and I64 entries, as PyTorch writes for double tensors and num_batches_tracked.
        let header = #"{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"i":{"dtype":"I64","shape":[],"data_offsets":[16,24]}}"#
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        for v in [1.5, -2.25] {
            var bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
        }
        var seven = Int64(7).littleEndian
        withUnsafeBytes(of: &seven) { data.append(contentsOf: $0) }
        let decoded = try SafeTensors.decode(data)
        #expect(decoded.tensors["d"]!.scalars == [1.5, -2.25])
        #expect(decoded.tensors["i"]!.scalars == [7])
    }

    @Test func damagedFilesGiveClearErrors() throws {
        let good = try SafeTensors.encode([("w", Tensor([1, 2, 3]))])
        func problem(_ data: Data) -> String {
            do {
                _ = try SafeTensors.decode(data, path: "m.safetensors")
                return ""
            } catch { return "\(error)" }
        }
        #expect(problem(Data([1, 2])).contains("too short"))
        #expect(problem(good.dropLast(4)).contains("do not fit"))
        var hugeHeader = good
        hugeHeader[0] = 0xFF
        hugeHeader[1] = 0xFF
        hugeHeader[2] = 0xFF
        #expect(problem(hugeHeader).contains("exceeds the file size"))
        var notJSON = good
        notJSON[8] = UInt8(ascii: "x")
        #expect(problem(notJSON).contains("not a JSON object"))
        #expect(problem(good.dropLast(4)).hasPrefix("m.safetensors: "))
    }

    @Test func atomicWriteReplacesWholeFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("w.safetensors")
        try SafeTensors.write([("w", Tensor([1]))], to: url)
        try SafeTensors.write([("w", Tensor([2, 3]))], to: url)
        #expect(try SafeTensors.read(url).tensors["w"]!.scalars == [2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["w.safetensors"])  // no leftovers
    }
}
