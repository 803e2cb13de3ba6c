#!/usr/bin/env bash
# Data-parallel training over MPI, checked end to end (issue 17; docs/DISTRIBUTED.md):
#   - 1 process, mpirun -np 2 and -np 4 train byte-identical weights (the MLP; the CNN with dropout and augmentation)
#   - a rank killed mid-run ends every rank within 10 s, non-zero, with a message naming it; the last checkpoint is
#     intact and --resume under mpirun -np 2 finishes with the uninterrupted run's weights
#   - keel bench train under mpirun reports global samples/s and ranks; clear errors for an uneven split and a missing MPI
# Usage: Scripts/check_distributed.sh KEEL WORK_FOLDER
set -euo pipefail
keel=$(realpath "$1")
work=$2
mpi=(mpirun --allow-run-as-root --oversubscribe)
metric() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

echo "-- keel does not link MPI (it is loaded at run time only under mpirun or --distributed)"
if ldd "$keel" | grep -q libmpi; then echo "keel links libmpi" >&2; exit 1; fi

echo "-- the same weights from 1, 2 and 4 processes (one thread per rank)"
mlp=(train --model mlp --recipe plain --epochs 2 --batch-size 64 --quiet)
cnn=(train --model cnn --epochs 2 --batch-size 64 --dropout 0.5 --augment random-affine:degrees=10,translate=0.1 --quiet)
for name in mlp cnn; do
  declare -n args=$name
  "$keel" "${args[@]}" --out "$work/dp-$name-1"
  for ranks in 2 4; do
    "${mpi[@]}" -np $ranks "$keel" "${args[@]}" --threads 1 --out "$work/dp-$name-$ranks"
    cmp "$work/dp-$name-1/model.safetensors" "$work/dp-$name-$ranks/model.safetensors"
    [ "$(metric "$work/dp-$name-$ranks/metrics.json" ranks)" = "$ranks" ]
    [ ! -e "$work/dp-$name-$ranks-2" ]
  done
  echo "ok: $name: 1, 2 and 4 ranks wrote byte-identical model.safetensors ($(metric "$work/dp-$name-1/metrics.json" shards) shards)"
done

echo "-- a killed rank ends the job; the checkpoint resumes under mpirun to the uninterrupted run's weights"
run=(train --model cnn --recipe plain --epochs 12 --batch-size 64 --checkpoint-every 10 --quiet)
log="$work/dp-killed.log"
"${mpi[@]}" -np 2 "$keel" "${run[@]}" --threads 1 --out "$work/dp-killed" >"$log" 2>&1 &
launcher=$!
for _ in $(seq 600); do [ -e "$work/dp-killed/checkpoint/latest" ] && break; sleep 0.1; done
victim=""
for pid in $(pgrep -f "$keel train"); do
  if tr '\0' '\n' </proc/$pid/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then victim=$pid; fi
done
[ -n "$victim" ] || { echo "rank 1 not found" >&2; exit 1; }
killed_at=$(date +%s.%N)
kill -9 "$victim"
status=0
wait $launcher || status=$?
elapsed=$(python3 -c "import sys,time; print(round(time.time() - float(sys.argv[1]), 1))" "$killed_at")
cat "$log"
[ $status -ne 0 ] || { echo "mpirun exited 0 after a rank was killed" >&2; exit 1; }
grep -q "rank 1" "$log" || { echo "no message names rank 1" >&2; exit 1; }
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$elapsed" || { echo "ranks took $elapsed s to exit" >&2; exit 1; }
if pgrep -f "$keel train" >/dev/null; then echo "a rank is still running" >&2; exit 1; fi
echo "ok: rank 1 killed → every rank gone in $elapsed s, mpirun exit $status"
"${mpi[@]}" -np 2 "$keel" train --resume "$work/dp-killed" --threads 1 --quiet
"$keel" "${run[@]}" --out "$work/dp-whole"
cmp "$work/dp-killed/model.safetensors" "$work/dp-whole/model.safetensors"
echo "ok: resumed under mpirun -np 2 → the uninterrupted run's weights"

echo "-- keel bench train under mpirun: global samples/s"
out=$("${mpi[@]}" -np 2 "$keel" bench train --model mlp --batch-size 128 --threads 1 --seconds 0.5 --json)
echo "$out"
python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['ranks'] == 2 and d['samples_per_second'] > 0, d" "$out"

echo "-- errors: shards that do not divide among the ranks, MPI asked for but missing"
status=0
out=$("${mpi[@]}" -np 3 "$keel" "${mlp[@]}" --out "$work/dp-uneven" 2>&1) || status=$?
[ $status -ne 0 ] && [[ $out == *"--shards"* ]] || { echo "expected a --shards error, got (exit $status): $out" >&2; exit 1; }
echo "ok: mpirun -np 3 with 4 shards → $(echo "$out" | grep -m1 -- --shards)"
status=0
out=$(KEEL_MPI_LIBRARY=/nonexistent/libmpi.so "$keel" "${mlp[@]}" --distributed --out "$work/dp-nompi" 2>&1) || status=$?
[ $status -ne 0 ] && [[ $out == *"Open MPI"* ]] || { echo "expected a missing-MPI error, got (exit $status): $out" >&2; exit 1; }
echo "ok: --distributed without Open MPI → $out"
KEEL_MPI_LIBRARY=/nonexistent/libmpi.so "$keel" "${mlp[@]}" --epochs 1 --out "$work/dp-plain"
echo "ok: without mpirun, keel train never loads MPI"
