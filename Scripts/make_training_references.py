#!/usr/bin/env python3
"""Writes Tests/Fixtures/clip-grad-norm-torch.json: torch.nn.utils.clip_grad_norm_ on seeded gradients (the total
norm it returns and the clipped gradients) for max_norm values that clip and one that does not. Development tool
(needs torch)."""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def fixture(t):
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def main():
    g = torch.Generator().manual_seed(16)
    cases = []
    for max_norm, shapes in [(1.0, [[3, 4], [4], [2, 3, 3]]), (0.25, [[5], [7, 2]]), (100.0, [[3, 3], [3]])]:
        params = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
        for p in params:
            p.grad = torch.randn(p.shape, generator=g) * 2
        before = [fixture(p.grad.clone()) for p in params]
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        cases.append({"max_norm": max_norm, "grads": before, "total_norm": total.item(), "clipped": [fixture(p.grad) for p in params]})
    out = os.path.join(HERE, "..", "Tests", "Fixtures", "clip-grad-norm-torch.json")
    with open(out, "w") as f:
        json.dump({"generator": "Scripts/make_training_references.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
