import Foundation
import Keel

/// One layer's numbers for one iteration: dead and saturated units of activation layers, gradient norm of
/// layers with parameters.
public struct LayerDiagnostics: Codable, Equatable, Sendable {
    /// The layer's path in the model (PyTorch naming, e.g. "3").
    public var layer: String
    /// "relu", "sigmoid", … for activation layers; "Linear", "Conv2d", … for layers with parameters.
    public var kind: String
    /// Units (output positions) that were zero for every sample of the batch, as a fraction.
    public var deadFraction: Float?
    /// Activations with |f′(x)| below `ActivationStatistics.saturationThreshold`, as a fraction.
    public var saturatedFraction: Float?
    /// Mean |f′(x)|: how much the layer scales gradients on average.
    public var meanDerivative: Float?
    /// ‖∇‖₂ over the layer's own parameters.
    public var gradientNorm: Float?

    /// "layer 1 (relu)  dead 3.1%  mean |f′| 0.412  ‖∇‖ 0.0123": what is known of the layer, on one line.
    public var summary: String {
        var parts = ["layer \(layer) (\(kind))"]
        if let deadFraction { parts.append(String(format: "dead %.1f%%", deadFraction * 100)) }
        if let saturatedFraction { parts.append(String(format: "saturated %.1f%%", saturatedFraction * 100)) }
        if let meanDerivative { parts.append(String(format: "mean |f′| %.3f", meanDerivative)) }
        if let gradientNorm { parts.append(String(format: "‖∇‖ %.4g", gradientNorm)) }
        return parts.joined(separator: "  ")
    }
}

/// A training callback that records, every `every` iterations, per-layer dead-unit and saturation
/// fractions and gradient norms: the numbers that show dead neurons and vanishing gradients.
public final class DiagnosticsRecorder: TrainingCallback {
    /// Every measured layer at one iteration.
    public struct Record: Codable, Equatable, Sendable {
        /// The epoch (0-based).
        public var epoch: Int
        /// The global step of the iteration.
        public var globalStep: Int
        /// One entry per activation layer and per layer with parameters.
        public var layers: [LayerDiagnostics]
    }

    /// Measure every this many iterations.
    public let every: Int
    /// The measurements so far.
    public private(set) var records: [Record] = []
    /// The last training batch's statistics of each activation layer, filled by forward hooks.
    private var latest: [ObjectIdentifier: ActivationStatistics] = [:]
    private var hooks: [ForwardHookHandle] = []

    /// Puts a forward hook on every activation layer of `model` (removed when the recorder goes away).
    public init(model: any Module, every: Int = 1) {
        self.every = max(every, 1)
        for case let layer as ActivationLayer in model.allModules {
            hooks.append(ActivationStatistics.record(on: layer) { [weak self] in self?.latest[ObjectIdentifier(layer)] = $0 })
        }
    }

    deinit { for hook in hooks { hook.remove() } }

    /// Records every `every`-th iteration.
    public func iterationEnded(_ record: IterationRecord, trainer: Trainer) {
        guard record.globalStep % every == 0 else { return }
        records.append(Record(epoch: record.epoch, globalStep: record.globalStep, layers: measure(trainer.model)))
    }

    /// The current numbers of every activation layer and every layer with parameters.
    public func measure(_ model: any Module) -> [LayerDiagnostics] {
        var result: [LayerDiagnostics] = []
        for (name, module) in model.namedModules {
            if let activation = module as? ActivationLayer, let s = latest[ObjectIdentifier(activation)] {
                result.append(
                    LayerDiagnostics(
                        layer: name, kind: activation.activation.name, deadFraction: s.deadFraction,
                        saturatedFraction: s.saturatedFraction, meanDerivative: s.meanDerivative))
            } else if !module.ownParameters.isEmpty {
                var total: Double = 0
                var any = false
                for (_, p) in module.ownParameters {
                    guard let g = p.grad else { continue }
                    any = true
                    for v in g.scalars { total += Double(v) * Double(v) }
                }
                result.append(
                    LayerDiagnostics(
                        layer: name, kind: String(describing: type(of: module)),
                        gradientNorm: any ? Float(total.squareRoot()) : nil))
            }
        }
        return result
    }

    /// Per-epoch means of each layer's numbers.
    public func epochSummary(_ epoch: Int) -> [LayerDiagnostics] {
        let rows = records.filter { $0.epoch == epoch }.flatMap(\.layers)
        var order: [String] = []
        var groups: [String: [LayerDiagnostics]] = [:]
        for r in rows {
            if groups[r.layer] == nil { order.append(r.layer) }
            groups[r.layer, default: []].append(r)
        }
        func mean(_ values: [Float?]) -> Float? {
            let v = values.compactMap { $0 }
            return v.isEmpty ? nil : v.reduce(0, +) / Float(v.count)
        }
        return order.map { name in
            let g = groups[name]!
            return LayerDiagnostics(
                layer: name, kind: g[0].kind, deadFraction: mean(g.map(\.deadFraction)),
                saturatedFraction: mean(g.map(\.saturatedFraction)),
                meanDerivative: mean(g.map(\.meanDerivative)), gradientNorm: mean(g.map(\.gradientNorm)))
        }
    }

    /// One line per layer and recorded iteration.
    public func csv() -> String {
        var lines = ["epoch,global_step,layer,kind,dead_fraction,saturated_fraction,mean_derivative,gradient_norm"]
        func v(_ x: Float?) -> String { x.map { "\($0)" } ?? "" }
        for r in records {
            for l in r.layers {
                lines.append(
                    "\(r.epoch + 1),\(r.globalStep),\(l.layer),\(l.kind),\(v(l.deadFraction)),\(v(l.saturatedFraction)),\(v(l.meanDerivative)),\(v(l.gradientNorm))"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
