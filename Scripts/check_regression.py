#!/usr/bin/env python3
"""Regression against scikit-learn: the MAE, RMSE and R² that `keel train --task regression` wrote equal
scikit-learn's metrics on Keel's own test predictions (`keel predict --json` for every test row), and
scikit-learn's LinearRegression on random 80/20 splits of the same table gives the baseline R².

Development tool (needs scikit-learn, numpy); CI does not run it.

    .build/release/keel train --dataset diabetes --task regression --out runs/diabetes
    python3 Scripts/check_regression.py runs/diabetes [--keel .build/release/keel] [--splits 20]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = os.path.join(HERE, "..", "Sources", "KeelData", "Resources", "tabular")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir")
    parser.add_argument("--keel", default=os.path.join(HERE, "..", ".build", "release", "keel"))
    parser.add_argument("--splits", type=int, default=20)
    args = parser.parse_args()

    metrics = json.load(open(os.path.join(args.run_dir, "metrics.json")))
    evaluation = subprocess.run([args.keel, "evaluate", "--model", args.run_dir, "--json"], check=True,
                                capture_output=True, text=True).stdout
    count = json.loads(evaluation)["samples"]
    out = subprocess.run([args.keel, "predict", "--model", args.run_dir, "--json"] + [f"#{i}" for i in range(count)],
                         check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.strip().splitlines()]
    predicted = np.array([r["prediction"][0] for r in rows])
    true = np.array([r["true_value"][0] for r in rows])
    ours = {"mae": mean_absolute_error(true, predicted), "rmse": mean_squared_error(true, predicted) ** 0.5,
            "r2": r2_score(true, predicted)}
    keel = {"mae": metrics["test_mae"], "rmse": metrics["test_rmse"], "r2": metrics["test_r2"]}
    # Keel's predictions pass through float32 and `keel predict` prints them to 17 digits: agreement to ~1e-5.
    agree = all(abs(ours[k] - keel[k]) <= 1e-4 * max(1.0, abs(keel[k])) for k in ours)

    dataset = metrics["dataset"]
    path = os.path.join(TABLES, "diabetes.csv") if dataset == "diabetes" else dataset
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    x, y = table[:, :-1], table[:, -1]
    baseline = []
    for seed in range(args.splits):
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=seed)
        baseline.append(r2_score(yte, LinearRegression().fit(xtr, ytr).predict(xte)))
    print(json.dumps({"test_samples": count, "keel": keel, "sklearn_on_keel_predictions": ours, "metrics_agree": agree,
                      "sklearn_linear_regression_r2": {"splits": args.splits, "mean": float(np.mean(baseline)),
                                                       "min": float(np.min(baseline)), "max": float(np.max(baseline))}},
                     indent=1))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
