#!/usr/bin/env python3
"""Sums two Chrome traces of the same training steps — Pretext's (libtorch's profiler, through
StepBench --profile) and plain PyTorch's (reference_step.py --profile) — per engine op, and prints
where each side spends a step: self time per op name (time in the op minus its child ops), the time
inside top-level ops, and the time outside any op (the framework: Java and JNI, or Python and its
bindings, between ops).

    /usr/bin/python3 bench/python/profile_compare.py PRETEXT.json PYTORCH.json --steps N [--top 20] [--json]

Only the standard library; both sides' traces use the same fields (ph "X", name, ts, dur, tid).
Profiling slows both sides (Pretext's more: the profiler records each op's shapes), so read the
traces for which ops differ and how often they run; take speeds from the untraced runs.
"""
import argparse
import collections
import json
import sys


def load(path):
    """The complete ("X") events of a trace: one per op call, nested by time on each thread."""
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    return [e for e in events if e.get("ph") == "X" and "dur" in e]


def summarise(events):
    """Self time per op name (µs), top-level op time and wall span per thread."""
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[e.get("tid")].append(e)
    self_time = collections.Counter()
    calls = collections.Counter()
    top_level = 0.0
    span = 0.0
    for tid, evs in by_thread.items():
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # [end, name] of the enclosing ops
        first = float(evs[0]["ts"])
        last = max(float(e["ts"]) + float(e["dur"]) for e in evs)
        span = max(span, last - first)

        for e in evs:
            ts, dur = float(e["ts"]), float(e["dur"])
            while stack and stack[-1][0] <= ts:
                stack.pop()
            name = e["name"]
            calls[name] += 1
            self_time[name] += dur
            if stack:
                parent = stack[-1]
                self_time[parent[1]] -= dur
            else:
                top_level += dur
            stack.append([ts + dur, name])
    return self_time, calls, top_level, span


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pretext")
    ap.add_argument("pytorch")
    ap.add_argument("--steps", type=int, required=True, help="training steps each trace holds")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    a = ap.parse_args()
    sides = {}
    for side, path in (("pretext", a.pretext), ("pytorch", a.pytorch)):
        st, calls, top, span = summarise(load(path))
        sides[side] = (st, calls, top, span)
    names = set(sides["pretext"][0]) | set(sides["pytorch"][0])
    rows = sorted(names, key=lambda n: -max(sides["pretext"][0].get(n, 0), sides["pytorch"][0].get(n, 0)))
    per = lambda v: v / a.steps / 1000.0  # ms per step
    out = {"steps": a.steps, "sides": {}, "ops": []}
    for side, (st, calls, top, span) in sides.items():
        out["sides"][side] = {"tracedMsPerStep": per(span), "insideOpsMsPerStep": per(top),
                              "outsideOpsMsPerStep": per(span - top),
                              "opCallsPerStep": sum(calls.values()) / a.steps}
    for n in rows[:a.top]:
        out["ops"].append({"op": n,
                           "pretextSelfMsPerStep": per(sides["pretext"][0].get(n, 0)),
                           "pretextCallsPerStep": sides["pretext"][1].get(n, 0) / a.steps,
                           "pytorchSelfMsPerStep": per(sides["pytorch"][0].get(n, 0)),
                           "pytorchCallsPerStep": sides["pytorch"][1].get(n, 0) / a.steps})
    if a.json:
        print(json.dumps(out))
        return
    for side, v in out["sides"].items():
        print(f"{side}: {v['tracedMsPerStep']:.3f} ms/step traced, {v['insideOpsMsPerStep']:.3f} in ops, "
              f"{v['outsideOpsMsPerStep']:.3f} outside, {v['opCallsPerStep']:.0f} op calls/step")
    print(f"{'op':48s} {'pretext ms':>10s} {'calls':>6s} {'pytorch ms':>10s} {'calls':>6s}")
    for r in out["ops"]:
        print(f"{r['op'][:48]:48s} {r['pretextSelfMsPerStep']:10.3f} {r['pretextCallsPerStep']:6.1f} "
              f"{r['pytorchSelfMsPerStep']:10.3f} {r['pytorchCallsPerStep']:6.1f}")


if __name__ == "__main__":
    main()
