#!/usr/bin/python3
"""Independent checker for bench/scale: re-reads the cluster (node and task
records) and lepton-schedule's output, and checks every placement: known
node and task, each replica once, capacity in every dimension, selector,
taints tolerated, spread limits. Prints nodes used and unplaced count.

Usage: check.py CLUSTER.ndjson OUTPUT.ndjson
"""
import json
import sys
from collections import defaultdict

EPS = 1e-9


def main():
    cluster, output = sys.argv[1:3]
    nodes, tasks = {}, {}
    with open(cluster) as f:
        for line in f:
            r = json.loads(line)
            if r["kind"] == "node":
                nodes[r["node"]] = r
            elif r["kind"] == "task":
                tasks[r["task"]] = r
    load = defaultdict(lambda: defaultdict(float))
    seen = set()
    spread = defaultdict(int)
    placed = unplaced = 0
    errors = []
    summary = None
    with open(output) as f:
        for line in f:
            r = json.loads(line)
            k = r.get("kind")
            if k == "summary":
                summary = r
                continue
            if k not in ("placement", "unplaced"):
                continue
            key = (r["task"], r["replica"])
            if key in seen:
                errors.append(f"{key} reported twice")
            seen.add(key)
            t = tasks[r["task"]]
            if r["replica"] >= t.get("replicas", 1):
                errors.append(f"{key}: no such replica")
            if k == "unplaced":
                unplaced += 1
                continue
            placed += 1
            n = nodes.get(r["node"])
            if n is None:
                errors.append(f"{key}: unknown node {r['node']}")
                continue
            for res, amount in t["request"].items():
                load[r["node"]][res] += amount
            for lk, lv in t.get("selector", {}).items():
                if n.get("labels", {}).get(lk) != lv:
                    errors.append(f"{key}: {r['node']} does not match selector {lk}={lv}")
            tol = t.get("tolerations", [])
            for taint in n.get("taints", []):
                tk = taint.split(":")[0].split("=")[0]
                if tk not in [x.split("=")[0] for x in tol] and "*" not in tol:
                    errors.append(f"{key}: {r['node']} taint {taint} not tolerated")
            sp = t.get("spread")
            if sp:
                by, mx = (sp, 1) if isinstance(sp, str) else (sp["by"], sp.get("max", 1))
                slot = r["node"] if by == "node" else n.get("labels", {}).get(by)
                if slot is None:
                    errors.append(f"{key}: spread by {by} on a node without the label")
                spread[(r["task"], slot)] += 1
                if spread[(r["task"], slot)] > mx:
                    errors.append(f"{key}: more than {mx} replicas of {r['task']} on {by} {slot}")
    for name, used in load.items():
        cap = nodes[name]["capacity"]
        for res, amount in used.items():
            if amount > cap.get(res, 0) * (1 + EPS) + EPS:
                errors.append(f"node {name}: {res} {amount} > {cap.get(res, 0)}")
    total = sum(t.get("replicas", 1) for t in tasks.values())
    if placed + unplaced != total:
        errors.append(f"{placed + unplaced} replicas reported, {total} expected")
    if summary is None or summary["nodes_used"] != len(load) or summary["placed"] != placed:
        errors.append("summary disagrees with the placements")
    for e in errors[:20]:
        print("ERROR", e)
    print(f"checked {placed + unplaced} replicas: placed {placed}, unplaced {unplaced}, nodes used {len(load)}, "
          f"errors {len(errors)}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
