// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Keel",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Keel", targets: ["Keel"]),
        .executable(name: "keel", targets: ["keel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The few innermost SIMD loops (GEMM micro-kernels, packing, im2col/col2im), with run-time CPU dispatch.
        .target(name: "CKeelKernels"),
        // Tensor, autograd, kernels' Swift wrappers and threading.
        .target(name: "Keel", dependencies: ["CKeelKernels"]),
        // The command-line lab.
        .executableTarget(
            name: "keel",
            dependencies: [
                "Keel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KeelTests", dependencies: ["Keel", "CKeelKernels"]),
    ]
)
