#!/usr/bin/env python3
"""PyTorch peer of `keel train`'s default recipe, for side-by-side timing on the same machine.

The reference CNN with dropout 0.5 before the last layer, inputs z-scored with the training split's mean and
std, RandomAffine(degrees=12, translate=(0.1, 0.1), scale=(0.9, 1.1)) on every training image (torchvision,
fill 0, applied before normalization as Keel does), SGD lr 0.05 momentum 0.9 with a one-cycle schedule over 25
epochs of batch 64, on the embedded MNIST-5k. Prints one JSON line: training seconds (the 25 epochs, not the
final test pass), test accuracy, samples/s.

Development tool only (needs torch, torchvision, numpy); Keel never needs Python.

    python3 Scripts/train_peer.py --threads 2 [--workers 0|1] [--epochs 25]

To imitate a CPU without AVX-512 on one that has it, run it with
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2
next to `keel train --cpu avx2`.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
from torchvision.transforms import v2

HERE = os.path.dirname(os.path.abspath(__file__))
EMBEDDED = os.path.join(HERE, "..", "Sources", "KeelData", "Resources", "mnist-5k")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


class Augmented(torch.utils.data.Dataset):
    def __init__(self, images, labels, mean, std):
        self.images, self.labels, self.mean, self.std = images, labels, mean, std
        self.affine = v2.RandomAffine(degrees=12, translate=(0.1, 0.1), scale=(0.9, 1.1), fill=0)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return (self.affine(self.images[i]) - self.mean) / self.std, self.labels[i]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes for the augmentation")
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def load(prefix):
        x = torch.from_numpy(read_idx(os.path.join(EMBEDDED, f"{prefix}-images-idx3-ubyte.gz")).copy()).float() / 255
        y = torch.from_numpy(read_idx(os.path.join(EMBEDDED, f"{prefix}-labels-idx1-ubyte.gz")).copy()).long()
        return x.unsqueeze(1), y

    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    mean, std = train_x.mean(), train_x.std()
    net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(128, 10))
    loader = torch.utils.data.DataLoader(Augmented(train_x, train_y, mean, std), batch_size=64, shuffle=True,
                                         num_workers=args.workers, persistent_workers=args.workers > 0)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=args.epochs * len(loader))
    started = time.perf_counter()
    for _ in range(args.epochs):
        net.train()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
            schedule.step()
    seconds = time.perf_counter() - started
    net.eval()
    with torch.no_grad():
        accuracy = (net((test_x - mean) / std).argmax(1) == test_y).float().mean().item()
    print(json.dumps({"peer": "torch", "torch": torch.__version__, "threads": args.threads, "workers": args.workers,
                      "epochs": args.epochs, "train_seconds": round(seconds, 2), "test_accuracy": round(accuracy, 4),
                      "samples_per_second": round(args.epochs * len(train_y) / seconds, 1),
                      "cpu_capability": torch.backends.cpu.get_cpu_capability()}))


if __name__ == "__main__":
    main()
