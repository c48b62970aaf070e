#!/usr/bin/env python3
"""The full sweep's time from a seed-0 timing pass: python3 estimate.py [folder with the runner's log-*.txt].

Each run's worker time is its start-to-done span in the runner's log. Seeds of a config cost the same, so the 84-run
sweep (28 configs x 3 seeds) is the 27 measured configs, plus backbone-prior's pretrained-half run (not trained in the pass:
its prior was not on the machine) costed as overview/fpn, the same FPN+PPM config with the other prior (backbone-prior's
`pretrained` variant is that very config, so the pass found it done), times three. Two workers then
need at least half of that; the list schedule (each free worker takes the next run in plan order) gives the wall time.
"""
import glob, heapq, os, re, sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
experiments = ['overview', 'sfnet', 'alignseg', 'ifa', 'hfgd', 'rsp', 'backbone-prior']
seeds, workers = 3, 2

def seconds(clock):
    h, m, s = map(int, clock.split(':'))
    return 3600 * h + 60 * m + s

runs = []  # (experiment/variant, worker seconds)
for experiment in experiments:
    started = {}
    for line in open(os.path.join(folder, f'log-{experiment}.txt')):
        if m := re.match(r'\[(\d+:\d+:\d+)\] start (\S+) s0 ', line):
            started[m.group(2)] = seconds(m.group(1))
        elif m := re.match(r'\[(\d+:\d+:\d+)\] \d+/\d+ done (\S+) s0', line):
            runs.append((m.group(2), seconds(m.group(1)) - started[m.group(2)]))

measured = sum(s for _, s in runs)
print(f'{len(runs)} runs measured: {measured / 60:.1f} min of worker time, '
      f'{min(s for _, s in runs) / 60:.1f}-{max(s for _, s in runs) / 60:.1f} min per run')
configs = runs + [('backbone-prior/pretrained-half (costed as overview/fpn)', dict(runs)['overview/fpn'])]
plan = [s for _, s in configs for _ in range(seeds)]
free = [0.0] * workers
for s in plan:
    heapq.heappush(free, heapq.heappop(free) + s)
print(f'{len(plan)}-run sweep: {sum(plan) / 60:.1f} min of worker time; on {workers} workers at least '
      f'{sum(plan) / workers / 60:.1f} min, list schedule in plan order {max(free) / 60:.1f} min')
