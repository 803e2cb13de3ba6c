#!/usr/bin/env bash
# Runs Keel's benchmarks and the numpy / PyTorch peers on the same problems, one after the other, and
# prints one JSON line per measurement. Usage: Scripts/compare.sh [gemm|conv|train|batch-size|activations|augment|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
swift build -c release >/dev/null
keel=.build/release/keel
peer() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Scripts/bench_peers.py "$@" --json; }
if [[ $what == gemm || $what == all ]]; then
  for size in 512 1024 2048; do
    for threads in 1 2; do
      $keel bench gemm --size "$size" --threads "$threads" --json
      peer gemm --size "$size" --threads "$threads"
    done
  done
fi
if [[ $what == train || $what == all ]]; then
  for model in mlp cnn; do
    $keel bench train --model "$model" --batch-size 64 --threads 2 --json
    peer train --model "$model" --batch-size 64 --threads 2
  done
fi
if [[ $what == batch-size || $what == all ]]; then  # the MLP's training throughput across the batch-size study's range
  for batch in 1 4 16 64 256 1024; do
    $keel bench train --model mlp --batch-size "$batch" --threads 2 --seconds 2 --json
    peer train --model mlp --batch-size "$batch" --threads 2
  done
fi
if [[ $what == activations || $what == all ]]; then
  for threads in 1 2; do
    $keel bench activations --threads "$threads" --json
    peer activations --threads "$threads"
  done
fi
if [[ $what == augment || $what == all ]]; then
  for pipeline in imagenet mnist; do
    $keel bench augment --pipeline "$pipeline" --threads 1 --json
    peer augment --pipeline "$pipeline" --threads 1
  done
fi
if [[ $what == conv || $what == all ]]; then
  for threads in 1 2; do
    $keel bench conv --threads "$threads" --json
    peer conv --threads "$threads"
  done
fi
