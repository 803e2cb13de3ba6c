// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Keel",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Keel", targets: ["Keel"]),
        .library(name: "KeelData", targets: ["KeelData"]),
        .library(name: "KeelTrain", targets: ["KeelTrain"]),
        .library(name: "KeelLab", targets: ["KeelLab"]),
        .library(name: "KeelDistributed", targets: ["KeelDistributed"]),
        .executable(name: "keel", targets: ["KeelCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // TensorBoard's event records (Sources/KeelTrain/TensorBoard: generated code, committed).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // `swift package generate-documentation` (the DocC catalog in Sources/Keel/Keel.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.0.0"),
    ],
    targets: [
        // The few innermost SIMD loops (GEMM micro-kernels, packing, im2col/col2im, exp/log), with run-time CPU dispatch.
        .target(name: "CKeelKernels"),
        // zlib, for gzipped datasets (Debian: zlib1g-dev; macOS: part of the SDK).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // The system's libpng and libjpeg(-turbo), found through pkg-config.
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        // PNG and JPEG glue over them (libjpeg's errors returned as messages instead of exit()).
        .target(name: "CKeelImageIO", dependencies: ["CLibPNG", "CLibJPEG"]),
        // Tensor, autograd, kernels' Swift wrappers and threading, layers, losses, optimizers, safetensors.
        .target(name: "Keel", dependencies: ["CKeelKernels"]),
        // Process groups for data-parallel training: the Communicator protocol, Open MPI loaded at run time, the summation tree.
        .target(name: "KeelDistributed", dependencies: ["Keel"]),
        // Datasets, the DataLoader, input normalization; the embedded MNIST-5k.
        .target(
            name: "KeelData", dependencies: ["Keel", "CZlib", "CKeelImageIO"],
            resources: [.copy("Resources/mnist-5k"), .copy("Resources/tabular"), .copy("Resources/photos")]),
        // Run configurations (config.yaml through Yams), the Trainer, history, callbacks, checkpoints, progress, TensorBoard logs.
        .target(
            name: "KeelTrain",
            dependencies: [
                "Keel", "KeelData", "KeelDistributed", .product(name: "Yams", package: "Yams"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Studies, SVG charts and HTML reports.
        .target(name: "KeelLab", dependencies: ["Keel", "KeelData", "KeelTrain", "KeelDistributed"]),
        // Fuzz targets for every reader (mutation engine, crash capture); used by the tests, not a product.
        .target(name: "KeelFuzz", dependencies: ["Keel", "KeelData", "KeelTrain"]),
        // The command-line lab (the `keel` command).
        .executableTarget(
            name: "KeelCLI",
            dependencies: [
                "Keel", "KeelData", "KeelTrain", "KeelLab", "KeelDistributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets (temporary folders, thread counts, expected errors).
        .target(name: "KeelTestSupport", dependencies: ["Keel"], path: "Tests/KeelTestSupport"),
        .testTarget(name: "KeelTests", dependencies: ["Keel", "CKeelKernels", "KeelTestSupport"]),
        .testTarget(name: "KeelDataTests", dependencies: ["KeelData", "KeelTestSupport"]),
        .testTarget(
            name: "KeelTrainTests",
            dependencies: ["KeelTrain", "KeelData", "KeelDistributed", "KeelTestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "KeelLabTests", dependencies: ["KeelLab", "Keel", "KeelTestSupport"]),
        .testTarget(name: "KeelFuzzTests", dependencies: ["KeelFuzz"], resources: [.copy("Corpus")]),
    ]
)
