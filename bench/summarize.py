#!/usr/bin/env python3
"""Medians and ratios of bench/run.sh's result lines, as a Markdown table.

A line reads: `<workload> c=<conns> <reference|emulator> rep=<n> requests=… rps=… p99_us=… …`.

The two programs run one after the other in every repetition, so each repetition gives a pair
measured under the same conditions. The ratios are the median of the per-repetition ratios:
on a shared machine whose load changes from one repetition to the next, the median of each
side taken apart may come from different repetitions (a busy one for one side, a quiet one for
the other). The ratio of the medians is printed too, with the range of the per-repetition
ratios.
"""
import statistics
import sys
from collections import defaultdict

ORDER = ["read", "list", "create", "mixed"]

runs = defaultdict(dict)
for line in open(sys.argv[1]):
    words = line.split()
    if len(words) < 5:
        continue
    workload, conns, side, rep = words[0], words[1].removeprefix("c="), words[2], words[3]
    fields = dict(word.split("=", 1) for word in words[4:])
    runs[(workload, int(conns), side)][rep] = fields


def median(rows, key):
    return statistics.median(float(row[key]) for row in rows.values())


def paired(ref, emu, key):
    """Per-repetition ratios emulator / reference, for the repetitions both sides ran."""
    return [float(emu[rep][key]) / float(ref[rep][key]) for rep in ref if rep in emu]


def total(rows, *keys):
    return sum(int(row[key]) for row in rows.values() for key in keys)


print("| workload | conns | reference req/s | emulator req/s | ratio (per repetition: median, range) "
      "| ratio of medians | reference p50 / p99 (ms) | emulator p50 / p99 (ms) "
      "| p99 ratio (per repetition: median, range) | runs | unexpected statuses, socket errors |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for workload, conns in sorted({(w, c) for w, c, _ in runs},
                              key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 9, k[1])):
    ref, emu = runs.get((workload, conns, "reference"), {}), runs.get((workload, conns, "emulator"), {})
    if not ref or not emu:
        continue
    rps, p99 = paired(ref, emu, "rps"), paired(ref, emu, "p99_us")
    print(f"| {workload} | {conns} | {median(ref, 'rps'):,.0f} | {median(emu, 'rps'):,.0f} "
          f"| **{statistics.median(rps):.2f}** ({min(rps):.2f}–{max(rps):.2f}) "
          f"| {median(emu, 'rps') / median(ref, 'rps'):.2f} "
          f"| {median(ref, 'p50_us') / 1000:.2f} / {median(ref, 'p99_us') / 1000:.2f} "
          f"| {median(emu, 'p50_us') / 1000:.2f} / {median(emu, 'p99_us') / 1000:.2f} "
          f"| **{statistics.median(p99):.2f}** ({min(p99):.2f}–{max(p99):.2f}) | {len(emu)} "
          f"| emulator {total(emu, 'non2xx', 'bad')}, {total(emu, 'socket_errors')}; "
          f"reference {total(ref, 'non2xx', 'bad')}, {total(ref, 'socket_errors')} |")
