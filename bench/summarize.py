#!/usr/bin/env python3
"""Medians and ratios of bench/run.sh's result lines, as a Markdown table.

A line reads: `<workload> c=<conns> <reference|emulator> rep=<n> requests=… rps=… p99_us=… …`.
"""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    words = line.split()
    if len(words) < 5:
        continue
    workload, conns, side = words[0], words[1].removeprefix("c="), words[2]
    fields = dict(word.split("=", 1) for word in words[3:])
    runs[(workload, int(conns), side)].append(fields)


def median(rows, key):
    return statistics.median(float(row[key]) for row in rows)


def total(rows, *keys):
    return sum(int(row[key]) for row in rows for key in keys)


print("| workload | conns | reference req/s | emulator req/s | ratio | reference p50 / p99 (ms) "
      "| emulator p50 / p99 (ms) | p99 ratio | runs | unexpected statuses, socket errors |")
print("|---|---|---|---|---|---|---|---|---|---|")
for workload, conns in sorted({(w, c) for w, c, _ in runs},
                              key=lambda k: (["read", "list", "create", "mixed"].index(k[0])
                                             if k[0] in ["read", "list", "create", "mixed"] else 9, k[1])):
    ref, emu = runs.get((workload, conns, "reference"), []), runs.get((workload, conns, "emulator"), [])
    if not ref or not emu:
        continue
    print(f"| {workload} | {conns} | {median(ref, 'rps'):,.0f} | {median(emu, 'rps'):,.0f} "
          f"| {median(emu, 'rps') / median(ref, 'rps'):.2f} "
          f"| {median(ref, 'p50_us') / 1000:.2f} / {median(ref, 'p99_us') / 1000:.2f} "
          f"| {median(emu, 'p50_us') / 1000:.2f} / {median(emu, 'p99_us') / 1000:.2f} "
          f"| {median(emu, 'p99_us') / median(ref, 'p99_us'):.2f} | {len(emu)} "
          f"| emulator {total(emu, 'non2xx', 'bad')}, {total(emu, 'socket_errors')}; "
          f"reference {total(ref, 'non2xx', 'bad')}, {total(ref, 'socket_errors')} |")
