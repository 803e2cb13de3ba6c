#!/usr/bin/env python3
"""Runs `keel activation` for every element-wise case of the PyTorch reference file at every kernel level this
CPU has, checks each value and derivative within 1e-6 + 1e-5·|ref|, and checks that every level prints the
same numbers (Keel's kernels give the same bits at every level). Also extreme inputs (±1e4, ±1e3, ±88.7,
subnormals), which must come out finite and identical at every level. Standard library only.
Usage: Scripts/check_activations_cli.py [keel binary]"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "Fixtures")
KEEL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".build", "release", "keel")
EXTREMES = [-1e4, -1000, -103.9, -88.72, -88.7, -30, -1e-40, -1e-45, 0, 1e-45, 1e-40, 30, 88.7, 88.72, 103.9, 1000, 1e4]
FLAGS = {"negative_slope": "--negative-slope", "alpha": "--alpha", "beta": "--beta", "threshold": "--threshold"}


def run(level, name, params, xs):
    args = [KEEL, "activation", name, "--x=" + ",".join(repr(float(x)) for x in xs), "--format=json", f"--cpu={level}"]
    args += [f"{FLAGS[k]}={v}" for k, v in params.items() if k in FLAGS]  # gelu's approximate is in its name
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def within(value, reference):
    return abs(value - reference) <= 1e-6 + 1e-5 * abs(reference)


def main():
    levels = json.loads(subprocess.run([KEEL, "info", "--json"], check=True, capture_output=True, text=True).stdout)["levels"]
    ok, count = True, 0
    for case in json.load(open(os.path.join(FIXTURES, "activations-torch.json")))["cases"]:
        if "x" not in case:
            continue
        name = "leaky_relu" if case["activation"] == "leaky_relu_0.5" else case["activation"]
        params = case.get("params") or {}
        outputs = {}
        for level in levels:
            got = run(level, name, params, case["x"])
            outputs[level] = got
            for key, reference in (("y", case["y"]), ("dy", case["dy"])):
                bad = [(x, g, r) for x, g, r in zip(case["x"], got[key], reference) if not within(g, r)]
                if bad:
                    print(f"MISMATCH {case['activation']} {key} at {level}: {bad[:3]}")
                    ok = False
            extreme = run(level, name, params, EXTREMES)
            if not all(abs(v) < float("inf") for v in extreme["y"] + extreme["dy"]):
                print(f"NOT FINITE {case['activation']} at {level}: {extreme}")
                ok = False
            outputs[level + " extreme"] = extreme
            count += 1
        first = levels[0]
        for level in levels[1:]:
            for suffix in ("", " extreme"):
                if outputs[level + suffix] != outputs[first + suffix]:
                    print(f"LEVELS DIFFER {case['activation']}{suffix}: {first} vs {level}")
                    ok = False
    print(f"{count} activation cases × levels checked at {', '.join(levels)}: {'all match' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
