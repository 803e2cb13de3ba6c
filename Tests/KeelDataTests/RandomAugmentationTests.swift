import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData

struct RandomAugmentationTests {
    static let row = Image(width: 4, height: 1, channels: 1, pixels: [1, 2, 3, 4])

    @Test func paddingModesMatchTorchvision() {
        func padded(_ mode: PaddingMode) -> [Float] { Array(Self.row.padded(2, mode: mode, fill: 9).pixels[16..<24]) }
        #expect(padded(.constant) == [9, 9, 1, 2, 3, 4, 9, 9])
        #expect(padded(.edge) == [1, 1, 1, 2, 3, 4, 4, 4])
        #expect(padded(.reflect) == [3, 2, 1, 2, 3, 4, 3, 2])
        #expect(padded(.symmetric) == [2, 1, 1, 2, 3, 4, 4, 3])
    }

    /// A one-channel image takes the affine transform's gray fast path: the same bits as the general path gives the
    /// same values as the first of three channels — rotations, shears, shifts past the border, other output sizes.
    @Test func grayAffineMatchesTheGeneralPath() {
        var g = KeelRandom(seed: 12)
        let (width, height) = (28, 23)
        let gray = (0..<(width * height)).map { _ in g.nextUniform() }
        let one = Image(width: width, height: height, channels: 1, pixels: gray)
        let three = Image(width: width, height: height, channels: 3, pixels: gray.flatMap { [$0, 1 - $0, $0 / 2] })
        let cases: [(Float, (Float, Float), Float, (Float, Float), (height: Int, width: Int)?, Float)] = [
            (12, (2, -3), 1.1, (0, 0), nil, 0), (-37.5, (0, 0), 0.9, (8, 3), nil, 0.25),
            (90, (30, 0), 1, (0, 0), nil, 1), (3, (-2.5, 4.5), 0.5, (-20, 0), (31, 17), 0), (0, (0, 0), 1, (0, 0), nil, 0),
        ]
        for (angle, translate, scale, shear, size, fill) in cases {
            let a = one.affine(angle: angle, translate: translate, scale: scale, shear: shear, fill: fill, outputSize: size)
            let b = three.affine(angle: angle, translate: translate, scale: scale, shear: shear, fill: fill, outputSize: size)
            let firstChannel = stride(from: 0, to: b.pixels.count, by: 3).map { b.pixels[$0].bitPattern }
            #expect(a.pixels.map(\.bitPattern) == firstChannel, "angle \(angle), translate \(translate), scale \(scale)")
        }
    }

    @Test func everySpecParsesAndKeepsImagesValid() throws {
        let image = try Image.read(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/augment-torchvision/input.png"))
        let specs = [
            "random-affine:degrees=15,translate=0.1,scale=0.9/1.1,shear=5", "random-hflip:p=1", "random-vflip:p=1",
            "color-jitter:brightness=0.4,contrast=0.4,saturation=0.4,hue=0.1", "random-resized-crop:size=64",
            "random-crop:size=80,padding=4,mode=reflect", "scale-jitter:min=100,max=140,size=90",
            "random-blur:kernel=5,sigma=0.5/1.5", "noise:sigma=0.05", "salt-pepper:amount=0.05", "pca-lighting:sigma=0.1",
        ]
        for spec in specs {
            let augmentation = try AugmentationPipeline.parse([spec])
            var g1 = KeelRandom(seed: 4)
            var g2 = KeelRandom(seed: 4)
            let a = augmentation.apply(image, generator: &g1, fill: 0)
            let b = augmentation.apply(image, generator: &g2, fill: 0)
            #expect(a == b, "\(spec) is not reproducible")
            #expect(a.pixels.allSatisfy { $0.isFinite && $0 >= -1e-6 && $0 <= 1 + 1e-6 }, "\(spec) left [0, 1]")
        }
        for bad in ["random-crop:padding=4", "random-crop:size=8,mode=wrap", "scale-jitter:min=10,max=5", "blur-ish", "noise:sigma=x"] {
            #expect(throws: DataError.self, "\(bad)") { try AugmentationPipeline.parse([bad]) }
        }
        var g = KeelRandom(seed: 1)
        #expect(RandomCrop(height: 50, width: 60, padding: 3).apply(image, generator: &g, fill: 0).width == 60)
        #expect(ScaleJitter(minimum: 100, maximum: 120, size: 90).apply(image, generator: &g, fill: 0).height == 90)
        let flipped = RandomApply(RandomHorizontalFlip(probability: 1), probability: 1).apply(image, generator: &g, fill: 0)
        #expect(flipped == image.flippedHorizontally())
    }

    @Test func pcaFitRecoversTheColourCovariance() {
        // Pixels spread along the direction (1, 1, 0)/√2 with σ = 0.1, tiny noise elsewhere.
        var g = KeelRandom(seed: 2)
        var pixels: [Float] = []
        for _ in 0..<5000 {
            let t = Float(g.nextNormal()) * 0.1
            let e = Float(g.nextNormal()) * 0.01
            pixels += [0.5 + t / 2.0.squareRoot().float, 0.5 + t / 2.0.squareRoot().float, 0.5 + e]
        }
        let (values, vectors) = RandomPCALighting.fit([Image(width: 5000, height: 1, channels: 3, pixels: pixels)])
        #expect(Swift.abs(values[0] - 0.01) < 0.001)
        #expect(values[0] > values[1] && values[1] >= values[2])
        let first = (0..<3).map { vectors[$0][0] }
        #expect(Swift.abs(Swift.abs(first[0]) - 0.7071) < 0.01 && Swift.abs(Swift.abs(first[1]) - 0.7071) < 0.01)
    }

    @Test func augmentedBatchesAreThreadIndependent() throws {
        let mnist = try MNIST.load(directory: MNIST.embeddedDirectory, split: .test).subset(Array(0..<40))
        let loader = DataLoader(mnist, batchSize: 20, seed: 3, augmentation: RandomAffine(degrees: 15, translate: 0.1))
        let one = withThreads(1) { loader.batch(Array(0..<20), epoch: 2).inputs.scalars }
        let two = withThreads(2) { loader.batch(Array(0..<20), epoch: 2).inputs.scalars }
        #expect(one == two)
        #expect(one != loader.batch(Array(0..<20), epoch: 3).inputs.scalars)
        #expect(one != mnist.samples(Array(0..<20)).scalars)
    }

    @Test func imageFolderLoadsOneClassPerSubfolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, value) in [("cats", Float(0.2)), ("dogs", Float(0.8))] {
            let folder = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<3 { try Image(width: 6, height: 4, channels: 3, value: value).write(to: folder.appendingPathComponent("\(i).png")) }
        }
        let data = try ImageFolder.load(directory)
        #expect(data.count == 6 && data.sampleShape == [3, 4, 6] && data.classNames == ["cats", "dogs"])
        #expect(data.labels == [0, 0, 0, 1, 1, 1])
        try Image(width: 5, height: 5, channels: 3).write(to: directory.appendingPathComponent("dogs/odd.png"))
        #expect(throws: DataError.self) { try ImageFolder.load(directory) }
        #expect(try ImageFolder.load(directory, size: (4, 6)).count == 7)
    }
}

extension Double { var float: Float { Float(self) } }
