import ArgumentParser

@main
struct KeelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "Keel: deep learning in Swift — a command-line lab.",
        subcommands: [
            TrainCommand.self, LRFindCommand.self, ModelsCommand.self, SummaryCommand.self, InfoCommand.self, EvaluateCommand.self,
            PredictCommand.self,
            ActivationCommand.self,
            ScheduleCommand.self,
            NormalizationCommand.self, AugmentCommand.self, StudyCommand.self, PlotCommand.self, Bench.self,
        ]
    )
}
