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


def flanked(name, before, after):
    """Median over the rounds of a step's throughput against the mean of the steps run right
    before and after it in the same round: the machine's drift between rounds cancels."""
    steps, firsts, lasts = (figures.get(n, {}).get("rps", []) for n in (name, before, after))
    ratios = [step / ((first + last) / 2) for step, first, last in zip(steps, firsts, lasts) if first + last]
    return statistics.median(ratios) if ratios else None


for c in (4, 16, 64):
    writes, base = median(f"POST /v1/consignments c={c}"), median(f"pgbench tpcb-like c={c}")
    if writes is not None and base:
        print(f"writes at {c} connections: {writes:.0f} req/s vs pgbench {base:.0f} tps = {writes / base:.2f}x, "
              f"p99 {median(f'POST /v1/consignments c={c}', 'p99'):.1f} ms")
line("POST /v1/consignments c=16 / pgbench tpcb-like c=16",
     ratio(median("POST /v1/consignments c=16"), median("pgbench tpcb-like c=16")), 0.9)
line("POST p99 at 16", median("POST /v1/consignments c=16", "p99"), 50, better_high=False, unit=" ms")
line("writes at 64 / writes at 16 (the steps at 16 before and after it)",
     flanked("POST /v1/consignments c=64", "POST /v1/consignments c=16",
             "POST /v1/consignments c=16 after c=64"), 1.0)
line("POST p99 at 64", median("POST /v1/consignments c=64", "p99"), 150, better_high=False, unit=" ms")
line("two instances / one instance (writes, 16 connections in all; the steps before and after it)",
     flanked("POST /v1/consignments two instances c=16", "POST /v1/consignments c=16 after c=64",
             "POST /v1/consignments c=16 after two instances"), 1.0)
# The comparisons as this script made them before the flanking steps, for continuity.
for label, name in (("writes at 64", "POST /v1/consignments c=64"),
                    ("two instances", "POST /v1/consignments two instances c=16")):
    value = ratio(median(name), median("POST /v1/consignments c=16"))
    if value is not None:
        print(f"  ({label} against the first step at 16 only: {value:.2f}x)")
line("GET /v1/consignments/{id} / pgbench select-only",
     ratio(median("GET /v1/consignments/{id} c=16"), median("pgbench select-only c=16")), 0.6)
line("GET /v1/verify/{number} / pgbench select-only",
     ratio(median("GET /v1/verify/{number} c=16"), median("pgbench select-only c=16")), 1.0)
