// swift-tools-version:6.0
// An example of Keel used from another package: a model type of its own, trained on the embedded MNIST-5k.
// In your own package, depend on Keel by URL or path:
//     .package(url: "https://github.com/<owner>/keel", branch: "main")   or   .package(path: "../keel")
import PackageDescription

let package = Package(
    name: "CustomModel",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Keel", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "CustomModel",
            dependencies: [
                .product(name: "Keel", package: "Keel"),
                .product(name: "KeelData", package: "Keel"),
                .product(name: "KeelTrain", package: "Keel"),
            ]
        )
    ]
)
