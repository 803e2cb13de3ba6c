#!/usr/bin/env python3
"""Writes Tests/Fixtures/cifar-reference/: small CIFAR-10 and CIFAR-100 binary folders of random bytes and
reference.json, what an independent reader (the format as the CIFAR page documents it: per record 1 label byte —
CIFAR-100: coarse then fine — then 1024 red, 1024 green, 1024 blue bytes, row-major 32×32) makes of them: labels
and every pixel byte in [C, H, W] order. Keel's CIFAR reader must give the same bytes (CIFARTests).
Development tool (pure Python)."""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "Fixtures", "cifar-reference")


def reference_read(path, label_bytes):
    """Labels (the fine label for CIFAR-100) and images as lists of 3·32·32 bytes, channel-major."""
    data = open(path, "rb").read()
    size = label_bytes + 3072
    assert len(data) % size == 0
    labels, images = [], []
    for start in range(0, len(data), size):
        record = data[start:start + size]
        labels.append(record[label_bytes - 1])
        red, green, blue = record[label_bytes:label_bytes + 1024], record[label_bytes + 1024:label_bytes + 2048], record[label_bytes + 2048:]
        images.append([red[y * 32 + x] for y in range(32) for x in range(32)] + [green[i] for i in range(1024)] + [blue[i] for i in range(1024)])
    return labels, images


def main():
    rng = random.Random(10)
    reference = {"generator": "Scripts/make_cifar_reference.py"}
    layouts = {"cifar10": (1, {"data_batch_1.bin": 2, "data_batch_2.bin": 1, "test_batch.bin": 2}),
               "cifar100": (2, {"train.bin": 2, "test.bin": 1})}
    for variant, (label_bytes, files) in layouts.items():
        folder = os.path.join(OUT, variant)
        os.makedirs(folder, exist_ok=True)
        for name, count in files.items():
            records = b""
            for _ in range(count):
                labels = [rng.randrange(20), rng.randrange(100)] if label_bytes == 2 else [rng.randrange(10)]
                records += bytes(labels) + bytes(rng.randrange(256) for _ in range(3072))
            with open(os.path.join(folder, name), "wb") as f:
                f.write(records)
        splits = {}
        for split, names in [("train", [n for n in files if not n.startswith("test")]), ("test", [n for n in files if n.startswith("test")])]:
            labels, images = [], []
            for name in sorted(names):
                l, i = reference_read(os.path.join(folder, name), label_bytes)
                labels += l
                images += i
            splits[split] = {"labels": labels, "pixels": [b for image in images for b in image]}
        reference[variant] = splits
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(reference, f)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
