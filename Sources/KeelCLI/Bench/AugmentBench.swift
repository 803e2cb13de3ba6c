import ArgumentParser
import Keel
import KeelData

enum AugmentPipeline: String, ExpressibleByArgument, CaseIterable { case imagenet, mnist }

/// `keel bench augment --pipeline imagenet|mnist`: augmented images per second.
struct AugmentBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Images/s of (imagenet) random-resized-crop 224 + hflip + color jitter on a 640×427 photo, or (mnist) random affine on 28×28.")

    @Option(help: "imagenet or mnist.") var pipeline: AugmentPipeline = .imagenet
    @OptionGroup var common: BenchOptions
    @Option(help: "Seconds to measure.") var seconds: Double = 3

    func validate() throws {
        guard seconds > 0 && seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600], got \(seconds)") }
    }

    func measure() throws {
        let t = Parallel.threadCount
        let image: Image
        let augmentation: any RandomAugmentation
        switch pipeline {
        case .imagenet:
            image = try Image.read(EmbeddedPhoto.flower)
            augmentation = AugmentationPipeline([
                RandomResizedCrop(size: 224), RandomHorizontalFlip(),
                ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
            ])
        case .mnist:
            let train = try MNIST.load(directory: MNIST.embeddedDirectory, split: .test)
            image = Image(tensor: train.samples([0]).reshaped([1, 28, 28]))
            augmentation = RandomAffine(degrees: 15, translate: 0.1, scale: 0.9...1.1)
        }
        let batch = 32
        func round(_ r: Int) {
            Parallel.forEach(batch) { i in
                var g = KeelRandom(seed: 1, stream: [UInt64(r), UInt64(i)])
                _ = augmentation.apply(image, generator: &g, fill: 0)
            }
        }
        for r in 0..<2 { round(r) }
        var best = 0.0
        for _ in 0..<3 {
            var rounds = 0
            let start = now()
            while now() - start < seconds / 3 {
                round(rounds)
                rounds += 1
            }
            best = max(best, Double(rounds * batch) / (now() - start))
        }
        if common.json {
            print(jsonObject([("benchmark", "augment"), ("pipeline", pipeline.rawValue), ("threads", t), ("images_per_second", best)]))
        } else {
            print(String(format: "augment %@, %d thread(s): %.0f images/s", pipeline.rawValue, t, best))
        }
    }
}
