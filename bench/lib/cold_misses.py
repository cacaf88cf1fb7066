#!/usr/bin/env python3
"""Last-level cache misses per request, from a callgrind profile with its cache simulation.

    cold_misses.py PROFILE REQUESTS                 "code data-read data-write evictions" per
                                                     request (evictions: reads, each with the
                                                     caches emptied before it)
    cold_misses.py PROFILE REQUESTS --above BASE [--top N]
                                                     what PROFILE misses beyond BASE (the no-plugin
                                                     row): per object file, then the N functions
                                                     with the most (default 25)

The profiles come from bench/cold_misses.sh: callgrind with --cache-sim=yes, --dump-instr=yes
--compress-pos=no --compress-strings=no, the caches emptied before every read(2) by
bench/lib/evict_on_read.c. Its own misses (wasmgate_bench_evict) are left out. JIT code (the
plugins' wasm and V8's wrappers) has no symbols and is shown as "???" with its address.
"""
import collections
import sys

MISSES = ("ILmr", "DLmr", "DLmw")  # code, data read, data write: each a line fetched from memory


def misses_by_function(path):
    """({(object, function): Counter of MISSES}, self costs only; how many times the caches were
    emptied)."""
    costs = collections.defaultdict(collections.Counter)
    events, obj, fn, callee = [], "?", "?", ""
    evictions = 0
    after_calls = False  # the cost line after "calls=" is the callee's inclusive cost: not ours
    with open(path, errors="replace") as f:
        for text in f:
            if text.startswith("events:"):
                events = text.split()[1:]
            elif text.startswith("ob="):
                obj = text[3:].strip().rsplit("/", 1)[-1] or "?"
            elif text.startswith("fn="):
                fn = text[3:].strip()
            elif text.startswith("cfn="):
                callee = text[4:]
            elif text.startswith("calls="):
                after_calls = True
                if "wasmgate_bench_evict" in callee:
                    evictions += int(text[6:].split()[0])
            elif text.startswith("0x"):
                if after_calls:
                    after_calls = False
                    continue
                values = text.split()[2:]  # after the address and the source line; zeros at the end left out
                counter = costs[(obj, fn)]
                for event, value in zip(events, values):
                    if event in MISSES:
                        counter[event] += int(value)
            else:
                after_calls = False
    if not all(e in events for e in MISSES):
        sys.exit(f"cold_misses.py: {path} has no cache-simulation events (callgrind --cache-sim=yes)")
    return {key: c for key, c in costs.items() if "wasmgate_bench_evict" not in key[1]}, evictions


def per_request(costs, requests, key_of):
    grouped = collections.defaultdict(collections.Counter)
    for key, counter in costs.items():
        for event, value in counter.items():
            grouped[key_of(key)][event] += value / requests
    return grouped


def print_above(profile, base, requests, top):
    for title, key_of, limit in (("object", lambda k: k[0], None), ("function", lambda k: f"{k[0]}: {k[1]}", top)):
        mine = per_request(profile, requests, key_of)
        theirs = per_request(base, requests, key_of)
        rows = []
        for key in set(mine) | set(theirs):
            diff = {e: mine[key][e] - theirs[key][e] for e in MISSES}
            rows.append((sum(diff.values()), key, diff))
        rows.sort(key=lambda row: -row[0])
        print(f"| {title} | misses above no plugin | code | data read | data write |")
        print("|---|---:|---:|---:|---:|")
        for total, key, diff in rows[:limit]:
            if abs(total) < 0.5:
                continue
            print(f"| {key[:110]} | {total:.1f} | {diff['ILmr']:.1f} | {diff['DLmr']:.1f} | {diff['DLmw']:.1f} |")
        print()


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    (profile, evictions), requests = misses_by_function(args[0]), int(args[1])
    if "--above" in args:
        base, _ = misses_by_function(args[args.index("--above") + 1])
        top = int(args[args.index("--top") + 1]) if "--top" in args else 25
        print_above(profile, base, requests, top)
    else:
        totals = per_request(profile, requests, lambda k: "all")["all"]
        print(" ".join(f"{totals[e]:.0f}" for e in MISSES), f"{evictions / requests:.2f}")


if __name__ == "__main__":
    main()
