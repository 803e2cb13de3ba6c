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


def build(name, shape, classes, dropout=0.0):
    """The zoo model `name` for samples of `shape` ([C, H, W] or [features]) and `classes` classes."""
    if name not in MODELS:
        raise SystemExit(f"unknown model {name}; known: {', '.join(MODELS)}")
    return MODELS[name](shape, classes, dropout)
