import ArgumentParser
import Keel

/// `--max-image-pixels N`, for commands that decode images: raises (or lowers) the pixel budget of one image.
struct ImageLimitOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Largest image (width × height) to decode or produce (default 268435456 = 2^28; " + "sides are limited to 16384).", valueName: "pixels"))
    var maxImagePixels: Int?

    func validate() throws {
        if let maxImagePixels, !(1...(InputLimits.maxImageSide * InputLimits.maxImageSide)).contains(maxImagePixels) {
            throw ValidationError("--max-image-pixels must be in 1…\(InputLimits.maxImageSide * InputLimits.maxImageSide), got \(maxImagePixels)")
        }
    }

    func apply() {
        if let maxImagePixels { InputLimits.maxImagePixels = maxImagePixels }
    }
}
