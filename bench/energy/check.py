#!/usr/bin/python3
"""bench/energy: the divisible energy optimum of lepton-schedule against
independent MILP solvers (glpsol from glpk-utils, cbc from coinor-cbc).

For each seeded instance (a few node types with counts, a total load), the
power a*u^2 + b*u + c of a node that is on is linearised by K tangent cuts
(an outer approximation, exact to within a*h^2/4 for tangent spacing h in
utilisation), nodes get on/off binaries, and the MILP
    min sum_i t_i + c_i*y_i
    s.t. sum_i x_i = L, x_i <= C_i*y_i, t_i >= tangent_k(x_i) for all k
is solved by each solver. Its optimum is at most the true optimum and
within the cut error of it, so lepton-schedule's exact value must agree to
1e-6 relative.

Usage: check.py BIN_DIR [INSTANCES] [SEED]
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

TANGENTS = 1001  # cut error <= a / (4 * 1000^2): at most 5e-5 W for a = 200
TOLERANCE = 1e-6


def make_instance(rng):
    nodes = []
    for t in range(rng.randint(2, 4)):
        cap = rng.choice([8, 16, 24, 32, 48, 64])
        a = 0 if rng.random() < 0.15 else round(rng.uniform(10, 200), 3)
        nodes.append({"kind": "node", "node": f"type{t}", "capacity": {"cpu": cap},
                      "a": a, "b": round(rng.uniform(0, 100), 3), "c": round(rng.uniform(0, 150), 3),
                      "count": rng.randint(1, 3)})
    total = sum(n["capacity"]["cpu"] * n["count"] for n in nodes)
    load = round(total * rng.uniform(0.05, 0.95), 2)
    task = {"kind": "task", "task": "load", "request": {"cpu": load}}
    return nodes, task, load


def write_lp(path, nodes, load):
    units = []  # (name, C, a, b, c)
    for n in nodes:
        for i in range(n["count"]):
            units.append((f"{n['node']}_{i}", n["capacity"]["cpu"], n["a"], n["b"], n["c"]))
    lines = ["\\ divisible energy, tangent-cut linearisation", "Minimize", " obj: " +
             " + ".join(f"t{j} + {u[4]} y{j}" for j, u in enumerate(units)), "Subject To"]
    lines.append(" load: " + " + ".join(f"x{j}" for j in range(len(units))) + f" = {load}")
    for j, (_, cap, a, b, c) in enumerate(units):
        lines.append(f" on{j}: x{j} - {cap} y{j} <= 0")
        for k in range(TANGENTS):
            u = k / (TANGENTS - 1)
            slope = (2 * a * u + b) / cap  # d/dx of a*(x/C)^2 + b*x/C at x = u*C
            const = a * u * u
            lines.append(f" cut{j}_{k}: t{j} - {slope!r} x{j} >= {-const!r}")
    lines.append("Bounds")
    for j, (_, cap, *_rest) in enumerate(units):
        lines.append(f" 0 <= x{j} <= {cap}")
        lines.append(f" t{j} >= 0")
    lines.append("Binaries")
    lines.append(" " + " ".join(f"y{j}" for j in range(len(units))))
    lines.append("End")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def glpsol(lp, work):
    out = os.path.join(work, "glpk.sol")
    subprocess.run(["glpsol", "--lp", lp, "--mipgap", "0", "-w", out], check=True, capture_output=True)
    with open(out) as f:
        for line in f:
            # The solution line of the raw format: "s mip ROWS COLS STATUS OBJ".
            parts = line.split()
            if parts and parts[0] == "s" and parts[1] == "mip":
                return float(parts[5])
    raise RuntimeError("glpsol: no MIP solution line")


def cbc(lp, work):
    out = os.path.join(work, "cbc.sol")
    subprocess.run(["cbc", lp, "ratioGap", "0", "allowableGap", "0", "solve", "solution", out], check=True,
                   capture_output=True)
    with open(out) as f:
        m = re.search(r"objective value\s+([-0-9.eE+]+)", f.readline())
    if not m:
        raise RuntimeError("cbc: no objective in the solution file")
    return float(m.group(1))


def main():
    bin_dir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 2026
    solvers = [(name, fn) for name, fn in (("glpsol", glpsol), ("cbc", cbc)) if shutil.which(name)]
    if not solvers:
        print("energy: neither glpsol (glpk-utils) nor cbc (coinor-cbc) is installed", file=sys.stderr)
        sys.exit(77)
    rng = random.Random(seed)
    worst = {name: 0.0 for name, _ in solvers}
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for i in range(count):
            nodes, task, load = make_instance(rng)
            inst = os.path.join(work, "inst.ndjson")
            with open(inst, "w") as f:
                for r in nodes + [task]:
                    f.write(json.dumps(r) + "\n")
            res = subprocess.run([os.path.join(bin_dir, "lepton-schedule"), "--objective", "energy", "--divisible", inst],
                                 check=True, capture_output=True, text=True)
            summary = json.loads(res.stdout.strip().splitlines()[-1])
            ours = summary["power"]
            lp = os.path.join(work, "model.lp")
            write_lp(lp, nodes, load)
            line = f"instance {i:2d}: {sum(n['count'] for n in nodes)} nodes, load {load:8.2f}, lepton {ours:.9f}"
            for name, fn in solvers:
                ref = fn(lp, work)
                rel = abs(ours - ref) / max(abs(ref), 1e-12)
                worst[name] = max(worst[name], rel)
                line += f", {name} {ref:.9f} (rel {rel:.1e})"
                if rel > TOLERANCE or not summary["exact"]:
                    failures += 1
            print(line)
    for name, w in worst.items():
        print(f"{name}: largest relative difference {w:.2e} over {count} instances (target <= {TOLERANCE:g})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
