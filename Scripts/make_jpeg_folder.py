#!/usr/bin/env python3
"""Writes an image folder of JPEG files for measuring Keel's streamed image pipeline: CLASSES sub-folders of
224×224 (--size) RGB images whose classes differ in colour and texture (smooth noise around a class colour, a
bright square at a class-dependent place). Development tool (needs numpy and Pillow).

    python3 Scripts/make_jpeg_folder.py /tmp/jpegs --images 5000 --classes 10
"""
import argparse
import os

import numpy as np
from PIL import Image


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    colours = rng.uniform(40, 215, size=(args.classes, 3))
    s = args.size
    for c in range(args.classes):
        os.makedirs(os.path.join(args.out, f"class{c:02d}"), exist_ok=True)
    for i in range(args.images):
        c = i % args.classes
        coarse = rng.normal(0, 30, size=(s // 16 + 1, s // 16 + 1, 3))
        noise = np.kron(coarse, np.ones((16, 16, 1)))[:s, :s] + rng.normal(0, 12, size=(s, s, 3))
        image = np.clip(colours[c] + noise, 0, 255)
        y, x = (c * 37) % (s // 2), (c * 53) % (s // 2)
        image[y:y + s // 4, x:x + s // 4] = 250
        Image.fromarray(image.astype(np.uint8)).save(os.path.join(args.out, f"class{c:02d}", f"{i:05d}.jpg"), quality=90)
    print(f"wrote {args.images} images of {s}×{s} in {args.classes} classes to {args.out}")


if __name__ == "__main__":
    main()
