import Foundation
import KeelTestSupport
import Testing

@testable import Keel

/// Schedules against TensorFlow (schedules-tf.json) and PyTorch (schedules-torch.json), within 1e-6 relative.
struct ScheduleReferenceTests {
    static func within(_ value: Float, _ reference: Double) -> Bool {
        Swift.abs(Double(value) - reference) <= 1e-6 * Swift.abs(reference) + 1e-12
    }

    /// The case's parameters as the text the CLI would pass.
    static func textParameters(_ params: [String: Any]) -> [String: String] {
        let booleans: Set<String> = ["staircase", "cycle", "three_phase"]
        var text: [String: String] = [:]
        for (key, value) in params {
            switch value {
            case let list as [Any]: text[key] = list.map { "\($0)" }.joined(separator: ",")
            case let number as NSNumber where booleans.contains(key): text[key] = number.boolValue ? "true" : "false"
            default: text[key] = "\(value)"
            }
        }
        return text
    }

    @Test func tensorFlowDecaysMatch() throws {
        for c in Fixtures.cases("schedules-tf.json") {
            let name = c["schedule"] as! String
            let params = Self.textParameters(c["params"] as! [String: Any])
            let schedule = try Schedule.make(name: name, parameters: params)
            let steps = c["steps"] as! [Int]
            let values = Fixtures.doubles(c["values"])
            for (s, expected) in zip(steps, values) {
                let got = schedule.learningRate(at: s)
                #expect(Self.within(got, expected), "\(name) \(params) at step \(s): \(got), TensorFlow \(expected)")
            }
        }
    }

    /// The PyTorch cases' names and parameters in Keel's vocabulary.
    static func schedule(forTorchCase c: [String: Any], base: Float) throws -> Schedule {
        let name = c["scheduler"] as! String
        var params = Self.textParameters(c["params"] as! [String: Any])
        params["learning_rate"] = "\(base)"
        if name == "warmup_then_cosine" {
            let p = c["params"] as! [String: Any]
            let warm = (p["warmup"] as! [String: Any])["linear"] as! [String: Any]
            let cosine = (p["then"] as! [String: Any])["cosine_annealing"] as! [String: Any]
            return .sequential(
                schedules: [
                    .linear(
                        base: base, startFactor: (warm["start_factor"] as! NSNumber).floatValue, endFactor: 1,
                        totalIters: warm["total_iters"] as! Int),
                    .cosineAnnealing(base: base, tMax: cosine["t_max"] as! Int, etaMin: 0),
                ],
                milestones: [p["milestone"] as! Int])
        }
        return try Schedule.make(name: name, parameters: params)
    }

    @Test func pyTorchSchedulersMatch() throws {
        let root = Fixtures.json("schedules-torch.json")
        let base = (root["base_lr"] as! NSNumber).floatValue
        for c in root["cases"] as! [[String: Any]] {
            let schedule = try Self.schedule(forTorchCase: c, base: base)
            for (i, expected) in Fixtures.doubles(c["values"]).enumerated() {
                let got = schedule.learningRate(at: i)
                #expect(Self.within(got, expected), "\(c["scheduler"]!) \(c["params"]!) at \(i): \(got), PyTorch \(expected)")
            }
        }
    }

    @Test func warmupWrapsAnySchedule() throws {
        let s = try Schedule.parse("cosine_annealing:t_max=50,warmup_steps=10,warmup_start_factor=0.01")
        #expect(Swift.abs(s.learningRate(at: 0) - 0.001) < 1e-9)
        #expect(Swift.abs(s.learningRate(at: 5) - (0.001 + 0.099 * 0.5)) < 1e-7)
        #expect(s.learningRate(at: 10) == 0.1)
        #expect(Swift.abs(s.learningRate(at: 35) - 0.05) < 1e-7)
    }

    @Test func noisyLinearCosineIsReproducibleAndHasTheRightMoments() throws {
        let clean = Schedule.linearCosineDecay(learningRate: 0.1, decaySteps: 60, numPeriods: 0.5, alpha: 0, beta: 0.001)
        func noisy(_ seed: UInt64) -> Schedule {
            .noisyLinearCosineDecay(
                learningRate: 0.1, decaySteps: 60, initialVariance: 1, varianceDecay: 0.55, numPeriods: 0.5,
                alpha: 0, beta: 0.001, seed: seed)
        }
        #expect((0..<60).map { noisy(7).learningRate(at: $0) } == (0..<60).map { noisy(7).learningRate(at: $0) })
        #expect((0..<60).map { noisy(7).learningRate(at: $0) } != (0..<60).map { noisy(8).learningRate(at: $0) })
        let seeds = 2000
        for step in [0, 5, 17, 30, 45, 59] {
            let samples = (0..<seeds).map { Double(noisy(UInt64($0)).learningRate(at: step)) }
            let mean = samples.reduce(0, +) / Double(seeds)
            let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(seeds - 1)
            // lr·(α + linear + ε)·cosine + lr·β: the noise enters as lr·cosine·ε, ε ~ N(0, σ²).
            let t = Double(step)
            let cosine = 0.5 * (1 + cos(Double.pi * 2 * 0.5 * t / 60))
            let expectedVariance = pow(0.1 * cosine, 2) * 1 / pow(1 + t, 0.55)
            let standardError = (expectedVariance / Double(seeds)).squareRoot()
            #expect(Swift.abs(mean - clean.value(at: step)) <= 3 * standardError + 1e-8, "step \(step): mean \(mean)")
            // The sample variance's relative standard error is √(2/(n − 1)) ≈ 3.2 %.
            #expect(Swift.abs(variance / expectedVariance - 1) < 0.1, "step \(step): variance \(variance) vs \(expectedVariance)")
        }
    }

    @Test func badParametersAreRejected() {
        func problem(_ spec: String) -> String {
            do {
                _ = try Schedule.parse(spec)
                return ""
            } catch { return "\(error)" }
        }
        #expect(problem("exponential_decay:decay_steps=0,decay_rate=0.5").contains("decay_steps must be positive"))
        #expect(problem("exponential_decay:decay_rate=0.5").contains("needs decay_steps"))
        #expect(problem("piecewise_constant:boundaries=10/20,values=1/2").contains("one more value than boundaries"))
        #expect(problem("piecewise_constant:boundaries=20/10,values=1/2/3").contains("boundaries must increase"))
        #expect(problem("warp_decay").contains("unknown schedule"))
        #expect(problem("cosine_decay:decay_steps=10,alhpa=0.1").contains("unknown parameter 'alhpa'"))
        #expect(problem("cosine_decay:decay_steps=ten").contains("must be an integer"))
        #expect(problem("one_cycle:total_steps=10,pct_start=1.5").contains("pct_start"))
        #expect(problem("cyclic:max_lr=1,mode=sine").contains("mode must be"))
        #expect(problem("cosine_decay:decay_steps=10") == "")
    }

    @Test func schedulesAreCodable() throws {
        let s = Schedule.warmup(
            steps: 5, startFactor: 0.1,
            then: .cosineDecayRestarts(
                learningRate: 0.1, firstDecaySteps: 20,
                tMul: 2, mMul: 0.5, alpha: 0.01))
        let decoded = try JSONDecoder().decode(Schedule.self, from: JSONEncoder().encode(s))
        #expect(decoded == s)
        #expect((0..<100).map(decoded.learningRate) == (0..<100).map(s.learningRate))
    }

    @Test func optimizersReadTheScheduleAtTheGlobalStep() {
        let w = Parameter(Tensor([0]))
        let optimizer = SGD([("w", w)], learningRate: Schedule.step(base: 1, stepSize: 2, gamma: 0.5))
        var seen: [Float] = []
        for _ in 0..<5 {
            seen.append(optimizer.currentLearningRate)
            w.value.sum().backward()
            optimizer.step()
            optimizer.zeroGrad()
        }
        #expect(seen == [1, 1, 0.5, 0.5, 0.25])
        #expect(w.value.scalars == [-(1 + 1 + 0.5 + 0.5 + 0.25)])
    }
}
