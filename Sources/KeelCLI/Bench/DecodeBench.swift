import ArgumentParser
import Foundation
import Keel
import KeelData

/// `keel bench decode --dataset DIR --image-size 64`: images/s of the streamed image-folder pipeline (read, decode,
/// convert, resize, normalize — what a training batch waits for), on all threads, through the DataLoader.
struct DecodeBench: Benchmark {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Images/s of an image folder's streamed pipeline: PNG/JPEG decode, resize and normalize, batch by batch.")

    @Option(help: "An image folder (one sub-folder per class).") var dataset: String
    @Option(help: "SIZE or HEIGHTxWIDTH the images are resized to.") var imageSize: String = "64"
    @Option(help: "Images per batch.") var batchSize = 64
    @Option(help: "Images to decode (default: all, at most 2,000).") var images: Int?
    @OptionGroup var common: BenchOptions

    func validate() throws {
        guard let size = DataOptions.size(imageSize), size.allSatisfy({ (1...InputLimits.maxImageSide).contains($0) }) else {
            throw ValidationError("--image-size must be SIZE or HEIGHTxWIDTH, each 1…\(InputLimits.maxImageSide), got '\(imageSize)'")
        }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be in 1…4096, got \(batchSize)") }
        if let images, !(1...1_000_000).contains(images) { throw ValidationError("--images must be in 1…1,000,000, got \(images)") }
    }

    func measure() throws {
        let size = DataOptions.size(imageSize)!
        let all = try ImageFolderDataset.list(URL(fileURLWithPath: dataset), size: (size[0], size[1]))
        let count = min(all.count, images ?? 2000)
        let dataset = all.subset(Array(0..<count)).normalized(by: Normalizer(method: .standard, shift: [0.5, 0.5, 0.5], scale: [2, 2, 2]))
        let loader = DataLoader(dataset, batchSize: batchSize, shuffle: true, seed: 1)
        let start = now()
        var decoded = 0
        for batch in loader.batches(epoch: 0) { decoded += batch.labels.count }
        let rate = Double(decoded) / (now() - start)
        if common.json {
            print(
                jsonObject([
                    ("benchmark", "decode"), ("images", decoded), ("size", "\(size[0])x\(size[1])"), ("threads", Parallel.threadCount),
                    ("images_per_second", rate),
                ]))
        } else {
            print(
                String(
                    format: "decode + resize to %d×%d, %d thread(s): %.0f images/s (%d images)", size[0], size[1], Parallel.threadCount, rate, decoded
                ))
        }
    }
}
