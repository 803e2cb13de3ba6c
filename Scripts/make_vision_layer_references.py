#!/usr/bin/env python3
"""Writes Tests/Fixtures/layers-vision-torch.json: PyTorch reference values for the layers of the standard small
vision networks (issue 15) — grouped and depthwise convolution, bias-free convolution, padding='same', pooling
with ceil_mode, adaptive average pooling and a residual block with a projection shortcut. Each case: the config, the input, the
parameters (and buffers) by state_dict name, the output, an upstream gradient, and the gradients of
sum(output * upstream) for the input and every parameter. Needs torch; run from the repository root."""
import json
import torch

torch.manual_seed(15)
torch.use_deterministic_algorithms(True)


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().double().flatten()]}


def case(layer, config, module, input_shape, training=True):
    x = torch.randn(*input_shape, dtype=torch.float64, requires_grad=True)
    module = module.double()
    module.train(training)
    state = {k: tensor(v) for k, v in module.state_dict().items()}
    y = module(x)
    upstream = torch.randn_like(y)
    (y * upstream).sum().backward()
    return {"layer": layer, "config": config, "input": tensor(x), "parameters": state, "output": tensor(y),
            "upstream": tensor(upstream), "grad_input": tensor(x.grad),
            "grad_parameters": {k: tensor(p.grad) for k, p in module.named_parameters()}}


class Residual(torch.nn.Module):
    """body(x) + shortcut(x) (identity when there is no shortcut): the names Keel's Residual uses."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (self.shortcut(x) if self.shortcut is not None else x)


def basic_block(cin, cout, stride):
    body = torch.nn.Sequential(
        torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.ReLU(),
        torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(cout))
    shortcut = None
    if stride != 1 or cin != cout:
        shortcut = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm2d(cout))
    return Residual(body, shortcut)


cases = [
    case("conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1,
                    "groups": 2, "bias": False}, torch.nn.Conv2d(4, 6, 3, 1, 1, groups=2, bias=False), (2, 4, 6, 5)),
    case("conv2d", {"in_channels": 3, "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1,
                    "groups": 3, "bias": True}, torch.nn.Conv2d(3, 3, 3, 2, 1, groups=3), (2, 3, 7, 8)),
    case("conv2d", {"in_channels": 2, "out_channels": 6, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1,
                    "groups": 2, "bias": True}, torch.nn.Conv2d(2, 6, 3, groups=2), (1, 2, 5, 5)),
    case("conv2d_same", {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "dilation": 1, "bias": True},
         torch.nn.Conv2d(2, 3, 3, padding="same"), (2, 2, 5, 6)),
    case("conv2d_same", {"in_channels": 2, "out_channels": 2, "kernel_size": 5, "dilation": 2, "bias": False},
         torch.nn.Conv2d(2, 2, 5, padding="same", dilation=2, bias=False), (1, 2, 9, 10)),
    case("adaptive_avg_pool2d", {"output_size": [1, 1]}, torch.nn.AdaptiveAvgPool2d(1), (2, 3, 5, 7)),
    case("adaptive_avg_pool2d", {"output_size": [2, 3]}, torch.nn.AdaptiveAvgPool2d((2, 3)), (2, 2, 5, 7)),
    case("max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 0, "ceil_mode": True},
         torch.nn.MaxPool2d(3, 2, ceil_mode=True), (2, 2, 7, 8)),
    case("max_pool2d", {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
         torch.nn.MaxPool2d(2, 2, padding=1, ceil_mode=True), (1, 2, 5, 6)),
    case("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 0, "count_include_pad": True, "ceil_mode": True},
         torch.nn.AvgPool2d(3, 2, ceil_mode=True), (2, 2, 7, 8)),
    case("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True},
         torch.nn.AvgPool2d(3, 2, padding=1, count_include_pad=False, ceil_mode=True), (1, 2, 6, 7)),
    case("residual", {"in_channels": 4, "out_channels": 8, "stride": 2}, basic_block(4, 8, 2), (2, 4, 6, 6)),
    case("residual", {"in_channels": 3, "out_channels": 3, "stride": 1}, basic_block(3, 3, 1), (2, 3, 5, 5)),
]
out = {"source": f"PyTorch {torch.__version__}, float64, Scripts/make_vision_layer_references.py", "cases": cases}
json.dump(out, open("Tests/Fixtures/layers-vision-torch.json", "w"))
print(f"wrote {len(cases)} cases")
