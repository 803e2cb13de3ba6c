import Foundation
import Keel
import KeelData

extension RunSession {
    /// Trains with the run's settings, then evaluates and writes the run folder (see `TrainingRun`).
    func train(in run: TrainingRun) throws -> TrainingRun.Outcome {
        let epochs = configuration.epochs ?? Recipe.plain.epochs
        let leader = run.communicator.isLeader
        trainer.checkpointDirectory = leader ? run.checkpointDirectory : nil
        trainer.checkpointEvery = configuration.checkpoint.every
        trainer.checkpointSeconds = configuration.checkpoint.seconds
        trainer.progress = ProgressReporter(style: leader ? run.progressStyle : .silent)
        trainer.shouldStop = run.shouldStop
        if let plateau = configuration.plateau {
            trainer.callbacks.append(ReduceLROnPlateau(factor: plateau.factor, patience: plateau.patience))
        }
        if let patience = configuration.earlyStopping {
            trainer.callbacks.append(EarlyStopping(patience: patience, minimumDelta: configuration.minDelta, monitor: configuration.monitor))
        }
        if configuration.keepBest, let directory = run.outputDirectory { trainer.callbacks.append(bestModelKeeper(in: directory)) }
        if let folder = configuration.tensorboard, leader {
            let logger = try TensorBoardLogger(directory: URL(fileURLWithPath: folder), model: network)
            trainer.callbacks.append(logger)
            trainer.progress.message("TensorBoard: tensorboard --logdir \(folder)  (\(logger.file.lastPathComponent))")
        }
        let recorder = configuration.diagnostics && leader ? addDiagnostics() : nil
        if let directory = run.outputDirectory { try configuration.write(to: directory) }
        trainer.progress.message(header(epochs: epochs))
        let started = ProcessInfo.processInfo.systemUptime
        do {
            try trainer.fit(loader, validation: data.validation, epochs: epochs)
        } catch let error as TrainingError {
            // A diverged run still leaves its history and metrics (the checkpoint holds its last finite state).
            if case .nonFiniteLoss = error, leader { run.metrics = try writeDiverged(error, to: run.directory) }
            throw error
        }
        let wall = ProcessInfo.processInfo.systemUptime - started
        if trainer.wasInterrupted { return .interrupted(trainer.position) }
        if let patience = configuration.earlyStopping, trainer.history.epochs.count < epochs,
            let best = configuration.monitor.best(of: trainer.history.epochs, minimumDelta: configuration.minDelta)
        {
            trainer.progress.message(
                "stopped early after epoch \(trainer.history.epochs.count): \(configuration.monitor.rawValue) did not improve for \(patience) "
                    + "epochs (best \(best.value) at epoch \(best.epoch + 1))")
        }
        // The other ranks are done: rank 0 alone evaluates and writes the results.
        guard leader else { return .finished(baseMetrics()) }
        if let recorder, let directory = run.directory {
            try AtomicFile.write(Data(recorder.csv().utf8), to: directory.appendingPathComponent("diagnostics.csv"))
        }
        let metrics = try writeResults(to: run.directory, wallSeconds: wall)
        run.metrics = metrics
        return .finished(metrics)
    }

    /// "keel train: cnn (225034 parameters) on mnist-5k: 5000 training / … samples, …".
    func header(epochs: Int) -> String {
        let name = architecture.name
        return "keel train: \(name) (\(network.parameterCount) parameters) on \(configuration.data.dataset): "
            + "\(data.train.count) training / \(data.validation?.count ?? 0) validation / \(data.test.count) test samples, "
            + "batch size \(configuration.batchSize) → \(loader.batchesPerEpoch) iterations per epoch, \(epochs) epochs, "
            + "\(configuration.optimizer.name.rawValue) lr \(configuration.learningRate), "
            + (trainer.communicator.size > 1 ? "\(trainer.communicator.size) ranks × " : "") + "\(Parallel.threadCount) threads, "
            + "\(configuration.shards ?? 1) shard\(configuration.shards == 1 ? "" : "s") per batch, "
            + "kernel level \(KernelLevel.current.name)"
    }

    /// Per-layer statistics every iteration, summarized after every epoch.
    func addDiagnostics() -> DiagnosticsRecorder {
        let recorder = DiagnosticsRecorder(model: network)
        trainer.callbacks.append(recorder)
        trainer.callbacks.append(
            ClosureCallback(epoch: { record, trainer in
                for layer in recorder.epochSummary(record.epoch) { trainer.progress.message("  " + layer.summary) }
                return false
            }))
        return recorder
    }

    /// Evaluates on the test split and writes model.safetensors, model.json, history.csv, iterations.csv and
    /// metrics.json (nothing for a run in memory).
    func writeResults(to directory: URL?, wallSeconds: Double) throws -> RunMetrics {
        let outputs = EvaluationOutputs()
        let result = trainer.evaluate(data.test, outputs: data.targetScaler == nil ? nil : outputs.append)
        var metrics = baseMetrics()
        (metrics.testAccuracy, metrics.testLoss) = (result.accuracy, result.loss)
        metrics.task = configuration.data.task.rawValue
        if let scaler = data.targetScaler {
            let scores = RegressionMetrics(outputs: outputs.tensor, dataset: data.test, scaler: scaler)
            (metrics.testAccuracy, metrics.testMAE, metrics.testRMSE, metrics.testR2) =
                (nil, scores.meanAbsoluteError, scores.rootMeanSquaredError, scores.r2)
        }
        metrics.wallSecondsThisSession = wallSeconds
        if configuration.earlyStopping != nil || configuration.keepBest,
            let best = configuration.monitor.best(of: trainer.history.epochs, minimumDelta: configuration.minDelta)
        {
            (metrics.bestEpoch, metrics.monitor, metrics.bestValue) = (best.epoch + 1, configuration.monitor.rawValue, Double(best.value))
            let epochs = configuration.epochs ?? Recipe.plain.epochs
            metrics.stoppedEarly = configuration.earlyStopping != nil && trainer.history.epochs.count < epochs
        }
        guard let directory else { return metrics }
        try writeModel(to: directory)
        try writeHistory(to: directory)
        try AtomicFile.write(try metrics.json(), to: directory.appendingPathComponent("metrics.json"))
        return metrics
    }

    /// model.safetensors and model.json: everything `keel evaluate` and `keel predict` need.
    func writeModel(to directory: URL) throws { try modelWriter.write(to: directory) }

    /// What writes this run's model (holding the network and the run's settings, not the trainer — the best-model
    /// callback keeps one, and a callback holding the trainer would never be freed).
    var modelWriter: ModelWriter { ModelWriter(network: network, architecture: architecture, data: data, configuration: configuration) }

    /// After each epoch that is the best so far by the run's monitor, the model goes to `best/` (written into
    /// `best.partial/`, then renamed over it, so `best/` always holds one whole epoch's model) with `best.json`
    /// naming the epoch, the monitor and its value.
    func bestModelKeeper(in directory: URL) -> ClosureCallback {
        let (monitor, minDelta, writer) = (configuration.monitor, configuration.minDelta, modelWriter)
        return ClosureCallback(epoch: { record, trainer in
            guard let best = monitor.best(of: trainer.history.epochs, minimumDelta: minDelta), best.epoch == record.epoch else { return false }
            do {
                let (target, partial) = (directory.appendingPathComponent("best"), directory.appendingPathComponent("best.partial"))
                let fm = FileManager.default
                try? fm.removeItem(at: partial)
                try fm.createDirectory(at: partial, withIntermediateDirectories: true)
                try writer.write(to: partial)
                let note: [String: Any] = ["epoch": best.epoch + 1, "monitor": monitor.rawValue, "value": Double(best.value)]
                try AtomicFile.write(
                    try FiniteJSON.data(note, options: [.sortedKeys, .prettyPrinted]), to: partial.appendingPathComponent("best.json"))
                try Self.replaceDirectory(target, with: partial)
            } catch {
                trainer.progress.message("warning: could not write \(directory.appendingPathComponent("best").path): \(error)")
            }
            return false
        })
    }

    /// Puts the folder `new` in place of `target`: the old one is renamed aside (`best.old`), the new one renamed in,
    /// the old one removed — each step a rename, so a crash leaves one whole model under `best` or `best.old`.
    static func replaceDirectory(_ target: URL, with new: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: target.path) else { return try fm.moveItem(at: new, to: target) }
        let old = target.deletingLastPathComponent().appendingPathComponent(target.lastPathComponent + ".old")
        try? fm.removeItem(at: old)
        try fm.moveItem(at: target, to: old)
        try fm.moveItem(at: new, to: target)
        try fm.removeItem(at: old)
    }

    /// history.csv (one row per epoch) and iterations.csv (one per update).
    func writeHistory(to directory: URL) throws {
        try AtomicFile.write(Data(trainer.history.epochsCSV().utf8), to: directory.appendingPathComponent("history.csv"))
        try AtomicFile.write(Data(trainer.history.iterationsCSV().utf8), to: directory.appendingPathComponent("iterations.csv"))
    }

    /// The metrics of a diverged run, with the test result of its last finite weights (the update with the
    /// non-finite loss was not made); written with the history unless the run is in memory.
    func writeDiverged(_ error: TrainingError, to directory: URL?) throws -> RunMetrics {
        var metrics = baseMetrics()
        (metrics.diverged, metrics.stopped) = (true, error.description)
        metrics.lastLoss = trainer.history.iterations.last?.loss ?? .nan
        let result = trainer.evaluate(data.test)
        (metrics.testAccuracy, metrics.testLoss) = (result.accuracy, result.loss)
        guard let directory else { return metrics }
        try writeHistory(to: directory)
        try AtomicFile.write(try metrics.json(), to: directory.appendingPathComponent("metrics.json"))
        return metrics
    }

    /// The totals and settings every metrics.json holds.
    func baseMetrics() -> RunMetrics {
        let history = trainer.history
        let trainSeconds = history.iterations.reduce(0) { $0 + $1.seconds }
        let samples = history.iterations.reduce(0) { $0 + $1.batchSize }
        return RunMetrics(
            globalStep: trainer.position.globalStep, trainSeconds: trainSeconds, wallSecondsThisSession: 0,
            epochs: history.epochs.count, iterations: history.iterations.count, iterationsPerEpoch: loader.batchesPerEpoch,
            batchSize: configuration.batchSize, samplesPerSecond: Double(samples) / max(trainSeconds, 1e-9),
            finalTrainLoss: history.epochs.last?.trainLoss, finalTrainAccuracy: history.epochs.last?.trainAccuracy,
            model: architecture.name, parameters: network.parameterCount, optimizer: configuration.optimizer.name.rawValue,
            learningRate: configuration.learningRate, seed: configuration.seed, dataset: configuration.data.dataset,
            threads: Parallel.threadCount, normalize: configuration.data.normalize.rawValue,
            activation: configuration.model.activation, schedule: configuration.schedule ?? "constant",
            cpuLevel: KernelLevel.current.name, cpu: MachineDescription.cpuModel, ranks: trainer.communicator.size,
            shards: configuration.shards ?? 1)
    }
}

/// Writes a run's model.safetensors and model.json.
struct ModelWriter {
    let network: Sequential
    let architecture: Architecture
    let data: PreparedData
    let configuration: RunConfiguration

    func write(to directory: URL) throws {
        try SafeTensors.write(
            network.stateDict(), metadata: ["format": "pt", "keel_model": architecture.name],
            to: directory.appendingPathComponent("model.safetensors"))
        try ModelDescription(
            model: architecture.name, inputShape: data.train.sampleShape, classes: data.outputCount,
            normalizer: data.normalizer, dataset: configuration.data.dataset,
            activation: configuration.model.activation, labelColumn: configuration.data.labelColumn,
            seed: configuration.seed, classNames: data.train.classNames,
            dropout: configuration.model.dropout ?? 0, network: configuration.model.network,
            task: configuration.data.task, targetScaler: data.targetScaler, validationFraction: configuration.data.validationFraction
        ).write(to: directory)
    }
}
