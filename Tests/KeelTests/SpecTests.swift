import KeelTestSupport
import Testing

@testable import Keel

/// One parser for `name:key=value,…` specs: operations, augmentations, schedules and activations all use it.
struct SpecTests {
    @Test func splitsNameParametersAndAnUnnamedValue() throws {
        let spec = try Spec.parse(" cosine_decay : decay-steps = 600 , alpha=0.01", dashesAsUnderscores: true)
        #expect(spec.name == "cosine_decay" && spec.unnamedValue == nil)
        #expect(spec.parameters.map(\.key) == ["decay_steps", "alpha"] && spec.dictionary["decay_steps"] == "600")
        #expect(try Spec.parse("leaky_relu:0.2").unnamedValue == "0.2")
        #expect(try Spec.parse("hflip") == Spec(name: "hflip", parameters: [], unnamedValue: nil))
        #expect(try Spec.parse("piecewise_constant:boundaries=3/6,values=1/2/3").dictionary["values"] == "1/2/3")
    }

    @Test func refusesWhatIsNotASpec() {
        for (text, problem) in [("", "no name"), (":a=1", "no name"), ("x:a=1,b", "expected key=value"), ("x:a=1,a=2", "given twice")] {
            #expect(throws: SpecError.self) { try Spec.parse(text) }
            do { _ = try Spec.parse(text) } catch { #expect(error.problem.contains(problem), "\(text): \(error)") }
        }
        // Each reader turns the parser's errors into its own, naming the spec.
        #expect(throws: ScheduleError.self) { try Schedule.parse("cosine_decay:decay_steps=5,decay_steps=6") }
        #expect(throws: ScheduleError.self) { try Schedule.parse("cosine_decay:600") }
        #expect(throws: ActivationSpecError.self) { try Activation.parse("leaky_relu:slope=0.2") }
    }
}
