"""PyTorch DDP's training throughput, the peer of `mpirun -np N keel bench train`.

Run with torchrun, one thread per rank, global batch split evenly over the ranks (Gloo backend, CPU):

    torchrun --nproc_per_node 2 Scripts/bench_ddp.py --model mlp --batch-size 128 --threads 1 --json

Each rank trains the same model as `keel bench train` (SGD lr 0.01, momentum 0.9, random batches cycled) on
batch-size / world-size samples; DDP averages the gradients. Rank 0 prints the global samples/s (best of three
windows of a step count rank 0 fixes from the warm-up, so all ranks run the same steps).
"""
import argparse
import json
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["mlp", "cnn", "lenet5", "vgg-small", "resnet20", "mobilenet-tiny"], default="cnn")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch
    import torch.distributed as dist
    import torch.nn as nn  # noqa: F401 (keel_zoo needs it loaded)
    from torch.nn.parallel import DistributedDataParallel

    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        sys.exit(f"--batch-size {args.batch_size} does not divide among {world} ranks")
    local = args.batch_size // world
    torch.manual_seed(1)
    # The zoo's networks, as Keel builds them (Scripts/keel_zoo.py): the MNIST shape for mlp and cnn, CIFAR's otherwise.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import keel_zoo
    shape = (1, 28, 28) if args.model in ("mlp", "cnn") else (3, 32, 32)
    net = keel_zoo.build(args.model, shape, 10)
    model = DistributedDataParallel(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    generator = torch.Generator().manual_seed(1 + rank)
    pool = [(torch.randn(local, *shape, generator=generator), torch.randint(0, 10, (local,), generator=generator))
            for _ in range(8)]

    def step(i):
        x, y = pool[i % len(pool)]
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    for i in range(10):
        step(i)
    start = time.perf_counter()
    for i in range(5):
        step(i)
    steps = torch.tensor([max(1, round(args.seconds / 3 / (time.perf_counter() - start) * 5))])
    dist.broadcast(steps, 0)
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for i in range(int(steps)):
            step(i)
        best = max(best, int(steps) * args.batch_size / (time.perf_counter() - start))
    if rank == 0:
        result = {"benchmark": "train", "peer": "torch-ddp", "model": args.model, "batch_size": args.batch_size,
                  "ranks": world, "threads": args.threads, "samples_per_second": round(best, 1)}
        print(json.dumps(result) if args.json else
              f"torch DDP {args.model}, batch {args.batch_size}, {world} ranks × {args.threads} thread(s): {best:.0f} samples/s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
