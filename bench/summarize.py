#!/usr/bin/env python3
"""Pool the hyperfine JSON exports written by bench_run (bench/lib.sh) and
print Markdown tables: one row per command (median, mean, spread, samples)
and, for each --pair SUBJECT=BASELINE, the difference and ratio of medians.

usage: summarize.py DIR [--unit ms|s] [--pair SUBJECT=BASELINE ...]
"""

import argparse
import glob
import json
import os
import statistics
import sys


def load(directory):
    """Map command name -> list of sample times in seconds, in first-seen order."""
    samples = {}
    files = sorted(glob.glob(os.path.join(directory, "*.json")))
    if not files:
        sys.exit(f"error: no hyperfine JSON files in {directory}")
    for path in files:
        with open(path) as f:
            data = json.load(f)
        for result in data["results"]:
            bad = [c for c in result.get("exit_codes", []) if c not in (0, None)]
            if bad:
                sys.exit(f"error: {path}: `{result['command']}` exited with {bad[0]}")
            samples.setdefault(result["command"], []).extend(result["times"])
    return samples


def cell(text):
    """Escape a Markdown table cell (command names contain `|`)."""
    return text.replace("|", "\\|")


def fmt(seconds, unit):
    if unit == "ms":
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.3f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--unit", choices=("ms", "s"), default="ms")
    ap.add_argument("--pair", action="append", default=[], metavar="SUBJECT=BASELINE")
    args = ap.parse_args()

    samples = load(args.dir)
    med = {name: statistics.median(t) for name, t in samples.items()}

    print("| command | median | mean ± σ | min … max | samples |")
    print("|---|---:|---:|---:|---:|")
    for name, t in samples.items():
        sd = statistics.stdev(t) if len(t) > 1 else 0.0
        print(
            f"| {cell(name)} | {fmt(med[name], args.unit)} | {fmt(statistics.mean(t), args.unit)} ± "
            f"{fmt(sd, args.unit)} | {fmt(min(t), args.unit)} … {fmt(max(t), args.unit)} | {len(t)} |"
        )

    if args.pair:
        print()
        print("| comparison | median | baseline median | difference | ratio of medians |")
        print("|---|---:|---:|---:|---:|")
    for pair in args.pair:
        subject, _, baseline = pair.partition("=")
        missing = [n for n in (subject, baseline) if n not in med]
        if missing:
            sys.exit(f"error: --pair {pair}: no samples for {missing[0]!r} in {args.dir}")
        diff = med[subject] - med[baseline]
        sign = "+" if diff >= 0 else "−"
        print(
            f"| {cell(subject)} vs {cell(baseline)} | {fmt(med[subject], args.unit)} | "
            f"{fmt(med[baseline], args.unit)} | {sign}{fmt(abs(diff), args.unit)} | "
            f"{med[subject] / med[baseline]:.2f}x |"
        )


if __name__ == "__main__":
    main()
