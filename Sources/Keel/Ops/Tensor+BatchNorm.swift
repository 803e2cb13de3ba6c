import CKeelKernels

/// Batch normalization in training mode, as one op with its own backward — what `BatchNorm1d`/`BatchNorm2d` run
/// while training (built from generic broadcast ops, it took about a quarter of a ResNet's step).
///
/// Input [N, C, …]; per channel c over its M = N · (product of the trailing sizes) values:
/// μ = Σx / M, σ² = Σ(x − μ)² / M (biased, as PyTorch normalizes), x̂ = (x − μ) / √(σ² + ε), y = γ · x̂ + β
/// (γ = 1, β = 0 without `weight`/`bias`). Backward: dβ = Σ dy, dγ = Σ dy · x̂,
/// dx = γ / √(σ² + ε) · (dy − dβ / M − x̂ · dγ / M). Sums run in double precision, channel by channel (the loops are
/// `keel_bn_*` in CKeelKernels: one summation order at every kernel level), so the result depends neither on the
/// thread count nor on the CPU. The moments are taken about the channel's first value in one pass
/// (σ² = (Σd² − (Σd)²/M) / M, d = x − x₀: exact enough in double precision for any data whose spread is not 10⁸
/// times smaller than its distance from x₀). Returns the output and each channel's μ and σ² (for the running
/// statistics).
///
/// With `relu`, the output is ReLU(y), and backward multiplies dy by ReLU′ inside its own two passes (y recomputed
/// from x with the forward's per-channel scale and shift, bit for bit): `relu(batchNorm(x))` with the same bits,
/// without the intermediate y or the ReLU's two passes.
func batchNormTraining(
    _ input: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float, relu: Bool = false
) -> (output: Tensor, mean: [Float], variance: [Float]) {
    let (channels, inner) = (input.shape[1], input.shape.dropFirst(2).reduce(1, *))
    let (batch, count) = (input.shape[0], input.shape[0] * inner)
    // Per channel: μ, σ², and the forward's y = (x − μ) · scale + shift (kept for a fused ReLU's backward).
    var perChannel = [Float](repeating: 0, count: 4 * channels)
    var y = Tensor(uninitializedShape: input.shape)
    let (x, pw, pb) = (input.storage.pointer, weight?.storage.pointer, bias?.storage.pointer)
    perChannel.withUnsafeMutableBufferPointer { stats in
        let stats = stats.baseAddress!
        y.withUnsafeMutablePointer { py in
            Parallel.forRanges(channels, minimumPerThread: Swift.max(1, 16_384 / Swift.max(count, 1))) { range in
                for c in range {
                    let (start, stride) = (x + c * inner, channels * inner)
                    var (sum, squares) = (0.0, 0.0)
                    let center = Double(start[0])
                    keel_bn_moments(start, batch, stride, inner, center, &sum, &squares)
                    let shifted = sum / Double(count)
                    let mu = center + shifted
                    let sigma2 = Swift.max(0, squares / Double(count) - shifted * shifted)
                    let invstd = Float(1 / (sigma2 + Double(epsilon)).squareRoot())
                    let (m, scale, shift) = (Float(mu), invstd * (pw?[c] ?? 1), pb?[c] ?? 0)
                    keel_bn_normalize(start, py + c * inner, batch, stride, inner, m, scale, shift, relu ? 1 : 0)
                    (stats[4 * c], stats[4 * c + 1], stats[4 * c + 2], stats[4 * c + 3]) = (m, Float(sigma2), scale, shift)
                }
            }
        }
    }
    let mean = (0..<channels).map { perChannel[4 * $0] }
    let variance = (0..<channels).map { perChannel[4 * $0 + 1] }
    let inputs = [input] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    let output = Tensor.record(y, op: relu ? "batchNorm+relu" : "batchNorm", inputs: inputs) {
        [input, weight, perChannel] g, needs in
        let grads = batchNormBackward(
            input, weight: weight, gradient: g, perChannel: perChannel, relu: relu, epsilon: epsilon)
        var result: [Tensor?] = [needs[0] ? grads.input : nil]
        if weight != nil { result.append(needs[result.count] ? grads.weight : nil) }
        if bias != nil { result.append(needs[result.count] ? grads.bias : nil) }
        return result
    }
    return (output, mean, variance)
}

/// The gradients of `batchNormTraining` (see its formula), from the forward's `perChannel` statistics (μ, σ², scale,
/// shift per channel); with `relu`, through the fused ReLU.
private func batchNormBackward(
    _ input: Tensor, weight: Tensor?, gradient: Tensor, perChannel: [Float], relu: Bool, epsilon: Float
) -> (input: Tensor, weight: Tensor, bias: Tensor) {
    let (channels, inner) = (input.shape[1], input.shape.dropFirst(2).reduce(1, *))
    let (batch, count) = (input.shape[0], input.shape[0] * inner)
    var dx = Tensor(uninitializedShape: input.shape)
    var dWeight = Tensor(uninitializedShape: [channels])
    var dBias = Tensor(uninitializedShape: [channels])
    let (x, dy, pw) = (input.storage.pointer, gradient.storage.pointer, weight?.storage.pointer)
    dx.withUnsafeMutablePointer { pdx in
        dWeight.withUnsafeMutablePointer { pdw in
            dBias.withUnsafeMutablePointer { pdb in
                Parallel.forRanges(channels, minimumPerThread: Swift.max(1, 16_384 / Swift.max(count, 1))) { range in
                    for c in range {
                        let (m, variance) = (perChannel[4 * c], perChannel[4 * c + 1])
                        let invstd = Float(1 / (Double(variance) + Double(epsilon)).squareRoot())
                        var (sumDy, sumDyXhat) = (0.0, 0.0)
                        let (offset, stride) = (c * inner, channels * inner)
                        let (gate, reluScale, reluShift) = (Int32(relu ? 1 : 0), perChannel[4 * c + 2], perChannel[4 * c + 3])
                        keel_bn_gradient_sums(
                            dy + offset, x + offset, batch, stride, inner, m, invstd, gate, reluScale, reluShift, &sumDy,
                            &sumDyXhat)
                        (pdb[c], pdw[c]) = (Float(sumDy), Float(sumDyXhat))
                        let scale = (pw?[c] ?? 1) * invstd
                        let (meanDy, meanDyXhat) = (Float(sumDy / Double(count)), Float(sumDyXhat / Double(count)))
                        keel_bn_input_gradient(
                            dy + offset, x + offset, pdx + offset, batch, stride, inner, m, invstd, scale, meanDy, meanDyXhat,
                            gate, reluScale, reluShift)
                    }
                }
            }
        }
    }
    return (dx, dWeight, dBias)
}
