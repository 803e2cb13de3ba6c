import Foundation
import Keel

/// Wall-clock seconds (monotonic).
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best time of `repeats` runs of `body`, after `warmup` untimed runs; stops early past `budget` seconds.
func bestTime(warmup: Int = 2, repeats: Int = 10, budget: Double = 5, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var best = Double.infinity
    let start = now()
    for _ in 0..<repeats {
        let t0 = now()
        body()
        best = min(best, now() - t0)
        if now() - start > budget { break }
    }
    return best
}

/// A one-line JSON object from ordered key/value pairs (numbers and strings only), followed by the kernel
/// level and the CPU the figure came from (`cpu_level`, `cpu`).
func jsonObject(_ pairs: [(String, Any)]) -> String {
    let all = pairs + [("cpu_level", KernelLevel.current.name), ("cpu", MachineDescription.cpuModel)]
    let body = all.map { key, value -> String in
        let rendered: String
        switch value {
        case let s as String: rendered = "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        // Four decimals, or six significant digits below 1 so that a microsecond-scale time keeps its value.
        case let d as Double: rendered = d.isFinite ? String(format: abs(d) >= 1 ? "%.4f" : "%.6g", d) : "null"
        default: rendered = "\(value)"
        }
        return "\"\(key)\":\(rendered)"
    }
    return "{" + body.joined(separator: ",") + "}"
}
