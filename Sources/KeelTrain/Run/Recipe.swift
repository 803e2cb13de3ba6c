import Keel

/// A training recipe: what a run uses for the settings its configuration leaves open — epochs, dropout,
/// augmentation and the learning-rate schedule (and, for regression, the learning rate and weight decay).
///
/// `Recipe.default` is the recipe behind `keel train`'s headline accuracy for the CNN on images: random affine
/// augmentation, dropout 0.5 and a one-cycle schedule up to the learning rate over 25 epochs. It applies only
/// when none of the four is set; setting any of them is a plain run (`Recipe.plain`) with only what is set.
/// `Recipe.regression` is the default of a regression run on a table: 100 epochs with L2 weight decay 0.1 (and
/// SGD's rate lowered to 0.01) — on a few hundred rows an MLP otherwise overfits within a few epochs.
public struct Recipe: Equatable, Sendable {
    /// Passes over the training set.
    public var epochs: Int
    /// Dropout before the last layer.
    public var dropout: Float
    /// Random augmentation specs, in order.
    public var augment: [String]
    /// The learning rate's shape over the run.
    public var schedule: ScheduleShape
    /// The architectures it is for (augmentation needs images); others run plain.
    public var architectures: Set<ReferenceModel>
    /// L2 weight decay, when the configuration leaves it open.
    public var weightDecay: Float = 0
    /// SGD's learning rate, when the configuration leaves it open (nil: the optimizer's default).
    public var sgdLearningRate: Float?

    /// The learning rate over the run.
    public enum ScheduleShape: Equatable, Sendable {
        /// The learning rate throughout.
        case constant
        /// PyTorch's OneCycleLR up to the learning rate over all iterations of the run.
        case oneCycle

        /// The schedule spec (`Schedule.parse`) for a peak learning rate and the run's iterations; nil when constant.
        public func spec(learningRate: Float, totalSteps: Int) -> String? {
            switch self {
            case .constant: nil
            case .oneCycle: "one_cycle:max_lr=\(learningRate),total_steps=\(totalSteps)"
            }
        }
    }

    /// A recipe's name in a run configuration.
    public enum Name: String, NamedChoice, Sendable {
        /// `Recipe.default` for the CNN, plain otherwise.
        case `default`
        /// Only what the configuration sets: 10 epochs, no dropout, no augmentation and a constant rate otherwise.
        case plain
    }

    /// Random affine (±12°, ±10 % shifts, 0.9–1.1 scale), dropout 0.5, one-cycle to the learning rate, 25 epochs.
    public static let `default` = Recipe(
        epochs: 25, dropout: 0.5, augment: ["random-affine:degrees=12,translate=0.1,scale=0.9/1.1"],
        schedule: .oneCycle, architectures: [.cnn])

    /// Regression on a table: 100 epochs, weight decay 0.1, SGD at 0.01, no dropout, a constant rate.
    public static let regression = Recipe(
        epochs: 100, dropout: 0, augment: [], schedule: .constant, architectures: [.mlp], weightDecay: 0.1, sgdLearningRate: 0.01)

    /// 10 epochs, no dropout, no augmentation, a constant learning rate.
    public static let plain = Recipe(
        epochs: 10, dropout: 0, augment: [], schedule: .constant,
        architectures: Set(ReferenceModel.allCases))
}

extension RunConfiguration {
    /// Whether any of the settings a recipe decides (epochs, dropout, augmentation, schedule) is set.
    public var setsRecipeFields: Bool { epochs != nil || model.dropout != nil || augment != nil || schedule != nil }

    /// This configuration with every open field decided: the architecture (`architecture`, from the data), the
    /// learning rate (the optimizer's default), and epochs, dropout, augmentation and schedule from the recipe
    /// (`trainingSamples` gives the schedule's total steps). Resolving a resolved configuration changes nothing.
    public func resolved(architecture: Architecture, trainingSamples: Int) -> RunConfiguration {
        var c = self
        if model.network == nil { c.model.architecture = model.architecture ?? architecture.zooModel }
        let opensRegression =
            data.task == .regression && recipe == .default && !setsRecipeFields && optimizer.learningRate == nil && optimizer.weightDecay == nil
        let useDefault =
            recipe == .default && !setsRecipeFields && c.model.architecture.map { Recipe.default.architectures.contains($0) } == true
        let fill = opensRegression ? Recipe.regression : useDefault ? Recipe.default : Recipe.plain
        c.optimizer.learningRate = optimizer.name == .sgd ? optimizer.learningRate ?? fill.sgdLearningRate ?? learningRate : learningRate
        c.optimizer.weightDecay = optimizer.weightDecay ?? fill.weightDecay
        c.epochs = epochs ?? fill.epochs
        c.model.dropout = model.dropout ?? fill.dropout
        c.augment = augment ?? fill.augment
        if schedule == nil {
            let iterationsPerEpoch = (trainingSamples + batchSize - 1) / batchSize
            c.schedule = fill.schedule.spec(learningRate: learningRate, totalSteps: c.epochs! * iterationsPerEpoch)
        }
        return c
    }

    /// Why the default recipe is off although `recipe` asks for it (a CNN run that sets one of its fields), or nil.
    public func recipeNote(architecture: Architecture) -> String? {
        guard recipe == .default, setsRecipeFields, let zoo = architecture.zooModel, Recipe.default.architectures.contains(zoo) else {
            return nil
        }
        let given = [
            ("epochs", epochs != nil), ("augment", augment != nil), ("schedule", schedule != nil),
            ("dropout", model.dropout != nil),
        ].filter(\.1).map(\.0)
        return "\(given.joined(separator: ", ")) set, so the default recipe (augmentation, dropout 0.5, one-cycle over "
            + "25 epochs) is off; only the settings given apply (recipe: plain says so explicitly)"
    }
}
