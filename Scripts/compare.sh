#!/usr/bin/env bash
# Runs Keel's benchmarks and the numpy / PyTorch peers on the same problems, one after the other, and
# prints one JSON line per measurement.
# Usage: Scripts/compare.sh [gemm|conv|train|batch-size|activations|augment|levels|recipe|resnet|mlp-gemms|all]
#   levels: GEMM 1024 and training throughput at each AVX kernel level this CPU has, the peers held to the
#           same instruction set (avx2: OpenBLAS's Haswell kernels, PyTorch/oneDNN/MKL capped at AVX2)
#   resnet: ResNet-20 training, batch 128, at each AVX kernel level, the peer held to the same instruction set
#   recipe: the default `keel train` recipe against Scripts/train_peer.py, at each AVX level, likewise
#   mlp-gemms: the eight products of one MLP 784-256-128-10 training step at batch 64 (forward x·Wᵀ, weight
#           gradients dYᵀ·X, input gradients dY·W of the last two layers), Keel against numpy/OpenBLAS and PyTorch,
#           at each AVX level, likewise (their sum bounds the step from below: docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
swift build -c release >/dev/null
keel=.build/release/keel
peer() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Scripts/bench_peers.py "$@" --json; }
# The peers' environment that holds them to a kernel level (empty: their own choice).
peer_level_env() {
  case $1 in
    avx2) echo "OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2" ;;
    *) echo "" ;;
  esac
}
avx_levels() { python3 -c 'import json,sys; print(" ".join(l for l in json.loads(sys.argv[1])["levels"] if l != "portable"))' "$($keel info --json)"; }
if [[ $what == levels || $what == all ]]; then
  for level in $(avx_levels); do
    peer_env=$(peer_level_env "$level")
    $keel bench gemm --size 1024 --threads 2 --cpu "$level" --repeats 50 --json
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $peer_env python3 Scripts/bench_peers.py gemm --size 1024 --threads 2 --repeats 50 --json
    for model in mlp cnn; do
      $keel bench train --model "$model" --batch-size 64 --threads 2 --cpu "$level" --json
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $peer_env python3 Scripts/bench_peers.py train --model "$model" --batch-size 64 --threads 2 --json
    done
  done
fi
if [[ $what == resnet || $what == all ]]; then
  for level in $(avx_levels); do
    $keel bench train --model resnet20 --batch-size 128 --threads 2 --cpu "$level" --json
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(peer_level_env "$level") python3 Scripts/bench_peers.py train --model resnet20 --batch-size 128 --threads 2 --json
  done
fi
if [[ $what == mlp-gemms || $what == all ]]; then
  for level in $(avx_levels); do
    for product in 64,256,784:b 64,128,256:b 64,10,128:b 256,784,64:a 128,256,64:a 10,128,64:a 64,256,128: 64,128,10:; do
      shape=${product%:*} transpose=${product#*:}
      $keel bench gemm --shape "$shape" ${transpose:+--transpose $transpose} --threads 2 --cpu "$level" --repeats 200 --json
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(peer_level_env "$level") python3 Scripts/bench_peers.py gemm \
        --shape "$shape" ${transpose:+--transpose $transpose} --threads 2 --repeats 20 --json
    done
  done
fi
if [[ $what == recipe || $what == all ]]; then
  work=$(mktemp -d)
  for level in $(avx_levels); do
    $keel train --cpu "$level" --threads 2 --quiet --out "$work/$level" >/dev/null
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps({"benchmark": "recipe", "cpu_level": m["cpu_level"], "train_seconds": round(m["train_seconds"], 2), "wall_seconds": round(m["wall_seconds_this_session"], 2), "test_accuracy": m["test_accuracy"]}))' "$work/$level/metrics.json"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(peer_level_env "$level") python3 Scripts/train_peer.py --threads 2
  done
  rm -rf "$work"
fi
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
