#!/usr/bin/env python3
"""Side-by-side peers for `keel bench`: the same problems with numpy (OpenBLAS) and PyTorch.

Development tool only; Keel never needs Python at run time.

    python3 Scripts/bench_peers.py gemm --size 1024 --threads 2 [--json]
    python3 Scripts/bench_peers.py gemm --shape 64,256,784 --transpose b --threads 2 [--json]
    python3 Scripts/bench_peers.py conv --threads 2 [--json]
    python3 Scripts/bench_peers.py train --model mlp|cnn|resnet20 --batch-size 64 --threads 2 [--json]

For numpy's fast kernels on machines that set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, unset both for this
command alone:  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Scripts/bench_peers.py gemm ...
"""
import argparse
import json
import os
import sys
import time


def best_time(fn, warmup=2, repeats=10, budget=5.0):
    for _ in range(warmup):
        fn()
    best = float("inf")
    start = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return best


def gemm(args):
    import numpy as np
    rng = np.random.default_rng(42)
    if args.shape:
        m, n, k = (int(v) for v in args.shape.split(","))
    else:
        m = n = k = args.size
    transpose = args.transpose or ""
    # Stored as `keel bench gemm --transpose` stores them: a transposed operand is kept K×M (K×N) and passed as a
    # transposed view, which numpy and PyTorch hand to BLAS as a transpose flag (no copy).
    a_stored = rng.uniform(-1, 1, (k, m) if "a" in transpose else (m, k)).astype(np.float32)
    b_stored = rng.uniform(-1, 1, (n, k) if "b" in transpose else (k, n)).astype(np.float32)
    a = a_stored.T if "a" in transpose else a_stored
    b = b_stored.T if "b" in transpose else b_stored
    c = np.empty((m, n), dtype=np.float32)
    # Small products take microseconds: each timing runs enough calls for about a millisecond.
    calls = max(1, int(1e6 / max(2 * m * n * k, 1)))

    def repeated(fn):
        def run():
            for _ in range(calls):
                fn()
        return run

    flops = 2 * m * n * k
    label = {"size": m} if not args.shape else {"shape": [m, n, k], "transpose": transpose}
    seconds = best_time(repeated(lambda: np.matmul(a, b, out=c)), repeats=args.repeats) / calls
    results = [{"benchmark": "gemm", "peer": "numpy", **label, "threads": args.threads,
                "gflops": round(flops / seconds / 1e9, 2), "seconds": seconds}]
    try:
        import torch
        torch.set_num_threads(args.threads)
        ta = torch.from_numpy(a_stored).T if "a" in transpose else torch.from_numpy(a_stored)
        tb = torch.from_numpy(b_stored).T if "b" in transpose else torch.from_numpy(b_stored)
        tc = torch.empty((m, n))
        seconds = best_time(repeated(lambda: torch.mm(ta, tb, out=tc)), repeats=args.repeats) / calls
        results.append({"benchmark": "gemm", "peer": "torch", **label, "threads": args.threads,
                        "gflops": round(flops / seconds / 1e9, 2), "seconds": seconds})
    except ImportError:
        pass
    return results


def conv(args):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    results = []
    for name, cin, cout, size in [("conv1", 1, 32, 28), ("conv2", 32, 64, 13)]:
        x = torch.randn(args.batch, cin, size, size, requires_grad=True)
        w = torch.randn(cout, cin, 3, 3, requires_grad=True)
        b = torch.zeros(cout, requires_grad=True)
        up = torch.randn(args.batch, cout, size - 2, size - 2)

        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, b)

        def fwd_bwd():
            y = F.conv2d(x, w, b)
            y.backward(up)
            x.grad = w.grad = b.grad = None

        forward = best_time(fwd, repeats=args.repeats)
        both = best_time(fwd_bwd, repeats=args.repeats)
        flops = 2.0 * args.batch * cout * (size - 2) ** 2 * cin * 9
        results.append({"benchmark": "conv", "peer": "torch", "layer": name, "batch": args.batch,
                        "threads": args.threads, "forward_ms": forward * 1e3,
                        "backward_ms": max(both - forward, 0) * 1e3, "forward_backward_ms": both * 1e3,
                        "forward_gflops": flops / forward / 1e9})
    return results


def train(args):
    import torch
    import torch.nn as nn
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    shape = (1, 28, 28)
    if args.model == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                            nn.Linear(128, 10))
    elif args.model == "resnet20":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import keel_zoo  # the same ResNet-20 as Keel's, state_dict names included
        net, shape = keel_zoo.resnet20((3, 32, 32), 10), (3, 32, 32)
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    pool = [(torch.randn(args.batch_size, *shape), torch.randint(0, 10, (args.batch_size,))) for _ in range(8)]

    def step(i):
        x, y = pool[i % len(pool)]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    for i in range(10):
        step(i)
    best = 0.0
    for _ in range(3):
        i, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds / 3:
            step(i)
            i += 1
        best = max(best, i * args.batch_size / (time.perf_counter() - start))
    return [{"benchmark": "train", "peer": "torch", "model": args.model, "batch_size": args.batch_size,
             "threads": args.threads, "samples_per_second": round(best, 1)}]


ACTIVATIONS = {
    "identity": lambda F, x: x * 1.0, "sigmoid": lambda F, x: torch_mod().sigmoid(x), "tanh": lambda F, x: torch_mod().tanh(x),
    "relu": lambda F, x: F.relu(x), "leaky_relu": lambda F, x: F.leaky_relu(x, 0.01),
    "softplus": lambda F, x: F.softplus(x), "elu": lambda F, x: F.elu(x), "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x), "gelu": lambda F, x: F.gelu(x), "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x), "mish": lambda F, x: F.mish(x), "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x), "relu6": lambda F, x: F.relu6(x), "softsign": lambda F, x: F.softsign(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
}


def torch_mod():
    import torch
    return torch


def activations(args):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(11)
    n = args.count
    x = (torch.rand(n) * 12 - 6).requires_grad_()
    up = torch.rand(n) * 2 - 1
    results = []
    for name, f in ACTIVATIONS.items():
        def run():
            y = f(F, x)
            y.backward(up)
            x.grad = None
        seconds = best_time(run, repeats=args.repeats)
        results.append({"benchmark": "activations", "peer": "torch", "activation": name, "count": n,
                         "threads": args.threads, "forward_backward_ms": seconds * 1e3,
                         "gelements_per_second": n / seconds / 1e9})
    return results


def augment(args):
    import torch
    import torchvision
    from torchvision.io import decode_jpeg, read_file
    from torchvision.transforms import v2
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    here = os.path.dirname(os.path.abspath(__file__))
    if args.pipeline == "imagenet":
        path = os.path.join(here, "..", "Sources", "KeelData", "Resources", "photos", "flower.jpg")
        image = v2.functional.to_dtype(decode_jpeg(read_file(path)), torch.float32, scale=True)
        pipeline = v2.Compose([v2.RandomResizedCrop(224, antialias=False), v2.RandomHorizontalFlip(),
                               v2.ColorJitter(0.4, 0.4, 0.4, 0.1)])
    else:
        image = torch.rand(1, 28, 28)
        pipeline = v2.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1))

    def run():
        for _ in range(32):
            pipeline(image)

    for _ in range(2):
        run()
    best = 0.0
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds / 3:
            run()
            count += 32
        best = max(best, count / (time.perf_counter() - start))
    return [{"benchmark": "augment", "peer": "torchvision", "pipeline": args.pipeline, "threads": args.threads,
             "images_per_second": round(best, 1)}]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmark", choices=["gemm", "conv", "train", "activations", "augment"])
    parser.add_argument("--pipeline", choices=["imagenet", "mnist"], default="imagenet")
    parser.add_argument("--count", type=int, default=1 << 20)
    parser.add_argument("--model", choices=["mlp", "cnn", "resnet20"], default="cnn")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--shape", help="M,N,K instead of --size (gemm)")
    parser.add_argument("--transpose", choices=["a", "b", "ab"], help="operands stored transposed (gemm)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # Thread counts must be fixed before numpy/torch load their BLAS.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    results = {"gemm": gemm, "conv": conv, "train": train, "activations": activations, "augment": augment}[args.benchmark](args)
    for r in results:
        if args.json:
            print(json.dumps(r))
        elif r["benchmark"] == "augment":
            print(f"augment {r['pipeline']}, {r['threads']} thread(s), torchvision: {r['images_per_second']:.0f} images/s")
        elif r["benchmark"] == "activations":
            print(f"{r['activation']:12s} {r['forward_backward_ms']:8.3f} ms  {r['gelements_per_second']:6.2f} Gelem/s  (torch, "
                  f"{r['threads']} thread(s))")
        elif r["benchmark"] == "train":
            print(f"train {r['model']} batch {r['batch_size']}, {r['threads']} thread(s), torch: "
                  f"{r['samples_per_second']:.0f} samples/s")
        elif r["benchmark"] == "gemm":
            what = f"{r['size']}³" if "size" in r else "×".join(map(str, r["shape"])) + f" (transposed: {r['transpose'] or '-'})"
            print(f"gemm {what}, {r['threads']} thread(s), {r['peer']}: {r['gflops']:.1f} GFLOPS ({r['seconds'] * 1e3:.3f} ms)")
        else:
            print(f"{r['layer']} batch {r['batch']}, {r['threads']} thread(s), {r['peer']}: forward "
                  f"{r['forward_ms']:.2f} ms, backward {r['backward_ms']:.2f} ms, "
                  f"forward+backward {r['forward_backward_ms']:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
