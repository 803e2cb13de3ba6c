import ArgumentParser
import Foundation
import Keel

/// `keel info [--json]`: the CPU, the kernel levels it supports, the level in use and the thread count.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the CPU, its kernel levels (portable, avx2, avx512) and the one in use.")

    @OptionGroup var kernels: KernelOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        try reportingErrors {
            try kernels.apply()
            let levels = KernelLevel.available.map(\.name)
            if json {
                let object: [String: Any] = [
                    "cpu": MachineDescription.cpuModel, "levels": levels,
                    "supported": KernelLevel.supported.name, "level": KernelLevel.current.name,
                    "gemm_kernel": GEMM.kernelName, "threads": Parallel.threadCount,
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("CPU: \(MachineDescription.cpuModel)")
                print("kernel levels this CPU runs: \(levels.joined(separator: ", ")) (every one gives the same results)")
                print("in use: \(KernelLevel.current.name) (GEMM \(GEMM.kernelName)), \(Parallel.threadCount) threads")
            }
        }
    }
}
