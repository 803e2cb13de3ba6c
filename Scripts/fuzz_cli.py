#!/usr/bin/env python3
"""Mutation fuzzing of every `keel` reader from outside, as an adversary would.

Mutates valid files (IDX raw and gzipped, MNIST-format folders, CSV, safetensors, model.json, checkpoint
state, run configurations (config.yaml), PNG, JPEG) and generates adversarial flag and spec values, runs the `keel`
command that reads each
one, and sorts the outcomes:

  ok       exit 0
  error    a clean failure: exit status 1-127 and a message on stderr
  crash    killed by a signal (a Swift trap, an allocation abort) or exit >= 128
  hang     still running after --timeout seconds without progress
  slow     a training run still running at the time limit but checkpointing (a legitimately long job)

Usage: Scripts/fuzz_cli.py KEEL [--mutants N] [--seed S] [--jobs J] [--timeout T] [--out DIR] [--only FORMAT,...]
Prints one line per format and a JSON summary (DIR/summary.json); crashing and hanging inputs are kept under
DIR/findings/ with the command that ran them. Exits 1 if anything crashed or hung.
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTERESTING32 = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x10000, 0x40000000]
NUMBERS = ["0", "-1", "1e30", "-1e30", "nan", "inf", "-inf", "4294967295", "2147483647", "9223372036854775807",
           "18446744073709551616", "1e9", "1000000", "-0", "1e-45", "0.5", "3", "65536", "1e308", "-2147483648"]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
        op = rng.randrange(8)
        if not b:
            b = bytearray(rng.randbytes(rng.randrange(1, 16)))
            continue
        at = rng.randrange(len(b))
        # Headers matter most: half the edits land in the first 64 bytes.
        if rng.random() < 0.5:
            at = rng.randrange(min(64, len(b)))
        if op == 0:
            b[at] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[at] = rng.choice([0, 1, 0x7F, 0x80, 0xFF])
        elif op == 2 and at + 4 <= len(b):
            value = rng.choice(INTERESTING32)
            b[at:at + 4] = value.to_bytes(4, rng.choice(["big", "little"]))
        elif op == 3:
            end = min(len(b), at + rng.randrange(1, 64))
            del b[at:end]
        elif op == 4:
            end = min(len(b), at + rng.randrange(1, 64))
            b[at:at] = b[at:end] * rng.randrange(1, 4)
        elif op == 5:
            b = b[:rng.randrange(len(b) + 1)]
        elif op == 6:
            b[at:at] = rng.randbytes(rng.randrange(1, 16))
        else:
            b[at] = rng.randrange(256)
    return bytes(b)


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Replaces numbers with extreme ones (and sometimes structure) in JSON/CSV text; else bytes."""
    text = data.decode("utf-8", "replace")
    numbers = list(re.finditer(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text))
    if not numbers or rng.random() < 0.25:
        return mutate_bytes(data, rng)
    for _ in range(rng.choice([1, 1, 2, 3])):
        m = rng.choice(numbers)
        replacement = rng.choice(NUMBERS)
        if rng.random() < 0.1:
            replacement = rng.choice(['""', "[]", "{}", "null", "true", '"x"', "[0]", "[-1]", "[1e12]", ",", ""])
        text = text[:m.start()] + replacement + text[m.end():]
        numbers = list(re.finditer(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text))
        if not numbers:
            break
    return text.encode()


def idx(shape, payload: bytes) -> bytes:
    header = bytes([0, 0, 8, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)
    return header + payload


class Fuzzer:
    def __init__(self, keel, out, timeout):
        self.keel, self.out, self.timeout = keel, out, timeout
        self.work = os.path.join(out, "work")
        os.makedirs(self.work, exist_ok=True)

    def setup(self):
        """Trains the small runs whose files are mutated, and gathers the valid seeds."""
        w = self.work
        run = lambda *a: subprocess.run([self.keel, *a], check=True, stdout=subprocess.DEVNULL)
        if not os.path.exists(os.path.join(w, "mnist-run/model.safetensors")):
            run("train", "--model", "mlp", "--epochs", "1", "--recipe", "plain", "--quiet", "--out", os.path.join(w, "mnist-run"))
        if not os.path.exists(os.path.join(w, "iris-run/model.safetensors")):
            run("train", "--dataset", "iris", "--epochs", "1", "--quiet", "--out", os.path.join(w, "iris-run"))
        mnist = os.path.join(ROOT, "Sources/KeelData/Resources/mnist-5k")
        images = gzip.open(os.path.join(mnist, "t10k-images-idx3-ubyte.gz")).read()
        labels = gzip.open(os.path.join(mnist, "t10k-labels-idx1-ubyte.gz")).read()
        self.small_images = idx([40, 28, 28], images[16:16 + 40 * 784])
        self.small_labels = idx([40], labels[8:8 + 40])
        self.seeds = {
            "idx": self.small_images,
            "idx-gz": gzip.compress(self.small_images, mtime=0),
            "csv": open(os.path.join(ROOT, "Sources/KeelData/Resources/tabular/iris.csv"), "rb").read(),
            "safetensors": open(os.path.join(w, "mnist-run/model.safetensors"), "rb").read(),
            "model-json": open(os.path.join(w, "mnist-run/model.json"), "rb").read(),
            "png": open(os.path.join(ROOT, "Tests/Fixtures/augment-torchvision/input.png"), "rb").read(),
            "jpeg": open(os.path.join(ROOT, "Sources/KeelData/Resources/photos/flower.jpg"), "rb").read(),
            "config-yaml": open(os.path.join(w, "iris-run/config.yaml"), "rb").read(),
            "model-yaml": subprocess.run([self.keel, "models", "show", "resnet20"], check=True, capture_output=True).stdout,
            "regression-csv": open(os.path.join(ROOT, "Sources/KeelData/Resources/tabular/diabetes.csv"), "rb").read(),
        }
        self.seeds["image-folder"] = self.seeds["png"]
        checkpoint = os.path.join(w, "mnist-run/checkpoint")
        step = open(os.path.join(checkpoint, "latest")).read().strip()
        self.step = step
        for name in ["state.json", "optimizer.safetensors", "model.safetensors"]:
            self.seeds["checkpoint-" + name] = open(os.path.join(checkpoint, step, name), "rb").read()
        self.seeds["checkpoint-latest"] = (step + "\n").encode()

    def command(self, fmt, data, case_dir):
        """Writes the mutant where its reader looks and returns the command that reads it."""
        w = self.work
        out = os.path.join(case_dir, "out")
        if fmt in ("idx", "idx-gz", "png", "jpeg"):
            ext = {"idx": "idx", "idx-gz": "idx.gz", "png": "png", "jpeg": "jpg"}[fmt]
            path = os.path.join(case_dir, "input." + ext)
            open(path, "wb").write(data)
            if fmt in ("png", "jpeg") and random.Random(data).random() < 0.5:
                return [self.keel, "augment", path, "--op", "hflip", "--out", os.path.join(case_dir, "out.png")]
            return [self.keel, "predict", "--model", os.path.join(w, "mnist-run"), path]
        if fmt == "idx-folder":
            folder = os.path.join(case_dir, "mnist")
            os.makedirs(folder)
            files = {"train-images-idx3-ubyte": self.small_images, "train-labels-idx1-ubyte": self.small_labels,
                     "t10k-images-idx3-ubyte": self.small_images, "t10k-labels-idx1-ubyte": self.small_labels}
            victim = sorted(files)[int.from_bytes(data[:1] or b"\0", "big") % 4]
            rng = random.Random(data)
            files[victim] = mutate_bytes(files[victim], rng)
            for name, content in files.items():
                open(os.path.join(folder, name), "wb").write(content)
            return [self.keel, "train", "--dataset", folder, "--model", "mlp", "--epochs", "1", "--recipe", "plain",
                    "--quiet", "--out", out]
        if fmt == "csv":
            path = os.path.join(case_dir, "table.csv")
            open(path, "wb").write(data)
            return [self.keel, "train", "--dataset", path, "--epochs", "1", "--quiet", "--out", out]
        if fmt == "model-yaml":
            path = os.path.join(case_dir, "model.yaml")
            open(path, "wb").write(data)
            if random.Random(data).random() < 0.5:
                return [self.keel, "models", "show", path]
            return [self.keel, "summary", "--model", path, "--json"]
        if fmt == "regression-csv":
            path = os.path.join(case_dir, "table.csv")
            open(path, "wb").write(data)
            return [self.keel, "train", "--dataset", path, "--task", "regression", "--epochs", "1", "--quiet", "--out", out]
        if fmt == "image-folder":
            folder = os.path.join(case_dir, "images")
            for c in ("a", "b"):
                os.makedirs(os.path.join(folder, c))
                for i in range(2):
                    open(os.path.join(folder, c, f"{i}.png"), "wb").write(self.seeds["png"])
            open(os.path.join(folder, "b", "1.png"), "wb").write(data)
            return [self.keel, "train", "--dataset", folder, "--image-size", "12", "--model", "lenet5", "--epochs", "1",
                    "--batch-size", "2", "--quiet", "--out", out]
        if fmt == "config-yaml":
            path = os.path.join(case_dir, "config.yaml")
            open(path, "wb").write(data)
            return [self.keel, "train", "--config", path, "--quiet", "--out", out]
        if fmt in ("safetensors", "model-json"):
            model = os.path.join(case_dir, "model")
            os.makedirs(model)
            for name in ["model.json", "model.safetensors"]:
                shutil.copy(os.path.join(w, "mnist-run", name), model)
            open(os.path.join(model, "model.safetensors" if fmt == "safetensors" else "model.json"), "wb").write(data)
            return [self.keel, "predict", "--model", model, "#0", "--json"]
        if fmt.startswith("checkpoint-"):
            run = os.path.join(case_dir, "run")
            shutil.copytree(os.path.join(w, "mnist-run"), run)
            name = fmt[len("checkpoint-"):]
            target = os.path.join(run, "checkpoint", "latest" if name == "latest" else os.path.join(self.step, name))
            open(target, "wb").write(data)
            return [self.keel, "train", "--resume", run, "--epochs", "2", "--quiet"]
        raise ValueError(fmt)

    def run_one(self, fmt, index, data, argv=None):
        case_dir = tempfile.mkdtemp(prefix=f"{fmt}-{index}-", dir=self.work)
        try:
            cmd = argv if argv is not None else self.command(fmt, data, case_dir)
            cmd = [c.replace("{OUT}", os.path.join(case_dir, "out")) for c in cmd]
            try:
                # Run inside the case's folder: whatever a command writes where it should not stays there.
                p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=self.timeout,
                                   start_new_session=True, cwd=case_dir)
                rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
                if rc == 0:
                    kind = "ok"
                elif 0 < rc < 128 and err.strip():
                    kind = "error"
                else:
                    kind = "crash"
            except subprocess.TimeoutExpired:
                # Still running: a hang, unless it is a training run that keeps checkpointing (a legitimately long
                # job such as --epochs=65536, making progress).
                rc, err = None, ""
                progressing = os.path.exists(os.path.join(case_dir, "out", "checkpoint", "latest"))
                kind = "slow" if progressing else "hang"
            lines = [l for l in err.strip().splitlines() if l.strip()]
            # ArgumentParser adds its usage lines after the one-line error; those are its standard form.
            message = [l for l in lines if not l.startswith(("Usage:", "  See ", "USAGE:", "Help:"))]
            finding = None
            if kind in ("crash", "hang"):
                os.makedirs(os.path.join(self.out, "findings"), exist_ok=True)
                stem = os.path.join(self.out, "findings", f"{fmt}-{index}")
                if data is not None:
                    open(stem + ".bin", "wb").write(data)
                open(stem + ".txt", "w").write(" ".join(cmd) + f"\nexit {rc}\n" + err[-4000:])
                finding = stem
            return {"format": fmt, "kind": kind, "rc": rc, "lines": len(message), "first": message[0][:200] if message else "",
                    "finding": finding, "argv": cmd if argv is not None else None}
        finally:
            shutil.rmtree(case_dir, ignore_errors=True)


def spec_cases(keel, rng, count):
    """Adversarial flag and spec values: the issue's list, then random combinations."""
    train = lambda *flags: ["train", *flags, "--out", "{OUT}", "--quiet", "--epochs", "1"]
    fixed = [
        ["schedule", "cyclic", "--step-size-up", "4611686018427387904", "--step-size-down", "4611686018427387904", "--steps", "3"],
        train("--activation", ""),
        train("--activation", "leaky_relu:nan"),
        train("--activation", "softplus:0"),
        train("--activation", "celu:0"),
        train("--weight-decay", "inf"),
        train("--augment", "color-jitter:hue=0.6"),
        train("--augment", "random-blur:sigma=0/0"),
        train("--augment", "random-resized-crop:size=5"),
        train("--augment", "random-crop:size=1000"),
        train("--augment", "random-crop:size=1e30"),
        train("--augment", "scale-jitter:min=1e20"),
        ["train", "--optimizer", "adam", "--lr", "1e10", "--model", "mlp", "--recipe", "plain", "--epochs", "1", "--out", "{OUT}", "--quiet"],
        ["train", "--out", "", "--quiet", "--epochs", "1", "--model", "mlp", "--recipe", "plain", "--dataset", "iris"],
        ["augment", "{IMG}", "--op=:", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "scale:factor=1e30", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "shift:dx=1e30", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "affine:scale=0", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "center-crop:height=-5,width=-5", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "pca-lighting:alphas=nan/0/0", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "resize:height=1000000,width=1000000", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "crop:top=0,left=0,height=1000000,width=1000000", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "blur:kernel=999999", "--out", "{OUT}.png"],
        ["augment", "{IMG}"] + ["--op", "rotate:angle=45,expand=1"] * 40 + ["--out", "{OUT}.png"],
        ["schedule", "noisy_linear_cosine_decay", "--decay-steps", "10", "--seed=-1", "--steps", "3"],
        ["schedule", "exponential_decay", "--decay-steps", "10", "--decay-rate", "0.5", "--steps", "1000000000"],
        ["bench", "gemm", "--size", "1000000"], ["bench", "train", "--batch-size", "1000000000", "--seconds", "0.1"],
        ["bench", "conv", "--batch", "100000000"], ["bench", "activations", "--count", "100000000000"],
        ["bench", "augment", "--seconds", "1e300"], ["bench", "train", "--seconds", "inf"],
        ["normalization", "--seeds", "1000000000", "--max-epochs", "1"], ["study", "schedules", "--seeds", "100000", "--out", "{OUT}"],
        ["plot", "schedules", "--steps", "1000000000000", "--out", "{OUT}"],
        ["augment", "{IMG}", "--preview", "--preview-size", "1000000", "--out", "{OUT}.png"],
        ["augment", "{IMG}", "--op", "hflip", "--out", "/dev/full"], ["train", "--out", "/dev/null", "--quiet", "--epochs", "1"],
        ["activation", "relu", "--count", "100000000000"], ["train", "--label-column", "99999999999", "--dataset", "iris", "--out", "{OUT}"],
        ["schedule", "exponential_decay", "--learning-rate", "1e38", "--decay-steps", "1", "--decay-rate", "1e38", "--steps", "3", "--format", "json"],
    ]
    ops = ["hflip", "vflip", "rotate", "resize", "crop", "center-crop", "scale", "shift", "affine", "blur", "noise",
           "brightness", "contrast", "saturation", "hue", "pca-lighting", "color-jitter", "gray", "pad", ":", ""]
    keys = ["angle", "expand", "height", "width", "size", "factor", "dx", "dy", "scale", "kernel", "sigma", "p", "alphas",
            "brightness", "contrast", "saturation", "hue", "top", "left", "degrees", "translate", "min", "max", "seed"]
    augments = ["random-affine", "random-hflip", "random-vflip", "color-jitter", "random-resized-crop", "noise",
                "random-crop", "scale-jitter", "random-blur", "random-rotation", "random-scale", "pca-lighting", ""]
    schedules = ["exponential_decay", "natural_exp_decay", "inverse_time_decay", "polynomial_decay", "cosine_decay",
                 "cosine_decay_restarts", "linear_cosine_decay", "noisy_linear_cosine_decay", "piecewise_constant",
                 "one_cycle", "cyclic", "step", "warmup", ""]
    sched_keys = ["decay_steps", "decay_rate", "end_learning_rate", "power", "cycle", "alpha", "num_periods", "beta",
                  "initial_variance", "variance_decay", "boundaries", "values", "learning_rate", "first_decay_steps",
                  "t_mul", "m_mul", "max_lr", "total_steps", "warmup_steps", "step_size", "gamma", "seed"]
    acts = ["relu", "leaky_relu", "elu", "celu", "softplus", "gelu", "selu", "silu", "mish", "sigmoid", "tanh", "x", ""]
    value = lambda: rng.choice(NUMBERS + ["1/2/3", "nan/0/0", "0/0", "", "x", "1e30/1e30", "-5", "0.6", "1"])
    params = lambda ks: ",".join(f"{rng.choice(ks)}={value()}" for _ in range(rng.randrange(0, 4)))
    cases = list(fixed)
    while len(cases) < count:
        kind = rng.randrange(4)
        if kind == 0:
            op = rng.choice(ops)
            cases.append(["augment", "{IMG}", "--op", f"{op}:{params(keys)}" if rng.random() < 0.8 else op, "--out", "{OUT}.png"])
        elif kind == 1:
            cases.append(["train", "--dataset", "iris", "--model", "mlp", "--epochs", "1", "--quiet", "--out", "{OUT}",
                          "--augment" if rng.random() < 0.5 else "--schedule",
                          f"{rng.choice(augments + schedules)}:{params(keys + sched_keys)}"])
            if rng.random() < 0.5:  # images exercise the augmentations
                cases[-1][2] = "mnist-5k"
                cases[-1] += ["--batch-size", "512"]
        elif kind == 2:
            flags = []
            for _ in range(rng.randrange(1, 5)):
                flags += [f"--{rng.choice(sched_keys).replace('_', '-')}", value()]
            cases.append(["schedule", rng.choice(schedules), *flags, "--steps", rng.choice(["3", "10", value()]),
                          "--format", rng.choice(["csv", "json"])])
        else:
            flag = rng.choice(["--activation", "--lr", "--weight-decay", "--momentum", "--dropout", "--batch-size",
                               "--epochs", "--seed", "--validation-fraction", "--threads", "--checkpoint-every",
                               "--checkpoint-seconds", "--plateau-factor", "--label-column"])
            v = f"{rng.choice(acts)}:{value()}" if flag == "--activation" and rng.random() < 0.7 else value()
            cases.append(["train", "--dataset", "iris", "--epochs", "1", "--quiet", "--out", "{OUT}", f"{flag}={v}"])
    return [[keel] + c for c in cases]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keel")
    parser.add_argument("--mutants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--out", default=None)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="keel-fuzz-")
    fuzzer = Fuzzer(os.path.abspath(args.keel), out, args.timeout)
    fuzzer.setup()
    rng = random.Random(args.seed)
    formats = ["idx", "idx-gz", "idx-folder", "csv", "safetensors", "model-json", "checkpoint-state.json",
               "checkpoint-optimizer.safetensors", "checkpoint-model.safetensors", "checkpoint-latest", "config-yaml", "model-yaml",
               "regression-csv", "image-folder", "png", "jpeg", "specs"]
    if args.only:
        formats = [f for f in formats if f in args.only.split(",")]
    jobs = []
    for fmt in formats:
        if fmt == "specs":
            image = os.path.join(fuzzer.work, "input.png")
            open(image, "wb").write(fuzzer.seeds["png"])
            for i, argv in enumerate(spec_cases(fuzzer.keel, rng, args.mutants)):
                jobs.append((fmt, i, None, [a.replace("{IMG}", image) for a in argv]))
            continue
        seed = fuzzer.seeds.get(fmt, fuzzer.small_images if fmt == "idx-folder" else None)
        text = fmt in ("csv", "model-json", "checkpoint-state.json", "checkpoint-latest", "config-yaml", "model-yaml", "regression-csv")
        for i in range(args.mutants):
            data = (mutate_text if text else mutate_bytes)(seed, rng) if fmt != "idx-folder" else rng.randbytes(8)
            jobs.append((fmt, i, data, None))
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for r in pool.map(lambda j: fuzzer.run_one(*j), jobs):
            results.append(r)
    summary = {}
    for fmt in formats:
        rs = [r for r in results if r["format"] == fmt]
        counts = {k: sum(r["kind"] == k for r in rs) for k in ("ok", "error", "crash", "hang", "slow")}
        counts["multi_line_errors"] = sum(r["kind"] == "error" and r["lines"] > 1 for r in rs)
        # A sample of the distinct messages (paths of the temporary cases cut), to read for clarity.
        messages = sorted({re.sub(r"/\S*/work/\S+?-\d+-\w+", "…", r["first"]) for r in rs if r["kind"] == "error"})
        counts["messages"] = messages[:40]
        summary[fmt] = counts
        print(f"{fmt:34} {len(rs):5} inputs: {counts['ok']:5} ok {counts['error']:5} errors "
              f"{counts['crash']:3} crashes {counts['hang']:3} hangs {counts['multi_line_errors']:3} multi-line errors"
              + (f" ({counts['slow']} long runs still checkpointing at the time limit)" if counts["slow"] else ""))
    bad = [r for r in results if r["kind"] in ("crash", "hang")]
    for r in bad[:40]:
        print(f"  {r['kind']}: {r['format']} → {r['finding']}  {r['first']}")
    multi = [r for r in results if r["kind"] == "error" and r["lines"] > 1]
    for r in multi[:10]:
        print(f"  multi-line error: {r['format']}: {r['first']}")
    json.dump({"summary": summary, "findings": [r for r in results if r["kind"] in ("crash", "hang")]},
              open(os.path.join(out, "summary.json"), "w"), indent=1)
    print(f"details: {out}/summary.json")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
