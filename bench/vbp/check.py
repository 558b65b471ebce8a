#!/usr/bin/python3
"""Independent checker for bench/vbp: re-reads every .vbp instance and the
placement records lepton-schedule wrote for it, checks that every item is
placed exactly once and that no bin exceeds its capacity in any dimension
(exact integer arithmetic), counts the bins, and compares with
panigrahy_summary.tsv.

Usage: check.py DATA_DIR OUT_DIR TIMES_TSV
  DATA_DIR   holds panigrahy/ and panigrahy_summary.tsv
  OUT_DIR    holds <instance>.ndjson, lepton-schedule's output per instance
  TIMES_TSV  lines "<instance> <wall> <user> <sys>" (seconds) measured around each run
"""
import json
import os
import statistics
import sys
from fractions import Fraction


def read_vbp(path):
    tokens = open(path).read().split()
    pos = 0

    def take():
        nonlocal pos
        pos += 1
        return Fraction(tokens[pos - 1])

    d = int(take())
    cap = [take() for _ in range(d)]
    types = int(take())
    items = []  # (type, sizes, multiplicity)
    for j in range(types):
        sizes = [take() for _ in range(d)]
        items.append((j, sizes, int(take())))
    if pos != len(tokens):
        raise ValueError(f"{path}: trailing data")
    return cap, items


def check(path, out_path):
    """Returns (bins, reported_bins, lower_bound, (solve wall s, solve cpu s), error)."""
    cap, items = read_vbp(path)
    where = {}
    summary = None
    with open(out_path) as f:
        for line in f:
            rec = json.loads(line)
            kind = rec.get("kind")
            if kind == "placement":
                key = (rec["task"], rec["replica"])
                if key in where:
                    return None, None, None, None, f"{key} placed twice"
                where[key] = rec["node"]
            elif kind == "unplaced":
                return None, None, None, None, f"{rec['task']}/{rec['replica']} unplaced: {rec['reason']}"
            elif kind == "summary":
                summary = rec
    if summary is None:
        return None, None, None, None, "no summary record"
    loads = {}
    for j, sizes, mult in items:
        for r in range(mult):
            b = where.pop((f"item{j}", r), None)
            if b is None:
                return None, None, None, None, f"item{j} replica {r} not placed"
            load = loads.setdefault(b, [Fraction(0)] * len(cap))
            for k, s in enumerate(sizes):
                load[k] += s
    if where:
        return None, None, None, None, f"placements of unknown items: {sorted(where)[:3]}"
    for b, load in loads.items():
        for k, v in enumerate(load):
            if v > cap[k]:
                return None, None, None, None, f"bin {b} holds {v} > {cap[k]} in dimension {k}"
    return len(loads), summary["nodes_used"], summary["lower_bound"], (summary["seconds"], summary["cpu_seconds"]), None


def main():
    data, out_dir, times_path = sys.argv[1:4]
    table = {}
    with open(os.path.join(data, "panigrahy_summary.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            table[row["instance_name"]] = row
    wall, cpu = {}, {}
    with open(times_path) as f:
        for line in f:
            name, real, user, system = line.split()
            wall[name] = float(real)
            cpu[name] = float(user) + float(system)
    total = best = lb_paper = lb_ours = 0
    worse = equal = better = infeasible = 0
    wall500, cpu500, solve500, solve_cpu500 = [], [], [], []
    per_class = {}
    rows = []
    for name in sorted(table):
        cls = name.split("_")[0]
        path = os.path.join(data, "panigrahy", cls, name + ".vbp")
        out_path = os.path.join(out_dir, name + ".ndjson")
        if not os.path.exists(out_path):
            print(f"{name}: no output", file=sys.stderr)
            infeasible += 1
            continue
        bins, reported, lb, secs, err = check(path, out_path)
        if err:
            print(f"{name}: INFEASIBLE: {err}", file=sys.stderr)
            infeasible += 1
            continue
        if bins != reported:
            print(f"{name}: summary says {reported} bins, placements use {bins}", file=sys.stderr)
            infeasible += 1
        b = int(table[name]["best_overall"])
        total += bins
        best += b
        lb_paper += int(table[name]["LB"])
        lb_ours += int(lb)
        if bins < b:
            better += 1
        elif bins == b:
            equal += 1
        else:
            worse += 1
        c = per_class.setdefault(cls, [0, 0])
        c[0] += bins
        c[1] += b
        if name.split("_")[1] == "500":
            wall500.append(wall.get(name, float("nan")))
            cpu500.append(cpu.get(name, float("nan")))
            solve500.append(secs[0])
            solve_cpu500.append(secs[1])
        rows.append(f"{name}\t{bins}\t{b}\t{table[name]['LB']}\t{lb}\t{secs[0]}\t{secs[1]}\t"
                    f"{wall.get(name, float('nan')):.3f}\t{cpu.get(name, float('nan')):.3f}")
    with open(os.path.join(out_dir, "per_instance.tsv"), "w") as f:
        f.write("instance\tbins\tbest_overall\tLB\tour_lb\tsolve_s\tsolve_cpu_s\tprocess_wall_s\tprocess_cpu_s\n")
        f.write("\n".join(rows) + "\n")
    n = len(rows)
    print(f"instances checked:            {n} (infeasible or missing: {infeasible})")
    print(f"total bins (lepton-schedule): {total}")
    print(f"sum of best_overall:          {best}  (difference {total - best:+d})")
    print(f"sum of LB (summary file):     {lb_paper}")
    print(f"sum of our lower bounds:      {lb_ours}")
    print(f"vs best_overall: worse {worse}, equal {equal}, better {better}")
    for cls in sorted(per_class):
        print(f"  {cls}: {per_class[cls][0]} bins vs best_overall {per_class[cls][1]} ({per_class[cls][0] - per_class[cls][1]:+d})")
    if wall500:
        ms = lambda v: f"{statistics.median(v) * 1000:.2f} ms"
        print(f"500-item instances: {len(wall500)}; medians per instance:")
        print(f"  whole process: wall {ms(wall500)}, processor (user+sys) {ms(cpu500)}")
        print(f"  solve only:    wall {ms(solve500)}, processor {ms(solve_cpu500)}")
        print(f"  (load average while running: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    sys.exit(1 if infeasible else 0)


if __name__ == "__main__":
    main()
