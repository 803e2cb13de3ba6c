import Synchronization

/// The limits Keel holds everything that comes from outside to (files, flags, specs, environment), checked
/// where the value enters so that a bad value is a one-line error instead of a trap, a huge allocation or a
/// hang. docs/RELIABILITY.md lists them with the inputs they guard.
public enum InputLimits {
    /// The longest side of an image Keel decodes or produces: 2¹⁴ = 16,384 pixels.
    public static let maxImageSide = 1 << 14
    /// The default pixel budget of one image (width × height): 2²⁸ ≈ 268 M pixels (1 GiB as RGBA bytes).
    public static let defaultMaxImagePixels = 1 << 28
    /// The most classes a dataset or a model may have.
    public static let maxClasses = 100_000
    /// The most global steps `keel schedule` evaluates.
    public static let maxScheduleSteps = 100_000_000
    /// The most bytes a gzip stream may decompress to (1 GiB; full MNIST is 47 MB): a larger one is refused
    /// as it streams, and an IDX file is refused as soon as it passes the size its header declares.
    public static let maxDecompressedBytes = 1 << 30
    /// The largest odd Gaussian-blur kernel side (its cost grows with the square of the side).
    public static let maxBlurKernel = 1023
    /// The most elements of one tensor read from a file (2³⁴ floats = 64 GiB would never fit; files are
    /// bounded by their size first — this catches shapes whose product overflows).
    public static let maxTensorElements = 1 << 34

    private static let imagePixels = Atomic<Int>(defaultMaxImagePixels)

    /// A lower pixel budget for the work of one task only (`$imagePixelBudget.withValue(…) { … }`): the fuzz
    /// targets use it, so tests running alongside keep the process-wide limit.
    @TaskLocal public static var imagePixelBudget: Int?

    /// The pixel budget of one image: `defaultMaxImagePixels` unless raised (`--max-image-pixels`), or the
    /// task's `imagePixelBudget` when it is lower.
    public static var maxImagePixels: Int {
        get {
            let global = imagePixels.load(ordering: .relaxed)
            return imagePixelBudget.map { min($0, global) } ?? global
        }
        set { imagePixels.store(max(1, newValue), ordering: .relaxed) }
    }

    /// `height × width` when both are in 1…`maxImageSide` and their product is within `maxImagePixels`;
    /// otherwise a description of what is wrong.
    public static func checkImageSize(height: Int, width: Int) -> String? {
        guard height >= 1, width >= 1 else { return "an image of \(width)×\(height) pixels has no pixels" }
        guard height <= maxImageSide, width <= maxImageSide else {
            return "an image of \(width)×\(height) pixels exceeds the limit of \(maxImageSide) pixels per side"
        }
        guard height * width <= maxImagePixels else {
            return "an image of \(width)×\(height) = \(height * width) pixels exceeds the limit of \(maxImagePixels) "
                + "(raise it with --max-image-pixels)"
        }
        return nil
    }

    /// An image side computed from untrusted numbers (`scale × side`, say), rounded, when it is finite and
    /// within 1…`maxImageSide`; nil otherwise.
    public static func imageSide(_ value: Double) -> Int? {
        guard value.isFinite, value >= 0.5, value < Double(maxImageSide) + 0.5 else { return nil }
        return Int(value.rounded())
    }
}

/// The product of `factors` (1 for none), or nil when one is negative, the product overflows `Int`, or it
/// exceeds `limit`.
public func checkedProduct(_ factors: [Int], limit: Int = .max) -> Int? {
    var product = 1
    for factor in factors {
        guard factor >= 0 else { return nil }
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        guard !overflow, next <= limit else { return nil }
        product = next
    }
    return product
}
