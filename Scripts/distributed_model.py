"""The scaling model of docs/DISTRIBUTED.md: measure here, check the model against 2 and 4 ranks, predict clusters.

    python3 Scripts/distributed_model.py measure .build/release/keel > measured.json   # about 3 minutes
    python3 Scripts/distributed_model.py report measured.json                         # markdown tables

Model (no overlap of communication and computation, which is how Keel runs):
    step time  T(N) = t_compute(local batch) + t_allreduce(N, bytes)
    ring all-reduce   t_allreduce = 2 (N - 1) * alpha + 2 (N - 1) / N * bytes / bandwidth
On this machine the ranks share 2 cores and memory, so t_compute is a 1-thread step on B/N samples (times
N/2 when N > 2 ranks share the 2 cores) and t_allreduce is the measured `keel bench allreduce`. For a cluster, each
node is a machine like this one (2 cores, 1 rank × 2 threads, 128 samples per node per step: weak scaling) and the
network is Ethernet at 10 Gbit/s (TCP, alpha = 25 us) or 100 Gbit/s (RDMA, alpha = 3 us), at 90 % of line rate.
"""
import json
import subprocess
import sys

MODELS = ["mlp", "cnn", "resnet20"]
MPI = ["mpirun", "--allow-run-as-root", "--oversubscribe"]


def run(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(keel):
    result = {"models": {}}
    for model in MODELS:
        seconds = "6" if model == "resnet20" else "3"
        m = {}
        bench = [keel, "bench", "train", "--model", model, "--json", "--seconds", seconds]
        m["params"] = run([keel, "bench", "allreduce", "--model", model, "--json"])["floats"]
        for batch in (128, 64, 32):
            m[f"one_thread_{batch}"] = run(bench + ["--batch-size", str(batch), "--threads", "1"])["samples_per_second"]
        m["node_128"] = run(bench + ["--batch-size", "128", "--threads", "2"])["samples_per_second"]
        for ranks in (2, 4):
            m[f"allreduce_us_{ranks}"] = run(MPI + ["-np", str(ranks), keel, "bench", "allreduce", "--model", model, "--json"])["microseconds"]
            m[f"ranks_{ranks}"] = run(MPI + ["-np", str(ranks)] + bench + ["--batch-size", "128", "--threads", "1"])["samples_per_second"]
        result["models"][model] = m
        print(model, m, file=sys.stderr)
    result["cpu"] = run([keel, "bench", "allreduce", "--floats", "16", "--json"])["cpu"]
    return result


def allreduce_seconds(ranks, nbytes, alpha, bandwidth):
    return 2 * (ranks - 1) * alpha + 2 * (ranks - 1) / ranks * nbytes / bandwidth


def report(measured):
    lines = [f"Measured on: {measured['cpu']} (2 cores).", "",
             "| model | gradient | ranks here | compute (ms) | all-reduce (ms) | predicted samples/s | measured samples/s | error |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for model in MODELS:
        m = measured["models"][model]
        mb = m["params"] * 4 / 1e6
        for ranks in (2, 4):
            local = 128 // ranks
            compute = local / m[f"one_thread_{local}"] * max(1, ranks / 2)
            comm = m[f"allreduce_us_{ranks}"] / 1e6
            predicted = 128 / (compute + comm)
            actual = m[f"ranks_{ranks}"]
            lines.append(f"| {model} | {mb:.2f} MB | {ranks} | {compute * 1e3:.2f} | {comm * 1e3:.3f} | {predicted:,.0f} | {actual:,.0f} | "
                         f"{(predicted - actual) / actual * 100:+.0f} % |")
    lines += ["", "Predicted weak scaling on a cluster of such nodes (128 samples per node per step, efficiency = compute / step):", ""]
    networks = [("10 Gbit/s", 25e-6, 0.9 * 10e9 / 8), ("100 Gbit/s", 3e-6, 0.9 * 100e9 / 8)]
    header = "| model | network | " + " | ".join(f"{n} nodes" for n in (2, 4, 8, 16, 32, 64)) + " |"
    lines += [header, "| --- | --- |" + " --- |" * 6]
    for model in MODELS:
        m = measured["models"][model]
        compute = 128 / m["node_128"]
        for name, alpha, bandwidth in networks:
            cells = []
            for nodes in (2, 4, 8, 16, 32, 64):
                step = compute + allreduce_seconds(nodes, m["params"] * 4, alpha, bandwidth)
                cells.append(f"{nodes * 128 / step:,.0f}/s ({compute / step * 100:.0f} %)")
            lines.append(f"| {model} | {name} | " + " | ".join(cells) + " |")
    lines += ["", "One node (1 process × 2 threads, batch 128): " + ", ".join(
        f"{model} {measured['models'][model]['node_128']:,.0f} samples/s ({128 / measured['models'][model]['node_128'] * 1e3:.2f} ms a step)"
        for model in MODELS) + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2]), indent=1))
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        print(report(json.load(open(sys.argv[2]))))
    else:
        sys.exit(__doc__)
