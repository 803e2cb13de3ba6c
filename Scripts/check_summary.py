#!/usr/bin/env python3
"""`keel summary --json` against PyTorch for every zoo model: the parameter count equals
sum(p.numel() for p in model.parameters()) of the same network (Scripts/keel_zoo.py), and the multiply-accumulates
equal those counted by forward hooks on PyTorch's Conv2d and Linear layers. Development tool (needs torch).

    swift build -c release && python3 Scripts/check_summary.py [--keel .build/release/keel]
"""
import argparse
import json
import os
import subprocess
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import keel_zoo  # noqa: E402

TYPICAL = {"mlp": [1, 28, 28], "cnn": [1, 28, 28], "lenet5": [1, 28, 28]}


def torch_macs(model, shape):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            total += output.numel() * module.weight.shape[1] * module.weight.shape[2] * module.weight.shape[3]
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.zeros([1] + shape))
    for h in handles:
        h.remove()
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=os.path.join(HERE, "..", ".build", "release", "keel"))
    args = parser.parse_args()
    ok = True
    for name in keel_zoo.MODELS:
        shape = TYPICAL.get(name, [3, 32, 32])
        keel = json.loads(subprocess.run([args.keel, "summary", "--model", name, "--json"], check=True, capture_output=True, text=True).stdout)
        model = keel_zoo.build(name, shape, 10)
        parameters = sum(p.numel() for p in model.parameters())
        macs = torch_macs(model, shape)
        same = keel["parameters"] == parameters and keel["macs"] == macs
        ok &= same
        print(json.dumps({"model": name, "keel_parameters": keel["parameters"], "torch_parameters": parameters,
                          "keel_macs": keel["macs"], "torch_macs": macs, "equal": same}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
