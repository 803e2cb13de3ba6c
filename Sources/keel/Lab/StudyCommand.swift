import ArgumentParser
import Foundation
import KeelLab
import KeelTrain

enum StudyName: String, ExpressibleByArgument, CaseIterable {
    case activations, batchSize = "batch-size", normalization, schedules, augmentation, all
}

/// `keel study NAME [--quick] [--seeds N] [--out DIR]`: runs studies and writes report.html and results.json.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study", abstract: "Reproduce the seed's claims with numbers and charts (report.html, results.json).",
        discussion: "Studies available now: activations, normalization, schedules, all (batch-size and augmentation are being built).")

    @Argument(help: "activations, normalization, schedules or all.") var name: StudyName
    @Flag(help: "Fewer seeds and epochs (labelled as quick in the report).") var quick = false
    @Option(help: "Seeds per configuration.") var seeds = 3
    @Option(help: "Output folder.") var out = "study"

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
    }

    /// Every study, in report order.
    static let everyStudy: [any Study] = [ActivationsLabStudy(), BatchSizeLabStudy(), NormalizationLabStudy(), SchedulesLabStudy(),
                                          AugmentationLabStudy()]

    func run() throws {
        try reportingErrors {
            let studies = name == .all ? Self.everyStudy : Self.everyStudy.filter { $0.name == name.rawValue }
            let reporter = ProgressReporter()
            var results: [StudyResult] = []
            for (i, study) in studies.enumerated() {
                let started = ProcessInfo.processInfo.systemUptime
                let total = studies.count
                results.append(try study.run(quick: quick, seeds: seeds) { fraction, message in
                    let overall = (Double(i) + fraction) / Double(total)
                    reporter.study(name: study.name, fraction: fraction, overall: overall, message: message)
                })
                reporter.message(String(format: "study %@ done in %.1f s", study.name, ProcessInfo.processInfo.systemUptime - started))
            }
            let (report, json) = try StudyReport.write(results, to: URL(fileURLWithPath: out))
            for r in results {
                for v in r.verdicts { print("[\(r.name)] \(v.supported ? "supported" : "NOT supported"): \(v.statement) — \(v.evidence)") }
            }
            print("wrote \(report.path) and \(json.path)")
        }
    }
}
