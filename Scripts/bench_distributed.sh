#!/usr/bin/env bash
# Data-parallel throughput side by side (issue 17): Keel 1 process × 2 threads, Keel 2 ranks × 1 thread under mpirun,
# PyTorch DDP (Gloo) 2 ranks × 1 thread under torchrun; global batch 128; rounds alternate the three.
# Usage: Scripts/bench_distributed.sh [KEEL_BINARY] [ROUNDS]   (prints one JSON line per measurement)
set -euo pipefail
keel=${1:-.build/release/keel}
rounds=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
mpi=(mpirun --allow-run-as-root --oversubscribe -np 2)
for round in $(seq "$rounds"); do
    for model in mlp cnn; do
        "$keel" bench train --model "$model" --batch-size 128 --threads 2 --json
        "${mpi[@]}" "$keel" bench train --model "$model" --batch-size 128 --threads 1 --json
        OMP_NUM_THREADS=1 torchrun --nproc_per_node 2 "$here/bench_ddp.py" --model "$model" --batch-size 128 --threads 1 --json 2>/dev/null
    done
done
