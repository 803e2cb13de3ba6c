#!/usr/bin/env python3
"""Runs `keel schedule` for every case of the TensorFlow and PyTorch reference files and checks each value
within 1e-6 relative. Standard library only. Usage: Scripts/check_schedules_cli.py [keel binary]"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "Fixtures")
KEEL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".build", "release", "keel")
TORCH_NAMES = {"step": "step", "multistep": "multistep", "exponential": "exponential", "cosine_annealing": "cosine_annealing",
               "cosine_annealing_warm_restarts": "cosine_annealing_warm_restarts", "one_cycle": "one_cycle",
               "cyclic": "cyclic", "polynomial": "polynomial", "linear": "linear"}


def flags(params):
    out = []
    for key, value in params.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            if value:
                out.append(flag)
        elif isinstance(value, list):
            out.append(f"{flag}={','.join(str(v) for v in value)}")
        else:
            out.append(f"{flag}={value}")
    return out


def run(name, args, steps):
    text = subprocess.run([KEEL, "schedule", name, *args, f"--steps={steps}", "--format=json"],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)["learning_rate"]


def compare(label, got, expected):
    bad = [(i, g, e) for i, (g, e) in enumerate(zip(got, expected)) if abs(g - e) > 1e-6 * abs(e) + 1e-12]
    if bad or len(got) != len(expected):
        print(f"MISMATCH {label}: {bad[:3]}")
        return False
    return True


def main():
    ok = True
    count = 0
    for case in json.load(open(os.path.join(FIXTURES, "schedules-tf.json")))["cases"]:
        values = run(case["schedule"], flags(case["params"]), len(case["steps"]))
        ok &= compare(case["schedule"], values, case["values"])
        count += 1
    torch = json.load(open(os.path.join(FIXTURES, "schedules-torch.json")))
    base = torch["base_lr"]
    for case in torch["cases"]:
        name, params = case["scheduler"], dict(case["params"])
        if name == "warmup_then_cosine":
            warm = params["warmup"]["linear"]
            args = [f"--learning-rate={base}", f"--t-max={params['then']['cosine_annealing']['t_max']}",
                    f"--warmup-steps={warm['total_iters']}", f"--warmup-start-factor={warm['start_factor']}"]
            name = "cosine_annealing"
        else:
            params = {("t_0" if k == "t_0" else k): v for k, v in params.items()}
            args = [f"--learning-rate={base}"] + flags(params)
        values = run(TORCH_NAMES.get(name, name), args, len(case["values"]))
        ok &= compare(case["scheduler"], values, case["values"])
        count += 1
    print(f"keel schedule reproduced {count} reference schedules" if ok else "schedule check FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
