import Foundation

/// What a measurement ran on: the CPU's model name and the kernel level.
public enum MachineDescription {
    /// The CPU's model name (Linux: /proc/cpuinfo; elsewhere "unknown CPU").
    public static let cpuModel: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown CPU"
    }()

    /// "kernel level avx2 (this CPU supports up to avx512): AMD EPYC …"
    public static var line: String {
        let current = KernelLevel.current
        let supported = KernelLevel.supported
        let note = current == supported ? "" : " (this CPU supports up to \(supported.name))"
        return "kernel level \(current.name)\(note) on \(cpuModel)"
    }
}
