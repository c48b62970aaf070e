#!/usr/bin/env python3
"""Recompute pilot step 3's table (results/pilot/README.md) from the run folders next to this script.

Each run is the committed `full` baseline (results/full/runs/afd7e6ef7730-s<seed>) changed in a few config fields;
the script finds those fields by comparing the two config.json files, so the table cannot name a lever the run did
not use. Standard library only: /usr/bin/python3 results/pilot/step3/table.py
"""
import csv, json, math, os, statistics, sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "..", "..", "full", "runs", "afd7e6ef7730-s{seed}")
# Two-sided 95 % Student t quantiles by degrees of freedom; above 10 the value for 10 (slightly conservative).
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def leaves(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, node


def changed(config, reference):
    a, b = dict(leaves(config["config"])), dict(leaves(reference["config"]))
    return {k: a.get(k) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def foreground_fate(folder):
    """Shares of ground-truth garment pixels predicted as their class, as background, as another garment (%)."""
    with open(os.path.join(folder, "confusion_matrix.csv")) as f:
        rows = list(csv.reader(f))[1:]
    m = [[float(x) for x in r[1:]] for r in rows]
    garments = range(1, len(m))
    total = sum(sum(m[i]) for i in garments)
    correct = sum(m[i][i] for i in garments)
    background = sum(m[i][0] for i in garments)
    return 100 * correct / total, 100 * background / total, 100 * (total - correct - background) / total


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "metrics.json")) as f:
        metrics = json.load(f)
    return config, metrics


def main():
    groups = defaultdict(list)
    for name in sorted(os.listdir(HERE)):
        folder = os.path.join(HERE, name)
        if not os.path.isfile(os.path.join(folder, "metrics.json")):
            continue
        config, metrics = load(folder)
        seed = config["seed"]
        reference, reference_metrics = load(BASELINE.format(seed=seed))
        lever = ", ".join(f"{k} = {json.dumps(v)}" for k, v in changed(config, reference).items())
        groups[lever].append((seed, metrics, reference_metrics, foreground_fate(folder)))

    print("| changed from the `full` baseline | seeds | train s / run | mIoU | Δ vs baseline, same seeds | boundary F |"
          " trimap 1 px | garment pixels: correct / background / other garment |")
    print("|---|---|---|---|---|---|---|---|")
    for lever, runs in sorted(groups.items(), key=lambda g: statistics.mean(r[1]["meanIoU"] for r in g[1])):
        miou = [r[1]["meanIoU"] for r in runs]
        delta = [r[1]["meanIoU"] - r[2]["meanIoU"] for r in runs]
        spread = f" ± {statistics.stdev(miou):.2f}" if len(runs) > 1 else ""
        interval = ""
        if len(runs) > 1:  # paired over seeds, t quantile for n - 1 degrees of freedom
            t = T_975.get(len(runs) - 1, T_975[10])
            half = t * statistics.stdev(delta) / math.sqrt(len(runs))
            interval = f" [{statistics.mean(delta) - half:+.2f}, {statistics.mean(delta) + half:+.2f}]"
        fate = [statistics.mean(r[3][i] for r in runs) for i in range(3)]
        print(f"| {lever} | {','.join(str(r[0]) for r in runs)} | {statistics.mean(r[1]['trainSeconds'] for r in runs):.0f}"
              f" | {statistics.mean(miou):.2f}{spread} | {statistics.mean(delta):+.2f}{interval}"
              f" | {statistics.mean(r[1]['boundaryF'] for r in runs):.2f}"
              f" | {statistics.mean(r[1]['trimapMeanIoU']['1'] for r in runs):.2f}"
              f" | {fate[0]:.1f} / {fate[1]:.1f} / {fate[2]:.1f} |")
    base = [load(BASELINE.format(seed=s))[1] for s in (0, 1, 2)]
    fates = [foreground_fate(BASELINE.format(seed=s)) for s in (0, 1, 2)]
    print(f"\nBaseline (committed, seeds 0-2): {statistics.mean(m['meanIoU'] for m in base):.2f} ± "
          f"{statistics.stdev(m['meanIoU'] for m in base):.2f} mIoU, seed 0 {base[0]['meanIoU']:.2f}; garment pixels "
          + " / ".join(f"{statistics.mean(f[i] for f in fates):.1f}" for i in range(3)))


if __name__ == "__main__":
    sys.exit(main())
