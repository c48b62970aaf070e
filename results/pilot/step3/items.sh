#!/bin/bash
# Item-level recognition of pilot step 3's runs (results/pilot/README.md): `segalign eval --items` on the committed
# `full` baseline's seed 0 and on each run folder here. Checkpoints are not committed; training is deterministic, so a
# run without one is retrained from its config.json into results/scratch/pilot-step3/ first (3-25 min per run at
# one thread; the 8× runs are the long ones). Writes items.txt next to this script.
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=results/pilot/step3
with_checkpoint() {
  local run=$1 copy
  if [ -f "$run/checkpoint.ckpt" ]; then echo "$run"; return; fi
  copy=results/scratch/pilot-step3/$(basename "$run")
  if [ ! -f "$copy/metrics.json" ]; then
    resume=(); [ -d "$copy" ] && resume=(--resume)
    environment/segalign train --config "$run/config.json" --seed "${run##*-s}" --threads 1 --out "$copy" "${resume[@]}" > /dev/null
  fi
  echo "$copy"
}
out=$(mktemp)
for run in results/full/runs/afd7e6ef7730-s0 $here/*-s[0-9]; do
  [ -f "$run/metrics.json" ] || continue # a run still training
  echo "== $(basename "$run")" >> "$out"
  environment/segalign eval "$(with_checkpoint "$run")" --items --threads 1 | sed -n '/^garments as a whole/,$p' >> "$out"
done
mv "$out" $here/items.txt
