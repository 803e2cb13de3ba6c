/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) with autograd.
///
/// Shapes: input [N, C, H, W], weight [OC, C, KH, KW], bias [OC] → [N, OC, OH, OW] with
/// OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1 (likewise OW).
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
    stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1)
) -> Tensor {
    conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, relu: false)
}

/// Grouped 2-D convolution (PyTorch's `groups`): the input's C channels and the weight's OC filters are split into
/// `groups` equal parts and part g of the input is convolved with part g of the filters; the outputs are stacked
/// along the channels. Shapes: input [N, C, H, W], weight [OC, C / groups, KH, KW], bias [OC] → [N, OC, OH, OW].
/// `groups == C` is a depthwise convolution.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), groups: Int
) -> Tensor {
    guard groups != 1 else { return conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation) }
    ensure(input.rank == 4 && weight.rank == 4, "conv2d: input [N, C, H, W] and weight [OC, C/groups, KH, KW], got \(input.shape), \(weight.shape)")
    let (channels, filters) = (input.shape[1], weight.shape[0])
    ensure(
        groups > 0 && channels % groups == 0 && filters % groups == 0 && weight.shape[1] * groups == channels,
        "conv2d: input of shape \(input.shape) and weight of shape \(weight.shape) do not split into \(groups) groups")
    let (inPer, outPer) = (channels / groups, filters / groups)
    let parts = (0..<groups).map { g in
        conv2d(
            input.slice(axis: 1, (g * inPer)..<((g + 1) * inPer)), weight: weight.slice(axis: 0, (g * outPer)..<((g + 1) * outPer)),
            bias: bias?.slice(axis: 0, (g * outPer)..<((g + 1) * outPer)), stride: stride, padding: padding, dilation: dilation)
    }
    return Tensor.concatenate(parts, axis: 1)
}

/// `relu(conv2d(…))` in one pass: the ReLU is applied as the output is written, and its derivative as the
/// gradient is read — the same bits as the two ops, without the two extra passes over the activations.
/// (`Sequential` uses it for a convolution followed by a ReLU layer that records no statistics.)
func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
    dilation: (Int, Int), relu: Bool
) -> Tensor {
    ensure(input.rank == 4, "conv2d: input must be [N, C, H, W], got shape \(input.shape)")
    ensure(weight.rank == 4, "conv2d: weight must be [OC, C, KH, KW], got shape \(weight.shape)")
    ensure(
        weight.shape[1] == input.shape[1],
        "conv2d: input of shape \(input.shape) has \(input.shape[1]) channels but weight of shape " + "\(weight.shape) expects \(weight.shape[1])")
    if let bias {
        ensure(
            bias.shape == [weight.shape[0]],
            "conv2d: bias of shape \(bias.shape) does not match weight of shape \(weight.shape)")
    }
    let window = Window2D(kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
    window.validate(op: "conv2d", inputShape: input.shape)
    let out = window.outputSize(height: input.shape[2], width: input.shape[3])
    let d = ConvolutionKernel.Dimensions(
        batch: input.shape[0], inChannels: input.shape[1], height: input.shape[2],
        width: input.shape[3], outChannels: weight.shape[0],
        outHeight: out.height, outWidth: out.width, window: window)
    var y = Tensor(uninitializedShape: [d.batch, d.outChannels, d.outHeight, d.outWidth])
    let px = input.storage.pointer
    let pw = weight.storage.pointer
    let pb = bias?.storage.pointer
    y.withUnsafeMutablePointer { ConvolutionKernel.forward(x: px, weight: pw, bias: pb, y: $0, relu: relu, d) }
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    // The output's buffer (not the tensor, whose node would hold this closure) for ReLU′.
    let output = relu ? y.storage : nil
    // Batch shards: each shard's weight and bias gradients as its own backward pass gives them, added by the tree.
    let shards = BatchShards.current(batch: d.batch).flatMap { $0.ranges.count > 1 ? $0 : nil }
    return Tensor.record(y, op: relu ? "conv2d+relu" : "conv2d", inputs: inputs) { [input, weight, output] g, needs in
        // Pointers are taken from the captured tensors, which keep their buffers alive.
        let px = input.storage.pointer
        let pw = weight.storage.pointer
        let dx = needs[0] ? Tensor(uninitializedShape: input.shape) : nil
        let dw = needs[1] ? Tensor(uninitializedShape: weight.shape) : nil
        let db = needs.count > 2 && needs[2] ? Tensor(uninitializedShape: [d.outChannels]) : nil
        guard dx != nil || dw != nil || db != nil else { return [dx, dw, db] }
        guard let shards else {
            ConvolutionKernel.backward(
                x: px, weight: pw, dy: g.storage.pointer, dx: dx?.storage.pointer,
                dWeight: dw?.storage.pointer, dBias: db?.storage.pointer,
                reluOutput: output?.pointer, d)
            return [dx, dw, db]
        }
        // One backward pass per shard; dx lands in place, the shard's weight and bias gradients in the tree's buffers.
        let weightCount = weight.count
        var biasPartials: [UnsafeMutablePointer<Float>] = []
        defer { for p in biasPartials { p.deallocate() } }
        func shardPass(_ samples: Range<Int>, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
            var part = d
            part.batch = samples.count
            let first = samples.lowerBound
            ConvolutionKernel.backward(
                x: px + first * d.imageIn, weight: pw, dy: g.storage.pointer + first * d.imageOut,
                dx: dx.map { $0.storage.pointer + first * d.imageIn }, dWeight: dWeight, dBias: dBias,
                reluOutput: output.map { UnsafePointer($0.pointer) + first * d.imageOut }, part)
        }
        let weightTarget = dw?.storage.pointer ?? UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
        defer { if dw == nil { weightTarget.deallocate() } }
        shards.sum(count: weightCount, into: weightTarget) { samples, c in
            let bias = db == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: d.outChannels)
            if let bias { biasPartials.append(bias) }
            shardPass(samples, dWeight: c, dBias: bias)
        }
        if let db {
            // The bias partials were made in shard order (empty shards made none): add them by the same tree.
            var next = 0
            shards.sum(count: d.outChannels, into: db.storage.pointer) { _, c in
                c.update(from: biasPartials[next], count: d.outChannels)
                next += 1
            }
        }
        return [dx, dw, db]
    }
}

extension Tensor {
    /// Convolution with `weight` (see `conv2d(_:weight:bias:stride:padding:dilation:)`).
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)
    ) -> Tensor {
        Keel.conv2d(self, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }
}
