#!/usr/bin/env python3
"""`keel evaluate --json --predictions` against scikit-learn: per_class, macro_f1, weighted_f1 and confusion_matrix
equal classification_report / confusion_matrix on the rows of the predictions CSV (labels = every class,
zero_division = 0), top_k_accuracy equals top_k_accuracy_score, and ece equals the 15-bin expected calibration
error computed here with numpy. Development tool (needs scikit-learn, numpy); CI does not run it.

    .build/release/keel train --out runs/cnn && python3 Scripts/check_evaluation.py runs/cnn [--keel .build/release/keel]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix, top_k_accuracy_score

HERE = os.path.dirname(os.path.abspath(__file__))


def ece(probabilities, truth, bins=15):
    confidence = probabilities.max(1)
    correct = probabilities.argmax(1) == truth
    total = 0.0
    for b in range(bins):
        inside = (confidence > b / bins) & (confidence <= (b + 1) / bins) if b > 0 else (confidence <= 1 / bins)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir")
    parser.add_argument("--keel", default=os.path.join(HERE, "..", ".build", "release", "keel"))
    args = parser.parse_args()
    csv = os.path.join(tempfile.mkdtemp(), "predictions.csv")
    out = subprocess.run([args.keel, "evaluate", "--model", args.run_dir, "--json", "--predictions", csv],
                         check=True, capture_output=True, text=True).stdout
    keel = json.loads(out)
    table = np.loadtxt(csv, delimiter=",", skiprows=1)
    truth, predicted, probabilities = table[:, 1].astype(int), table[:, 2].astype(int), table[:, 3:]
    classes = probabilities.shape[1]
    labels = list(range(classes))
    report = classification_report(truth, predicted, labels=labels, output_dict=True, zero_division=0)
    checks = {
        "confusion_matrix": keel["confusion_matrix"] == confusion_matrix(truth, predicted, labels=labels).tolist(),
        "per_class": all(
            abs(k[m] - report[str(c)][n]) < 1e-9 for c, k in enumerate(keel["per_class"])
            for m, n in [("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"), ("support", "support")]),
        "macro_f1": abs(keel["macro_f1"] - report["macro avg"]["f1-score"]) < 1e-9,
        "weighted_f1": abs(keel["weighted_f1"] - report["weighted avg"]["f1-score"]) < 1e-9,
        "top_k_accuracy": all(abs(v - top_k_accuracy_score(truth, probabilities, k=int(k), labels=labels)) < 1e-9
                              for k, v in keel["top_k_accuracy"].items()),
        "ece": abs(keel["ece"] - ece(probabilities, truth)) < 1e-6,
    }
    checks = {k: bool(v) for k, v in checks.items()}
    print(json.dumps({"samples": len(truth), "classes": classes, "agree": checks}))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
