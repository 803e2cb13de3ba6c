#!/usr/bin/env python3
"""Writes Tests/Fixtures/losses-regression-torch.json: PyTorch's F.huber_loss and F.mse_loss (values and input
gradients) on seeded inputs with outliers, for Keel's regression losses. Development tool (needs torch)."""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def as_fixture(tensor):
    return {"shape": list(tensor.shape), "data": tensor.reshape(-1).tolist()}


def main():
    g = torch.Generator().manual_seed(15)
    cases = []
    for loss, delta, shape in [("huber", 1.0, [4, 3]), ("huber", 0.5, [7]), ("huber", 2.5, [3, 1]), ("mse", None, [5, 1])]:
        x = (torch.randn(shape, generator=g) * 2).requires_grad_(True)
        t = torch.randn(shape, generator=g) * 2
        with torch.no_grad():
            x.view(-1)[0] = t.view(-1)[0] + 6  # one outlier on the linear side
        value = F.huber_loss(x, t, delta=delta) if loss == "huber" else F.mse_loss(x, t)
        value.backward()
        cases.append({"loss": loss, "delta": delta, "input": as_fixture(x.detach()), "target": as_fixture(t),
                      "value": value.item(), "grad": x.grad.view(-1).tolist()})
    out = os.path.join(HERE, "..", "Tests", "Fixtures", "losses-regression-torch.json")
    with open(out, "w") as f:
        json.dump({"generator": "Scripts/make_regression_references.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
