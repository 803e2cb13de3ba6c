import ArgumentParser
import Foundation
import Keel
import KeelData
import KeelLab

/// `keel augment INPUT --op SPEC … --out OUT.png`: applies image operations in order.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Apply image operations (torchvision semantics) to a PNG/JPEG and write the result.",
        discussion: """
            Operations: brightness:factor=F, contrast:factor=F, saturation:factor=F, hue:factor=F, grayscale, hflip, vflip, \
            rotate:degrees=D, shift:dx=X,dy=Y, affine:degrees=D,dx=X,dy=Y,scale=S,shear_x=A,shear_y=B, blur:kernel=K,sigma=S, \
            scale:factor=F, resize:height=H,width=W, crop:top=T,left=L,height=H,width=W, pca-lighting:alphas=a/b/c. \
            Negative numbers need '=': --op=shift:dx=7,dy=-4.
            """)

    @Argument(help: "Input image (PNG or JPEG).") var input: String
    @Option(name: .customLong("op"), help: "An operation spec; repeat to chain.") var operations: [String] = []
    @Option(help: "Output image (.png or .jpg).") var out: String
    @Flag(help: "Instead of --op: a grid with each augmentation family applied several times (one family per row).")
    var preview = false
    @Option(help: "Seed of the random draws (random specs such as color-jitter:…, and --preview).") var seed: UInt64 = 0
    @Option(help: "Longest side of the image in the preview (it is resized first).") var previewSize = 160
    @OptionGroup var kernels: KernelOptions
    @OptionGroup var imageLimits: ImageLimitOptions

    func validate() throws {
        guard (8...4096).contains(previewSize) else { throw ValidationError("--preview-size must be in 8…4096, got \(previewSize)") }
        if preview { return }
        guard !operations.isEmpty else { throw ValidationError("give at least one --op (or --preview)") }
        for spec in operations {
            do { _ = try Self.step(spec) } catch let error as DataError { throw ValidationError(error.description) }
        }
    }

    /// A deterministic operation, or a random augmentation drawn from --seed.
    static func step(_ spec: String) throws -> (Image, inout KeelRandom) throws -> Image {
        if let operation = try? ImageOperation.parse(spec) { return { image, _ in try operation.apply(image) } }
        do {
            let random = try AugmentationPipeline.parse([spec])
            return { image, g in
                _ = try random.outputSize(height: image.height, width: image.width)
                return random.apply(image, generator: &g, fill: 0)
            }
        } catch {
            // Report the deterministic parser's complaint when the name is one of its operations.
            _ = try ImageOperation.parse(spec)
            throw error
        }
    }

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            imageLimits.apply()
            var image = try Image.read(URL(fileURLWithPath: input))
            if preview {
                let f = Float(previewSize) / Float(max(image.width, image.height))
                if f < 1 { image = image.resizedBilinear(height: max(1, Int(Float(image.height) * f)), width: max(1, Int(Float(image.width) * f))) }
                let grid = AugmentationPreview.grid(image, seed: seed)
                try grid.write(to: URL(fileURLWithPath: out))
                print("rows: " + AugmentationPreview.families.map(\.name).joined(separator: "; "))
                print("\(input) → \(out): \(grid.width)×\(grid.height) preview grid")
                return
            }
            var generator = KeelRandom(seed: seed)
            for spec in operations { image = try Self.step(spec)(image, &generator) }
            try image.write(to: URL(fileURLWithPath: out))
            print("\(input) → \(out): \(image.width)×\(image.height)×\(image.channels)")
        }
    }
}
