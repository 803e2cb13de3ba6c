#!/usr/bin/env python3
"""Runs `keel augment` for every case of Tests/Fixtures/augment-torchvision/cases.json and compares the
output PNG with torchvision's: mean |difference| ≤ 0.5/255 and ≥ 99.5 % of values within 2/255.
Standard library only (a minimal PNG reader). Usage: Scripts/check_augment_cli.py [keel binary]"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "Tests", "Fixtures", "augment-torchvision")
KEEL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".build", "release", "keel")


def read_png(path):
    """8-bit, non-interlaced gray/RGB/RGBA PNG → (width, height, channels, bytes)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, (depth, interlace)
            channels = {0: 1, 2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    out, prev = bytearray(), bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return width, height, channels, bytes(out)


def main():
    cases = []
    for folder in ("augment-torchvision", "augment-extra"):
        base = os.path.join(CASES, "..", folder)
        for case in json.load(open(os.path.join(base, "cases.json")))["cases"]:
            case["output"] = os.path.join(base, case["output"])
            cases.append(case)
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for case in cases:
            out = os.path.join(work, "out.png")
            subprocess.run([KEEL, "augment", os.path.join(CASES, "input.png"), f"--op={case['op']}", "--out", out],
                           check=True, capture_output=True)
            w1, h1, c1, ours = read_png(out)
            w2, h2, c2, theirs = read_png(case["output"])
            if (w1, h1, c1) != (w2, h2, c2):
                print(f"MISMATCH {case['op']}: shape {(h1, w1, c1)} vs {(h2, w2, c2)}")
                ok = False
                continue
            diffs = [abs(a - b) for a, b in zip(ours, theirs)]
            mean = sum(diffs) / len(diffs)
            within = sum(d <= 2 for d in diffs) / len(diffs)
            good = mean <= 0.5 and within >= 0.995
            ok &= good
            print(f"{'ok' if good else 'MISMATCH'} {case['op']}: mean |Δ| {mean:.4f}/255, {within * 100:.2f} % within 2/255")
    print("keel augment reproduced every torchvision case" if ok else "augment check FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
