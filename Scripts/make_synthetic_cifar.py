#!/usr/bin/env python3
"""Writes a synthetic CIFAR-10 binary folder: data_batch_1.bin … data_batch_5.bin, test_batch.bin and
batches.meta.txt, with classes that differ in colour statistics (each class has its own mean RGB colour and a
stripe orientation, plus noise), so a small network learns it in a few epochs.

Usage: Scripts/make_synthetic_cifar.py DIR [--train N] [--test N] [--seed S]"""
import argparse, os, random

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--train", type=int, default=1000)
parser.add_argument("--test", type=int, default=200)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
rng = random.Random(args.seed)
colours = [(rng.randint(40, 215), rng.randint(40, 215), rng.randint(40, 215)) for _ in range(10)]


def record(label):
    mean = colours[label]
    horizontal = label % 2 == 0
    planes = []
    for c in range(3):
        plane = bytearray(1024)
        for y in range(32):
            for x in range(32):
                stripe = 25 if ((y if horizontal else x) // 4) % 2 == 0 else -25
                plane[y * 32 + x] = max(0, min(255, int(mean[c] + stripe + rng.gauss(0, 30))))
        planes.append(bytes(plane))
    return bytes([label]) + b"".join(planes)


os.makedirs(args.dir, exist_ok=True)
train = [record(i % 10) for i in range(args.train)]
per = (len(train) + 4) // 5
for b in range(5):
    open(os.path.join(args.dir, f"data_batch_{b + 1}.bin"), "wb").write(b"".join(train[b * per:(b + 1) * per]))
open(os.path.join(args.dir, "test_batch.bin"), "wb").write(b"".join(record(i % 10) for i in range(args.test)))
names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
open(os.path.join(args.dir, "batches.meta.txt"), "w").write("\n".join(names) + "\n")
print(f"wrote {args.train} training and {args.test} test records to {args.dir}")
