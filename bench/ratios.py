"""Reads the RESULT lines of bench/http-vs-pgbench.sh and prints each service figure as a ratio
of the matching pgbench figure, with the issue's targets (medians over the rounds)."""
import re
import statistics
import sys

figures = {}
for line in sys.stdin:
    name, _, rest = line.strip().partition(": ")
    rps = re.search(r"rps=([0-9.]+)", rest)
    p99 = re.search(r"p99=([0-9.]+)ms", rest)
    if rps:
        entry = figures.setdefault(name, {"rps": [], "p99": []})
        entry["rps"].append(float(rps.group(1)))
        if p99:
            entry["p99"].append(float(p99.group(1)))


def median(name, field="rps"):
    values = figures.get(name, {}).get(field, [])
    return statistics.median(values) if values else None


def line(label, value, target, better_high=True, unit="x"):
    if value is None:
        print(f"{label}: missing")
        return
    met = value >= target if better_high else value <= target
    bound = ">=" if better_high else "<="
    print(f"{label}: {value:.2f}{unit} (target {bound} {target}{unit}) {'MET' if met else 'NOT MET'}")


def ratio(a, b):
    return a / b if a is not None and b else None


for c in (4, 16, 64):
    writes, base = median(f"POST /v1/consignments c={c}"), median(f"pgbench tpcb-like c={c}")
    if writes is not None and base:
        print(f"writes at {c} connections: {writes:.0f} req/s vs pgbench {base:.0f} tps = {writes / base:.2f}x, "
              f"p99 {median(f'POST /v1/consignments c={c}', 'p99'):.1f} ms")
line("POST /v1/consignments c=16 / pgbench tpcb-like c=16",
     ratio(median("POST /v1/consignments c=16"), median("pgbench tpcb-like c=16")), 0.9)
line("POST p99 at 16", median("POST /v1/consignments c=16", "p99"), 50, better_high=False, unit=" ms")
line("writes at 64 / writes at 16",
     ratio(median("POST /v1/consignments c=64"), median("POST /v1/consignments c=16")), 1.0)
line("POST p99 at 64", median("POST /v1/consignments c=64", "p99"), 150, better_high=False, unit=" ms")
line("two instances / one instance (writes, 16 connections in all)",
     ratio(median("POST /v1/consignments two instances c=16"), median("POST /v1/consignments c=16")), 1.0)
line("GET /v1/consignments/{id} / pgbench select-only",
     ratio(median("GET /v1/consignments/{id} c=16"), median("pgbench select-only c=16")), 0.6)
line("GET /v1/verify/{number} / pgbench select-only",
     ratio(median("GET /v1/verify/{number} c=16"), median("pgbench select-only c=16")), 1.0)
