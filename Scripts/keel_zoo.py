"""PyTorch definitions of Keel's model zoo (`keel models`), with the same state_dict names as Keel's builders
(Sources/KeelTrain/Zoo, ReferenceModels.swift), so `load_state_dict(strict=True)` takes Keel's model.safetensors.
Used by Scripts/check_pytorch_load.py and Scripts/bench_peers.py. Needs torch."""
import torch.nn as nn


class Residual(nn.Module):
    """body(x) + shortcut(x), the identity when there is no shortcut (Keel's `Residual`)."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body, self.shortcut = body, shortcut

    def forward(self, x):
        return self.body(x) + (self.shortcut(x) if self.shortcut is not None else x)


def _tail(features, classes, dropout):
    return ([nn.Dropout(dropout)] if dropout > 0 else []) + [nn.Linear(features, classes)]


def lenet5(shape, classes, dropout=0.0):
    side = lambda n: (n // 2 - 4) // 2
    return nn.Sequential(nn.Conv2d(shape[0], 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * side(shape[1]) * side(shape[2]), 120), nn.ReLU(),
                         nn.Linear(120, 84), nn.ReLU(), *_tail(84, classes, dropout))


def vgg_small(shape, classes, dropout=0.0):
    layers, cin = [], shape[0]
    for width in (32, 64, 128):
        for _ in range(2):
            layers += [nn.Conv2d(cin, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
            cin = width
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), *_tail(128, classes, dropout))


def resnet20(shape, classes, dropout=0.0):
    def block(cin, cout, stride):
        body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                             nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        shortcut = None
        if stride != 1 or cin != cout:
            shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        return Residual(body, shortcut)

    layers, cin = [nn.Conv2d(shape[0], 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for stage, width in enumerate((16, 32, 64)):
        for b in range(3):
            layers += [block(cin, width, 2 if stage > 0 and b == 0 else 1), nn.ReLU()]
            cin = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), *_tail(64, classes, dropout))


def mobilenet_tiny(shape, classes, dropout=0.0):
    layers, cin = [nn.Conv2d(shape[0], 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for width, stride in ((32, 2), (64, 2), (128, 2), (128, 1)):
        layers += [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(),
                   nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        cin = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), *_tail(128, classes, dropout))


def mlp(shape, classes, dropout=0.0):
    features = 1
    for s in shape:
        features *= s
    return nn.Sequential(nn.Flatten(), nn.Linear(features, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         *_tail(128, classes, dropout))


def cnn(shape, classes, dropout=0.0):
    side = lambda n: ((n - 2) // 2 - 2) // 2
    return nn.Sequential(nn.Conv2d(shape[0], 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * side(shape[1]) * side(shape[2]), 128), nn.ReLU(),
                         *_tail(128, classes, dropout))


MODELS = {"mlp": mlp, "cnn": cnn, "lenet5": lenet5, "vgg-small": vgg_small, "resnet20": resnet20,
          "mobilenet-tiny": mobilenet_tiny}


ACTIVATIONS = {"identity": lambda p: nn.Identity(), "linear": lambda p: nn.Identity(), "sigmoid": lambda p: nn.Sigmoid(),
               "tanh": lambda p: nn.Tanh(), "relu": lambda p: nn.ReLU(),
               "leaky_relu": lambda p: nn.LeakyReLU(0.01 if p is None else p), "softplus": lambda p: nn.Softplus(1 if p is None else p),
               "elu": lambda p: nn.ELU(1 if p is None else p), "selu": lambda p: nn.SELU(), "celu": lambda p: nn.CELU(1 if p is None else p),
               "gelu": lambda p: nn.GELU(), "gelu_tanh": lambda p: nn.GELU(approximate="tanh"), "silu": lambda p: nn.SiLU(),
               "swish": lambda p: nn.SiLU(), "mish": lambda p: nn.Mish(), "hardsigmoid": lambda p: nn.Hardsigmoid(),
               "hardswish": lambda p: nn.Hardswish(), "relu6": lambda p: nn.ReLU6(), "softsign": lambda p: nn.Softsign(),
               "logsigmoid": lambda p: nn.LogSigmoid()}


def _same_padding(kernel, dilation):
    k = kernel if isinstance(kernel, list) else [kernel, kernel]
    d = dilation if isinstance(dilation, list) else [dilation, dilation]
    return (d[0] * (k[0] - 1) // 2, d[1] * (k[1] - 1) // 2)


def _pair(value):
    return tuple(value) if isinstance(value, list) else value


def _layer(entry):
    """One layer of a Keel model file (a name, an activation spec, or a one-key mapping of arguments) in PyTorch."""
    if isinstance(entry, str):
        if entry == "flatten":
            return nn.Flatten()
        if entry == "identity":
            return nn.Identity()
        name, _, parameter = entry.partition(":")
        return ACTIVATIONS[name.lower()](float(parameter) if parameter else None)
    (kind, a), = entry.items()
    a = a or {}
    if kind == "residual":
        shortcut = a.get("shortcut")
        return Residual(build_layers(a["body"]), build_layers(shortcut) if shortcut is not None else None)
    if kind == "linear":
        return nn.Linear(a["in"], a["out"], bias=a.get("bias", True))
    if kind == "conv2d":
        padding = a.get("padding", 0)
        if padding == "same":
            padding = _same_padding(a["kernel"], a.get("dilation", 1))
        return nn.Conv2d(a["in"], a["out"], _pair(a["kernel"]), stride=_pair(a.get("stride", 1)), padding=_pair(padding),
                         dilation=_pair(a.get("dilation", 1)), groups=a.get("groups", 1), bias=a.get("bias", True))
    if kind in ("batchnorm1d", "batchnorm2d"):
        cls = nn.BatchNorm1d if kind == "batchnorm1d" else nn.BatchNorm2d
        return cls(a["features"], eps=a.get("eps", 1e-5), momentum=a.get("momentum", 0.1), affine=a.get("affine", True))
    if kind == "layernorm":
        return nn.LayerNorm(a["shape"], eps=a.get("eps", 1e-5), elementwise_affine=a.get("affine", True))
    if kind == "groupnorm":
        return nn.GroupNorm(a["groups"], a["channels"], eps=a.get("eps", 1e-5), affine=a.get("affine", True))
    if kind == "local_response_norm":
        return nn.LocalResponseNorm(a["size"], alpha=a.get("alpha", 1e-4), beta=a.get("beta", 0.75), k=a.get("k", 1))
    if kind == "maxpool2d":
        return nn.MaxPool2d(_pair(a["kernel"]), stride=_pair(a.get("stride", a["kernel"])), padding=_pair(a.get("padding", 0)),
                            dilation=_pair(a.get("dilation", 1)), ceil_mode=a.get("ceil_mode", False))
    if kind == "avgpool2d":
        return nn.AvgPool2d(_pair(a["kernel"]), stride=_pair(a.get("stride", a["kernel"])), padding=_pair(a.get("padding", 0)),
                            ceil_mode=a.get("ceil_mode", False), count_include_pad=a.get("count_include_pad", True))
    if kind == "adaptive_avg_pool2d":
        return nn.AdaptiveAvgPool2d(_pair(a["size"]))
    if kind == "dropout":
        return nn.Dropout(a.get("p", 0.5))
    raise SystemExit(f"unknown layer {kind}")


def build_layers(entries):
    """A Keel model file's list of layers as nn.Sequential (same state_dict names: 0.weight, 3.body.0.weight, …)."""
    return nn.Sequential(*[_layer(entry) for entry in entries])


def build_from_model_file(spec):
    """The network a Keel model file describes (`spec`: the parsed YAML, or model.json's "network")."""
    return build_layers(spec["layers"])


def build(name, shape, classes, dropout=0.0):
    """The zoo model `name` for samples of `shape` ([C, H, W] or [features]) and `classes` classes."""
    if name not in MODELS:
        raise SystemExit(f"unknown model {name}; known: {', '.join(MODELS)}")
    return MODELS[name](shape, classes, dropout)
