import Foundation
import Keel
import KeelData
import KeelTrain

/// One reader under fuzzing: valid seed inputs, and the call that must either succeed or throw — never trap,
/// never allocate without bound, never hang.
public struct FuzzTarget: Sendable {
    /// The target's name ("csv", "run-config", …), also its corpus folder's.
    public let name: String
    /// Text formats get number-aware mutations too.
    public let isText: Bool
    /// Valid inputs that mutations start from.
    public let seeds: @Sendable () throws -> [[UInt8]]
    /// The reader under test: it must return or throw, for any bytes.
    public let read: @Sendable ([UInt8]) throws -> Void

    /// A target from its seeds and its reader.
    public init(name: String, isText: Bool, seeds: @escaping @Sendable () throws -> [[UInt8]], read: @escaping @Sendable ([UInt8]) throws -> Void) {
        self.name = name
        self.isText = isText
        self.seeds = seeds
        self.read = read
    }
}

extension FuzzTarget {
    /// Every reader of files, specs and configs that comes from outside.
    public static let all: [FuzzTarget] = [
        idx, gzip, csv, regressionCSV, cifar, safetensors, modelJSON, checkpointState, runConfiguration, modelFile, png, jpeg,
        imageOperation, augmentation, schedule, activation,
    ]

    /// The target named `name`, if any.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    static let idx = FuzzTarget(
        name: "idx", isText: false,
        seeds: {
            let images = try IDX.read(MNIST.embeddedDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
            let labels = try IDX.read(MNIST.embeddedDirectory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
            return [
                [UInt8](IDX.encode(shape: [8, 28, 28], bytes: Array(images.bytes.prefix(8 * 784)))),
                [UInt8](IDX.encode(shape: [8], bytes: Array(labels.bytes.prefix(8)))),
            ]
        }, read: { bytes in _ = try IDX.decode(Data(bytes), path: "fuzz.idx") })

    static let gzip = FuzzTarget(
        name: "gzip", isText: false,
        seeds: {
            [
                [UInt8](try Data(contentsOf: MNIST.embeddedDirectory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))),
                [UInt8](try Data(contentsOf: EmbeddedTable.digits.url)),
            ]
        },
        read: { bytes in
            // Both gzip readers see every mutant.
            do { _ = try IDX.decode(Data(bytes), path: "fuzz.idx.gz") } catch {}
            _ = try CSVTable.decode(Data(bytes), path: "fuzz.csv.gz")
        })

    static let csv = FuzzTarget(
        name: "csv", isText: true,
        seeds: {
            [
                [UInt8](try Data(contentsOf: EmbeddedTable.iris.url)),
                Array("a,b,label\n1,2,x\n3,4,y\n\"q,1\",5,x\n".utf8),
            ]
        }, read: { bytes in _ = try CSVTable.decode(Data(bytes), path: "fuzz.csv") })

    /// Regression tables (`--task regression`): the CSV parser with a numeric target column.
    static let regressionCSV = FuzzTarget(
        name: "regression-csv", isText: true,
        seeds: { [[UInt8](try Data(contentsOf: EmbeddedTable.diabetes.url)), Array("x,y\n1,2.5\n-3,1e3\n4,0\n".utf8)] },
        read: { bytes in
            let table = try CSVTable.parseRegression(String(decoding: bytes, as: UTF8.self), path: "fuzz.csv")
            if let targets = table.targets { _ = TargetScaler.fit(targets).apply(targets) }
        })

    static let safetensors = FuzzTarget(
        name: "safetensors", isText: false,
        seeds: {
            var g = KeelRandom(seed: 1)
            let model = ReferenceModel.mlp.make(inputShape: [4], classes: 3, generator: &g)
            return [[UInt8](try SafeTensors.encode(model.stateDict(), metadata: ["format": "pt"]))]
        },
        read: { bytes in
            let decoded = try SafeTensors.decode(Data(bytes), path: "fuzz.safetensors")
            var g = KeelRandom(seed: 1)
            try ReferenceModel.mlp.make(inputShape: [4], classes: 3, generator: &g).loadStateDict(decoded.tensors)
        })

    static let modelJSON = FuzzTarget(
        name: "model-json", isText: true,
        seeds: {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let description = ModelDescription(
                model: "cnn", inputShape: [1, 28, 28], classes: 10,
                normalizer: Normalizer(method: .standard, shift: [0.13], scale: [3.2]),
                dataset: "mnist-5k", activation: "leaky_relu:0.1", labelColumn: nil, seed: 3,
                classNames: (0..<10).map(String.init), dropout: 0.5)
            return [[UInt8](try encoder.encode(description))]
        },
        read: { bytes in
            let description = try ModelDescription.decode(Data(bytes), path: "model.json")
            var g = KeelRandom(seed: 1)
            // Building the model is part of reading it: the description's sizes must be safe to allocate.
            _ =
                ReferenceModel(rawValue: description.model)!.make(
                    inputShape: description.inputShape, classes: description.classes,
                    activation: try Activation.parse(description.activation),
                    dropout: description.dropout, generator: &g
                ).parameterCount
        })

    static let checkpointState = FuzzTarget(
        name: "checkpoint-state", isText: true,
        seeds: {
            var history = History()
            for i in 0..<3 {
                history.iterations.append(
                    IterationRecord(
                        epoch: 0, iteration: i, globalStep: i, loss: 2.3 - Float(i) * 0.1, accuracy: 0.1,
                        learningRate: 0.05, batchSize: 64, seconds: 0.01))
            }
            history.epochs.append(
                EpochRecord(
                    epoch: 0, globalStep: 3, trainLoss: 2.2, trainAccuracy: 0.1, validationLoss: 2.1,
                    validationAccuracy: 0.2, learningRate: 0.05, seconds: 0.03))
            var position = TrainingPosition()
            (position.epoch, position.batch, position.globalStep) = (1, 0, 3)
            let state = CheckpointState(
                modelName: "mlp", shapes: ["1.weight": [256, 784], "1.bias": [256]], position: position,
                optimizerStepCount: 3, randomStates: ["5": [7, 12]],
                normalizer: Normalizer(method: .minmax, shift: [0], scale: [1]), history: history,
                configuration: runConfigurationSample)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return [[UInt8](try encoder.encode(state))]
        },
        read: { bytes in
            let state = try CheckpointState.decode(Data(bytes), path: "state.json")
            _ = history(state.history)
        })

    /// A configuration with every section set, as a seed for the checkpoint and config.yaml targets.
    static var runConfigurationSample: RunConfiguration {
        var c = RunConfiguration()
        (c.model.architecture, c.model.activation, c.model.dropout) = (.mlp, "leaky_relu:0.1", 0.25)
        (c.optimizer.name, c.optimizer.learningRate, c.optimizer.weightDecay) = (.adamw, 0.003, 0.01)
        (c.schedule, c.augment, c.epochs, c.batchSize, c.seed) = ("cosine_decay:decay_steps=100", ["random-hflip:p=0.5"], 3, 32, 9)
        (c.data.validationFraction, c.data.labelColumn, c.threads) = (0.1, "label", 2)
        (c.plateau, c.checkpoint.every, c.diagnostics) = (.init(factor: 0.5, patience: 3), 10, true)
        return c
    }

    static let runConfiguration = FuzzTarget(
        name: "run-config", isText: true,
        seeds: {
            [
                Array(try runConfigurationSample.yaml().utf8), Array(try RunConfiguration().yaml().utf8),
                Array("epochs: 2\nmodel: {architecture: cnn}\naugment: [random-hflip, 'noise:sigma=0.1']\n".utf8),
            ]
        },
        read: { bytes in
            let configuration = try RunConfiguration.decode(yaml: String(decoding: bytes, as: UTF8.self))
            _ = try configuration.learningRateSchedule()
            _ = try configuration.yaml()
        })

    /// Model files (`keel train --model FILE.yaml`): read, checked, written back; built when small.
    static let modelFile = FuzzTarget(
        name: "model-file", isText: true,
        seeds: {
            var g = KeelRandom(seed: 0)
            var seeds = [[UInt8]]()
            for zoo in [ReferenceModel.cnn, .resnet20, .mobilenetTiny] {
                let network = zoo.make(inputShape: zoo.typicalInputShape, classes: 10, dropout: 0.5, generator: &g)
                seeds.append(Array(try ModelFile(describing: network, input: zoo.typicalInputShape, name: zoo.rawValue).yaml().utf8))
            }
            seeds.append(
                Array(
                    """
                    input: [3, 9, 7]
                    layers:
                    - conv2d: {in: 3, out: 4, kernel: [3, 1], padding: same, groups: 1}
                    - groupnorm: {groups: 2, channels: 4}
                    - maxpool2d: {kernel: 2, ceil_mode: true}
                    - residual: {body: [leaky_relu:0.1, {avgpool2d: {kernel: 3, stride: 1, padding: 1}}]}
                    - layernorm: {shape: [5, 4]}
                    - adaptive_avg_pool2d: {size: [1, 2]}
                    - flatten
                    - batchnorm1d: {features: 8}
                    - dropout: {p: 0.1}
                    - linear: {in: 8, out: 2}

                    """.utf8))
            return seeds
        },
        read: { bytes in
            let file = try ModelFile.decode(yaml: String(decoding: bytes, as: UTF8.self))
            _ = try file.yaml()
            // Building allocates the weights and a forward pass the activations: only for small networks.
            let checked = try file.check()
            if checked.parameters <= 1 << 16 && checked.largestActivation <= 1 << 16 {
                var g = KeelRandom(seed: 0)
                let network = try file.make(generator: &g)
                network.eval()
                _ = network(Tensor.zeros([1] + file.input))
            }
        })

    static let cifar = FuzzTarget(
        name: "cifar", isText: false,
        seeds: {
            let record = { (label: UInt8) in [label] + (0..<3072).map { UInt8($0 % 251) } }
            return [record(3) + record(9)]
        },
        read: { bytes in
            // Both layouts see every input (a crash in either is caught); the input counts as read when one takes it.
            let asCIFAR100 = try? CIFAR.decode(bytes, variant: .cifar100, path: "train.bin")
            do { _ = try CIFAR.decode(bytes, variant: .cifar10, path: "data_batch_1.bin") } catch { if asCIFAR100 == nil { throw error } }
        })

    /// What `keel train` writes from a resumed history.
    static func history(_ h: History) -> Int { h.epochsCSV().count + h.iterationsCSV().count }

    static let png = FuzzTarget(
        name: "png", isText: false,
        seeds: {
            [
                [UInt8](try sampleImage(channels: 3).pngData()), [UInt8](try sampleImage(channels: 1).pngData()),
                [UInt8](try sampleImage(channels: 4).pngData()),
            ]
        }, read: { bytes in _ = try Image.decode(Data(bytes), path: "fuzz.png") })

    static let jpeg = FuzzTarget(
        name: "jpeg", isText: false,
        seeds: {
            [[UInt8](try sampleImage(channels: 3).jpegData()), [UInt8](try sampleImage(channels: 1).jpegData())]
        }, read: { bytes in _ = try Image.decode(Data(bytes), path: "fuzz.jpg") })

    static func sampleImage(channels: Int) -> Image {
        Image(width: 13, height: 9, channels: channels, pixels: (0..<(13 * 9 * channels)).map { Float($0 % 17) / 16 })
    }

    static let imageOperation = FuzzTarget(
        name: "image-operation", isText: true,
        seeds: {
            [
                "brightness:factor=1.3", "contrast:factor=0.5", "saturation:factor=2", "hue:factor=-0.2", "grayscale", "hflip", "vflip",
                "rotate:degrees=30,expand=1", "center-crop:height=5,width=7", "shift:dx=3,dy=-2",
                "affine:degrees=10,dx=1,dy=2,scale=1.2,shear_x=5,shear_y=3", "blur:kernel=5,sigma=1.2", "scale:factor=1.5",
                "resize:height=7,width=11,interpolation=nearest", "resize:height=4,width=6,antialias=1", "crop:top=1,left=2,height=5,width=6",
                "pca-lighting:alphas=0.1/-0.05/0.02",
            ].map { Array($0.utf8) }
        },
        read: { bytes in
            let op = try ImageOperation.parse(String(decoding: bytes, as: UTF8.self))
            // Applied to a small image; its result stays within the fuzz runner's pixel budget (checked by `apply`).
            _ = try op.apply(sampleImage(channels: 3))
        })

    static let augmentation = FuzzTarget(
        name: "augmentation", isText: true,
        seeds: {
            [
                "random-affine:degrees=15,translate=0.1,scale=0.9/1.1,shear=5", "random-hflip:p=0.5", "random-vflip:p=0.3",
                "color-jitter:brightness=0.4,contrast=0.4,saturation=0.4,hue=0.1", "random-resized-crop:size=8,scale=0.5/1",
                "noise:sigma=0.05,mean=0.1", "random-crop:size=8,padding=2,mode=reflect", "random-crop:size=16,pad_if_needed=1",
                "scale-jitter:min=9,max=14,size=8", "random-blur:kernel=3,sigma=0.1/2", "salt-pepper:amount=0.05",
                "pca-lighting:sigma=0.1",
            ].map { Array($0.utf8) }
        },
        read: { bytes in
            let pipeline = try AugmentationPipeline.parse([String(decoding: bytes, as: UTF8.self)])
            let image = sampleImage(channels: 3)
            _ = try pipeline.outputSize(height: image.height, width: image.width)
            var g = KeelRandom(seed: 5)
            _ = pipeline.apply(image, generator: &g, fill: 0)
        })

    static let schedule = FuzzTarget(
        name: "schedule", isText: true,
        seeds: {
            [
                "exponential_decay:decay_steps=100,decay_rate=0.5,staircase=true", "natural_exp_decay:decay_steps=10,decay_rate=0.1",
                "inverse_time_decay:decay_steps=10,decay_rate=0.5", "polynomial_decay:decay_steps=100,end_learning_rate=0.01,power=2,cycle=true",
                "cosine_decay:decay_steps=100,alpha=0.1", "cosine_decay_restarts:first_decay_steps=10,t_mul=2,m_mul=0.9,alpha=0.01",
                "linear_cosine_decay:decay_steps=100,num_periods=2,alpha=0.1,beta=0.01",
                "noisy_linear_cosine_decay:decay_steps=100,initial_variance=1,variance_decay=0.55,seed=3",
                "piecewise_constant:boundaries=30/60,values=0.1/0.01/0.001", "step:step_size=10,gamma=0.5", "multistep:milestones=3/7,gamma=0.1",
                "exponential:gamma=0.9", "cosine_annealing:t_max=50,eta_min=0.001", "cosine_annealing_warm_restarts:t_0=10,t_mult=2",
                "cyclic:max_lr=0.1,step_size_up=5,step_size_down=7,mode=exp_range,gamma=0.99",
                "one_cycle:max_lr=0.1,total_steps=100,pct_start=0.3,anneal_strategy=linear,three_phase=true",
                "polynomial:total_iters=10,power=2", "linear:start_factor=0.5,end_factor=1,total_iters=10",
                "cosine_decay:decay_steps=100,warmup_steps=10,warmup_start_factor=0.1",
            ].map { Array($0.utf8) }
        },
        read: { bytes in
            let schedule = try Schedule.parse(String(decoding: bytes, as: UTF8.self), defaultLearningRate: 0.1)
            for step in [0, 1, 7, 99, 100, 101, 12_345, 1 << 40, Int.max] { _ = schedule.learningRate(at: step) }
        })

    static let activation = FuzzTarget(
        name: "activation", isText: true,
        seeds: {
            ["relu", "leaky_relu:0.2", "elu:1.5", "celu:0.5", "softplus:2", "gelu", "silu", "mish", "hardswish", "logsigmoid"].map { Array($0.utf8) }
        },
        read: { bytes in
            let activation = try Activation.parse(String(decoding: bytes, as: UTF8.self))
            _ = activation.apply(to: Tensor([-1e4, -88.7, -1, 0, Float.leastNormalMagnitude / 4, 1, 88.7, 1e4]))
        })
}
