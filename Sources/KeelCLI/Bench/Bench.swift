import ArgumentParser

/// `keel bench …`: throughput of Keel's kernels (release builds only give meaningful numbers).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernel throughput (best of several runs after warm-up).",
        subcommands: [
            GEMMBench.self, ConvBench.self, PoolBench.self, ElementwiseBench.self, TrainBench.self, ActivationsBench.self, AugmentBench.self,
            DecodeBench.self, AllReduceBench.self,
        ]
    )
}
