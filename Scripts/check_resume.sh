#!/usr/bin/env bash
# Interrupts `keel train` mid-epoch (SIGINT, then SIGKILL), resumes it, and checks that the final weights
# are byte-identical to an uninterrupted run's. Usage: Scripts/check_resume.sh [keel binary]
set -euo pipefail
cd "$(dirname "$0")/.."
keel=${1:-.build/release/keel}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(--model cnn --epochs 2 --quiet --checkpoint-every 5 --threads 2)

"$keel" train "${args[@]}" --out "$work/full" >/dev/null

interrupt() {  # interrupt SIGNAL NAME: start a run, stop it after its third checkpoint, resume it
  local signal=$1 dir="$work/$2"
  "$keel" train "${args[@]}" --out "$dir" >/dev/null 2>&1 &
  local pid=$!
  until [[ -f "$dir/checkpoint/latest" ]] && [[ $(sed 's/step-0*//' "$dir/checkpoint/latest") -ge 15 ]]; do sleep 0.05; done
  kill "-$signal" "$pid"
  local status=0
  wait "$pid" || status=$?
  echo "$2: stopped by SIG$signal (exit $status) at $(cat "$dir/checkpoint/latest")"
  "$keel" train --resume "$dir" --quiet >/dev/null
  if cmp -s "$work/full/model.safetensors" "$dir/model.safetensors"; then
    echo "$2: resumed run's weights are byte-identical to the uninterrupted run's"
  else
    echo "$2: MISMATCH: resumed weights differ" >&2
    exit 1
  fi
  diff <(grep test_accuracy "$work/full/metrics.json") <(grep test_accuracy "$dir/metrics.json")
}
interrupt INT interrupted
interrupt KILL killed
echo "resume check passed"
