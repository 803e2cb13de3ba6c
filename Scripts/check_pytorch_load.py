#!/usr/bin/env python3
"""Loads a model trained by `keel train` — any zoo model (Scripts/keel_zoo.py) or a model file (`--model FILE.yaml`,
built here from the same file, or from the copy in model.json) on an MNIST- or CIFAR-format dataset — into the
equivalent PyTorch model with load_state_dict(strict=True) and checks that both give the same logits on test images.

Development tool (needs torch, safetensors, numpy; PyYAML for --model-file); CI does not run it.

    swift build -c release && .build/release/keel train --out runs/cnn
    python3 Scripts/check_pytorch_load.py runs/cnn [--count 10] [--keel .build/release/keel] [--model-file my.yaml]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
EMBEDDED = os.path.join(HERE, "..", "Sources", "KeelData", "Resources", "mnist-5k")


sys.path.insert(0, HERE)
import keel_zoo  # noqa: E402  (Keel's zoo in PyTorch, with Keel's state_dict names)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data[4 + 4 * rank:], dtype=np.uint8).reshape(shape)


def test_images(dataset, count):
    """The first `count` test images as float32 [N, C, H, W] in [0, 1]: MNIST IDX files or CIFAR binary batches."""
    folder = EMBEDDED if dataset == "mnist-5k" else dataset
    for cifar in ("test_batch.bin", "test.bin"):
        path = os.path.join(folder, cifar)
        if os.path.exists(path):
            label_bytes = 1 if cifar == "test_batch.bin" else 2
            raw = np.fromfile(path, dtype=np.uint8).reshape(-1, label_bytes + 3072)[:count, label_bytes:]
            return raw.reshape(-1, 3, 32, 32).astype(np.float32) / 255
    name = "t10k-images-idx3-ubyte"
    path = os.path.join(folder, name + ".gz") if os.path.exists(os.path.join(folder, name + ".gz")) else os.path.join(folder, name)
    return read_idx(path)[:count].astype(np.float32)[:, None] / 255


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--keel", default=os.path.join(HERE, "..", ".build", "release", "keel"))
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--model-file", help="the model file the run was trained with (default: the copy in model.json)")
    args = parser.parse_args()

    description = json.load(open(os.path.join(args.model_dir, "model.json")))
    if args.model_file:
        import yaml
        model = keel_zoo.build_from_model_file(yaml.safe_load(open(args.model_file)))
    elif "network" in description:
        model = keel_zoo.build_from_model_file(description["network"])
    else:
        model = keel_zoo.build(description["model"], description["input_shape"], description["classes"], description.get("dropout", 0.0))
    state = load_file(os.path.join(args.model_dir, "model.safetensors"))
    # Keel stores every tensor as float32; PyTorch's batch-norm step counter is an integer.
    state = {k: (v.long() if k.endswith("num_batches_tracked") else v) for k, v in state.items()}
    model.load_state_dict(state, strict=True)
    model.eval()

    images = test_images(description["dataset"], args.count)
    norm = description["normalizer"]
    if norm["method"] in ("standard", "minmax", "minmax-symmetric"):
        # One shift and scale per channel (axis 1), as Keel's per-channel normalizer applies them.
        shift = np.array(norm["shift"], dtype=np.float32).reshape(1, -1, 1, 1)
        scale = np.array(norm["scale"], dtype=np.float32).reshape(1, -1, 1, 1)
        images = (images - shift) * scale
    elif norm["method"] != "none":
        raise SystemExit(f"normalizer {norm['method']} not handled by this script")
    with torch.no_grad():
        torch_logits = model(torch.from_numpy(np.ascontiguousarray(images))).numpy()

    out = subprocess.run([args.keel, "predict", "--model", args.model_dir, "--json"] +
                         [f"#{i}" for i in range(args.count)], check=True, capture_output=True, text=True).stdout
    keel_logits = np.array([json.loads(line)["logits"] for line in out.strip().splitlines()])
    diff = float(np.abs(keel_logits - torch_logits).max())
    same_class = bool((keel_logits.argmax(1) == torch_logits.argmax(1)).all())
    print(json.dumps({"model": description["model"], "images": args.count, "strict_load": True,
                      "max_abs_logit_difference": diff, "same_predictions": same_class}))
    return 0 if diff <= args.tolerance and same_class else 1


if __name__ == "__main__":
    sys.exit(main())
