import Keel

/// A small CNN of our own. Its layers are stored properties, so Keel finds its parameters and names them after
/// the properties (`conv1.weight`, `classifier.bias`, …) — no list of children to write.
///
/// Shapes: [N, 1, 28, 28] → conv 3×3 (16) → ReLU → max-pool 2 → [N, 16, 14, 14] → conv 3×3 (32) → ReLU →
/// max-pool 2 → [N, 32, 7, 7] → flatten from axis 1 → dropout → Linear → [N, 10] logits.
final class SmallCNN: Module {
    let conv1 = Conv2d(1, 16, kernelSize: 3, padding: 1)
    let conv2 = Conv2d(16, 32, kernelSize: 3, padding: 1)
    let pool = MaxPool2d(kernelSize: 2)
    let relu = ReLU()
    let dropout = Dropout(0.25)
    let classifier = Linear(32 * 7 * 7, 10)
    var isTraining = true

    func callAsFunction(_ images: Tensor) -> Tensor {
        let features = pool(relu(conv2(pool(relu(conv1(images))))))
        return classifier(dropout(features.flattened(from: 1)))
    }
}
