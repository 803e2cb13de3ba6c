import Foundation
import Keel

/// Where a run's data comes from: an MNIST-format folder or a CSV table.
public enum DataSource: Equatable, Sendable, Codable {
    case images(directory: String)
    case table(path: String, labelColumn: String?)
    /// One sub-folder of PNG/JPEG images per class.
    case imageFolder(directory: String)
    /// A CIFAR-10 or CIFAR-100 binary folder.
    case cifar(directory: String)

    /// "mnist-5k", "wine", "iris", "digits", a folder (MNIST format, CIFAR binary or one sub-folder of images per
    /// class) or a .csv/.csv.gz file.
    public static func named(_ name: String, labelColumn: String? = nil) throws -> DataSource {
        if name == "mnist-5k" { return .images(directory: MNIST.embeddedDirectory.path) }
        if let table = EmbeddedTable(rawValue: name) { return .table(path: table.url.path, labelColumn: labelColumn) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) else {
            throw DataError(
                path: name,
                problem:
                    "dataset not found (expected mnist-5k, wine, iris, digits, diabetes, an MNIST-format folder, a CIFAR binary folder, an image folder or a CSV file)"
            )
        }
        guard isDirectory.boolValue else { return .table(path: name, labelColumn: labelColumn) }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: name)) ?? []
        if files.contains(where: { $0.hasPrefix("train-images-idx3-ubyte") }) { return .images(directory: name) }
        if CIFAR.variant(of: URL(fileURLWithPath: name)) != nil { return .cifar(directory: name) }
        return .imageFolder(directory: name)
    }

    /// Whether the source is a CSV table (else images).
    public var isTable: Bool { if case .table = self { return true } else { return false } }

    /// The folder or file.
    public var path: String {
        switch self {
        case .images(let directory): return directory
        case .table(let path, _): return path
        case .imageFolder(let directory): return directory
        case .cifar(let directory): return directory
        }
    }
}

/// A run's data, split and normalized: the normalizer is fitted on the training split only and applied
/// unchanged to the validation and test splits.
public struct PreparedData: Sendable {
    /// The training split, normalized.
    public var train: any Dataset
    /// The validation split, normalized, when a fraction was held out.
    public var validation: (any Dataset)?
    /// The test split, normalized.
    public var test: any Dataset
    /// The normalizer fitted on the training split.
    public var normalizer: Normalizer
    /// The test split before normalization (what `keel predict` receives).
    public var rawTest: any Dataset
    /// The training split before normalization (what augmentation works on).
    public var rawTrain: any Dataset
    /// For regression: the standardization of the targets fitted on the training split (the splits' targets are
    /// standardized with it; `rawTest` keeps them in their units).
    public var targetScaler: TargetScaler?

    /// What the network must output per sample: the number of target columns (regression) or of classes.
    public var outputCount: Int { train.targets?.shape[1] ?? train.classCount }

    /// Loads, splits and normalizes. Images keep their own test split; a table's test split is
    /// `testFraction` of its rows (stratified, by `seed`). `validationFraction` of the training rows are held
    /// out for validation. With `normalizer` given (a resumed or saved model), it is used as is after a fit check.
    /// `imageSize` resizes (bilinear) every image of an image folder on load; images of other sizes need it. An image
    /// folder is streamed (`ImageFolderDataset`: decoded batch by batch, `imageCacheBytes` of decoded images kept),
    /// its normalizer fitted in one pass over the training files.
    public static func prepare(
        _ source: DataSource, normalize: Normalizer.Method, validationFraction: Double,
        testFraction: Double = 0.2, seed: UInt64, normalizer given: Normalizer? = nil, imageSize: (height: Int, width: Int)? = nil,
        task: LearningTask = .classification, targetScaler givenScaler: TargetScaler? = nil, imageCacheBytes: Int = 0
    ) throws -> PreparedData {
        if task == .regression && !source.isTable {
            throw DataError(path: source.path, problem: "regression needs a CSV table with a numeric target column")
        }
        if case .imageFolder(let directory) = source {
            let all = try ImageFolderDataset.list(URL(fileURLWithPath: directory), size: imageSize, cacheBytes: imageCacheBytes)
            return try streamed(
                all, normalize: normalize, validationFraction: validationFraction, testFraction: testFraction, seed: seed, normalizer: given)
        }
        var train: TensorDataset
        var test: TensorDataset
        switch source {
        case .images(let directory):
            let url = URL(fileURLWithPath: directory)
            train = try MNIST.load(directory: url, split: .train)
            test = try MNIST.load(directory: url, split: .test)
        case .cifar(let directory):
            let url = URL(fileURLWithPath: directory)
            train = try CIFAR.load(directory: url, split: .train)
            test = try CIFAR.load(directory: url, split: .test)
        case .table(let path, let labelColumn):
            let label: CSVTable.LabelColumn = labelColumn.map { Int($0).map(CSVTable.LabelColumn.index) ?? .name($0) } ?? .last
            let url = URL(fileURLWithPath: path)
            let table = try task == .regression ? CSVTable.loadRegression(url, target: label) : CSVTable.load(url, label: label)
            let parts = table.split(validation: 0, test: testFraction, seed: seed, stratified: task == .classification)
            train = parts.train
            test = parts.test
        case .imageFolder:
            preconditionFailure("image folders are streamed")
        }
        var validation: TensorDataset?
        if validationFraction > 0 {
            let parts = train.split(validation: validationFraction, test: 0, seed: seed ^ 0x7A11, stratified: task == .classification)
            train = parts.train
            validation = parts.validation
        }
        let normalizer = try given ?? Normalizer.fit(normalize, on: train.features)
        try normalizer.check(fits: train.features.shape, source: source.path)
        let scaler = task == .regression ? givenScaler ?? train.targets.map(TargetScaler.fit) : nil
        func prepared(_ split: TensorDataset) -> TensorDataset {
            let normalized = split.mapFeatures(normalizer.apply)
            return scaler.map { scaler in normalized.mapTargets(scaler.apply) } ?? normalized
        }
        return PreparedData(
            train: prepared(train), validation: validation.map(prepared), test: prepared(test), normalizer: normalizer, rawTest: test,
            rawTrain: train, targetScaler: scaler)
    }

    /// An image folder split as a table would be (stratified test split, then the validation split of the rest),
    /// every file decoded once to check it and to fit the normalizer on the training files; the splits stream.
    static func streamed(
        _ all: ImageFolderDataset, normalize: Normalizer.Method, validationFraction: Double, testFraction: Double, seed: UInt64,
        normalizer given: Normalizer?
    ) throws -> PreparedData {
        let top = all.splitIndices(validation: 0, test: testFraction, seed: seed, stratified: true)
        var (trainIndices, validationIndices) = (top.train, [Int]())
        if validationFraction > 0 {
            let inner = all.subset(trainIndices).splitIndices(validation: validationFraction, test: 0, seed: seed ^ 0x7A11, stratified: true)
            (trainIndices, validationIndices) = (inner.train.map { trainIndices[$0] }, inner.validation.map { trainIndices[$0] })
        }
        let statistics = try all.scan(statisticsOver: trainIndices)
        let normalizer = try given ?? Normalizer.fit(normalize, statistics: statistics)
        try normalizer.check(fits: [1] + all.sampleShape, source: all.files.first?.deletingLastPathComponent().path ?? "image folder")
        let (rawTrain, rawTest) = (all.subset(trainIndices), all.subset(top.test))
        return PreparedData(
            train: rawTrain.normalized(by: normalizer),
            validation: validationFraction > 0 ? all.subset(validationIndices).normalized(by: normalizer) : nil,
            test: rawTest.normalized(by: normalizer), normalizer: normalizer, rawTest: rawTest, rawTrain: rawTrain, targetScaler: nil)
    }
}
