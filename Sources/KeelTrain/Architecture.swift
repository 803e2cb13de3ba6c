import Keel

/// The network a run trains: a model of the zoo, built for the data's shape and classes, or a model file, built as
/// written.
public enum Architecture: Equatable, Sendable {
    /// A zoo model (`keel models`), adapted to the input shape and class count.
    case zoo(ReferenceModel)
    /// A network read from a model file.
    case file(ModelFile)

    /// The zoo model's name, or the file's `name` ("model file" without one).
    public var name: String {
        switch self {
        case .zoo(let model): model.rawValue
        case .file(let file): file.displayName
        }
    }

    /// The zoo model, when this is one.
    public var zooModel: ReferenceModel? {
        if case .zoo(let model) = self { return model }
        return nil
    }

    /// Whether the network takes images [C, H, W].
    public var needsImages: Bool {
        switch self {
        case .zoo(let model): model.needsImages
        case .file(let file): file.input.count == 3
        }
    }

    /// What makes the network impossible for samples of `inputShape` and `classes` classes, or nil.
    public func problem(inputShape: [Int], classes: Int) -> String? {
        switch self {
        case .zoo(let model): model.problem(inputShape: inputShape, classes: classes)
        case .file(let file): file.problem(inputShape: inputShape, classes: classes)
        }
    }

    /// The network, freshly initialized from `generator`. `activation` and `dropout` shape a zoo model; a model file
    /// names its own. Check `problem(inputShape:classes:)` first.
    public func make(
        inputShape: [Int], classes: Int, activation: Activation = .relu, dropout: Float = 0, dropoutSeed: UInt64 = 0,
        generator: inout KeelRandom
    ) throws -> Sequential {
        switch self {
        case .zoo(let model):
            return model.make(
                inputShape: inputShape, classes: classes, activation: activation, dropout: dropout, dropoutSeed: dropoutSeed, generator: &generator)
        case .file(let file):
            return try file.make(dropoutSeed: dropoutSeed, generator: &generator)
        }
    }
}
