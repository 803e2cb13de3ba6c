import ArgumentParser
import Foundation
import Keel
import KeelDistributed
import KeelLab
import KeelTrain

enum StudyName: String, ExpressibleByArgument, CaseIterable {
    case activations
    case batchSize = "batch-size"
    case normalization, schedules, augmentation
    case learningRate = "learning-rate"
    case all
}

/// `keel study NAME [--quick] [--seeds N] [--out DIR]`: runs studies and writes report.html and results.json.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Test the textbook claims about training choices, with numbers and charts (report.html, results.json).",
        discussion: """
            activations: hidden activations compared on MNIST-5k, vanishing gradients in a deep network, a linear stack, sigmoid \
            as a binary output. batch-size: 1 to the full training set, constant vs linearly scaled learning rate, the five textbook \
            statements. normalization: the two-feature gradient-descent picture, wine and digits with none / min-max / \
            z-score / log inputs, batch norm in a deeper network. schedules: every decay's curve and a training run with each. \
            augmentation: preview grids, each family alone and the full recipe on 1,000 training images. learning-rate: the \
            range test per seed, trainings at its suggestion, 10× and 0.1× of it and a sweep of fixed rates. all: every study in \
            one report with a table of contents. --quick runs all of them in a few minutes (labelled as quick).
            """)

    @Argument(help: "activations, batch-size, normalization, schedules, learning-rate, augmentation or all.") var name: StudyName
    @Flag(help: "Fewer seeds and epochs (labelled as quick in the report).") var quick = false
    @Option(help: "Seeds per configuration.") var seeds = 3
    @Option(help: "Output folder.") var out = "study"
    @Option(help: "Threads for the kernels (default: all cores). Results other than timings do not depend on it.") var threads: Int?
    @Option(help: "Write TensorBoard event files of every training into this folder (one sub-folder per training).")
    var tensorboard: String?
    @OptionGroup var kernels: KernelOptions
    @Option(help: "Run the study's trainings data-parallel on this many processes (starts `mpirun -np N` on this command).")
    var ranks: Int?
    @OptionGroup(title: "Data-parallel training") var group: ProcessGroupOptions

    func validate() throws {
        if let ranks, !(1...256).contains(ranks) { throw ValidationError("--ranks must be in 1…256, got \(ranks)") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard seeds <= 100 else { throw ValidationError("--seeds must be at most 100, got \(seeds)") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1…1024, got \(threads)") }
    }

    /// Every study, in report order.
    static let everyStudy: [any Study] = [
        ActivationsLabStudy(), BatchSizeLabStudy(), NormalizationLabStudy(), SchedulesLabStudy(), LearningRateLabStudy(),
        AugmentationLabStudy(),
    ]

    func run() throws {
        if let ranks, ranks > 1, !ProcessGroup.startedByMPIRun { return try MPIRun.again(ranks: ranks, dropping: "--ranks") }
        try group.run(threadsGiven: threads != nil, study)
    }

    func study(_ communicator: any Communicator) throws {
        LabNetwork.communicator = communicator
        defer { LabNetwork.communicator = SingleProcessCommunicator() }
        let leader = communicator.isLeader
        try kernels.apply()
        if let threads { Parallel.threadCount = threads }
        // The output folder first, so a bad --out fails before minutes of training.
        if leader { try FileManager.default.createDirectory(at: URL(fileURLWithPath: out), withIntermediateDirectories: true) }
        let studies = name == .all ? Self.everyStudy : Self.everyStudy.filter { $0.name == name.rawValue }
        let reporter = ProgressReporter(style: leader ? nil : .silent)
        var results: [StudyResult] = []
        for (i, study) in studies.enumerated() {
            let started = ProcessInfo.processInfo.systemUptime
            let total = studies.count
            let logs = leader ? tensorboard.map { URL(fileURLWithPath: $0).appendingPathComponent(study.name) } : nil
            results.append(
                try LabNetwork.$tensorBoardDirectory.withValue(logs) {
                    try study.run(quick: quick, seeds: seeds) { fraction, message in
                        let overall = (Double(i) + fraction) / Double(total)
                        reporter.study(name: study.name, fraction: fraction, overall: overall, message: message)
                    }
                })
            reporter.message(String(format: "study %@ done in %.1f s", study.name, ProcessInfo.processInfo.systemUptime - started))
        }
        guard leader else { return }
        if communicator.size > 1 {
            print("trained data-parallel on \(communicator.size) ranks × \(Parallel.threadCount) thread\(Parallel.threadCount == 1 ? "" : "s")")
        }
        let (report, json) = try StudyReport.write(results, to: URL(fileURLWithPath: out))
        for r in results {
            for v in r.verdicts { print("[\(r.name)] \(v.supported ? "supported" : "NOT supported"): \(v.statement) — \(v.evidence)") }
            for line in r.figures.printed { print("[\(r.name)] \(line)") }
        }
        print("wrote \(report.path) and \(json.path)")
    }
}
