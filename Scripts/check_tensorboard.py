#!/usr/bin/env python3
"""TensorBoard's own reader on a run's event files: every scalar tag keel train writes is there, the train/loss
values equal iterations.csv's loss column (step by step), and the weight histograms count every parameter.
Development tool (needs tensorboard from PyPI); CI does not run it.

    .build/release/keel train --validation-fraction 0.1 --epochs 2 --tensorboard runs/tb --out runs/tb-run
    python3 Scripts/check_tensorboard.py runs/tb runs/tb-run
"""
import csv
import json
import os
import sys

from tensorboard.backend.event_processing import event_accumulator


def main():
    logdir, run = sys.argv[1], sys.argv[2]
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    tags = acc.Tags()
    expected = {"train/loss", "train/accuracy", "train/learning_rate", "val/loss", "val/accuracy"}
    rows = list(csv.DictReader(open(os.path.join(run, "iterations.csv"))))
    losses = {int(r["global_step"]): float(r["loss"]) for r in rows}
    events = {e.step: e.value for e in acc.Scalars("train/loss")}
    same = len(events) == len(losses) and all(abs(events[s] - losses[s]) <= 1e-6 * max(1, abs(losses[s])) for s in losses)
    histograms = [t for t in tags["histograms"] if t.startswith("weights/")]
    model = json.load(open(os.path.join(run, "metrics.json")))
    counted = sum(acc.Histograms(t)[-1].histogram_value.num for t in histograms)
    result = {"scalar_tags": sorted(tags["scalars"]), "all_scalar_tags": expected <= set(tags["scalars"]),
              "train_loss_points": len(events), "train_loss_equals_iterations_csv": same,
              "histogram_tags": len(tags["histograms"]), "weights_counted": counted, "parameters": model["parameters"]}
    print(json.dumps(result))
    return 0 if result["all_scalar_tags"] and same and counted == model["parameters"] else 1


if __name__ == "__main__":
    sys.exit(main())
