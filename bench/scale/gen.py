#!/usr/bin/python3
"""Seeded synthetic cluster for bench/scale: NODES node records and TASKS
task records over 4 dimensions (cpu, mem_gib, gpu, net_gbps), with zone,
type and disk labels, tainted GPU nodes, selectors, tolerations, priorities
and spread constraints (by node and by zone).

Usage: gen.py [--nodes N] [--tasks N] [--seed S] > cluster.ndjson
"""
import argparse
import random
import sys

SHAPES = [  # type, cpu, mem_gib, gpu, net_gbps, share of nodes
    ("small", 16, 64, 0, 10, 0.35),
    ("medium", 32, 128, 0, 25, 0.35),
    ("large", 64, 256, 0, 50, 0.2),
    ("gpu", 32, 256, 8, 100, 0.1),
]
ZONES = [f"zone-{c}" for c in "abcdefgh"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout
    lines = []
    weights = [s[5] for s in SHAPES]
    for i in range(a.nodes):
        name, cpu, mem, gpu, net, _ = rng.choices(SHAPES, weights)[0]
        zone = rng.choice(ZONES)
        disk = "ssd" if rng.random() < 0.6 else "hdd"
        cap = f'"cpu":{cpu},"mem_gib":{mem},"net_gbps":{net}' + (f',"gpu":{gpu}' if gpu else "")
        taint = ',"taints":["gpu=true:NoSchedule"]' if gpu else ""
        lines.append(f'{{"kind":"node","node":"node-{i:06d}","capacity":{{{cap}}},'
                     f'"labels":{{"zone":"{zone}","type":"{name}","disk":"{disk}"}}{taint}}}')
        if len(lines) >= 10000:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    for i in range(a.tasks):
        r = rng.random()
        replicas = 1 if r < 0.8 else rng.randint(2, 3) if r < 0.95 else rng.randint(4, 8)
        cpu = rng.choice([0.25, 0.5, 1, 1, 2, 2, 4])
        mem = round(cpu * rng.choice([1, 2, 4, 4, 8]), 2)
        net = rng.choice([0.1, 0.2, 0.5, 1])
        fields = [f'"kind":"task","task":"task-{i:07d}"']
        req = f'"cpu":{cpu},"mem_gib":{mem},"net_gbps":{net}'
        s = rng.random()
        extra = ""
        zonal = False
        if s < 0.015:  # GPU jobs
            req += f',"gpu":{rng.choice([1, 1, 2, 4])}'
            extra = ',"selector":{"type":"gpu"},"tolerations":["gpu"]'
        elif s < 0.33:
            extra = f',"selector":{{"zone":"{rng.choice(ZONES)}"}}'
            zonal = True
        elif s < 0.43:
            extra = ',"selector":{"disk":"ssd"}'
        if replicas > 1:
            t = rng.random()
            if t < 0.5 or (zonal and t < 0.7):
                extra += ',"spread":"node"'
            elif t < 0.7:
                extra += ',"spread":{"by":"zone","max":2}'
        fields.append(f'"request":{{{req}}}')
        if replicas != 1:
            fields.append(f'"replicas":{replicas}')
        if rng.random() < 0.1:
            fields.append(f'"priority":{rng.choice([10, 100])}')
        lines.append("{" + ",".join(fields) + extra + "}")
        if len(lines) >= 10000:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    out.write("\n".join(lines) + ("\n" if lines else ""))


if __name__ == "__main__":
    main()
