import Foundation
import Keel
import KeelData
import KeelTrain

// Usage: CustomModel [OUTPUT.safetensors]
// Trains SmallCNN for one epoch on the embedded MNIST-5k, evaluates it on the test split, saves the weights,
// loads them into a fresh model and checks that it gives the same accuracy.
let output = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "small-cnn.safetensors")

KeelRandom.manualSeed(0)  // layers made without a generator draw from this stream: same seed, same weights

// Inputs are z-scored with statistics of the training split only; 10 % of it is held out for validation.
let data = try PreparedData.prepare(.named("mnist-5k"), normalize: .standard, validationFraction: 0.1, seed: 0)
let model = SmallCNN()
print("SmallCNN: \(model.parameterCount) parameters in \(model.namedParameters.map(\.name).joined(separator: ", "))")

let trainer = Trainer(model: model, optimizer: Adam(model.namedParameters, learningRate: 0.002))
trainer.progress = ProgressReporter(style: .lines)
try trainer.fit(data.train, batchSize: 64, seed: 0, validation: data.validation, epochs: 1)

let test = trainer.evaluate(data.test)
print(String(format: "test accuracy %.2f%%, test loss %.4f", test.accuracy * 100, test.loss))

try model.save(to: output)
let restored = SmallCNN()
try restored.load(from: output)
let again = Metrics.evaluate(restored, on: data.test)
guard again.accuracy == test.accuracy else {
    print("the loaded model gives \(again.accuracy), not \(test.accuracy)")
    exit(1)
}
print("saved to \(output.path) and loaded back into a new SmallCNN: the same test accuracy")
