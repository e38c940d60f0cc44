"""Measure the rule extractor on a file of cases: micro precision, recall and F1 over the set
fields, the exact-match rate of the numbers, and the scores the cases pin.

    .venv/bin/python bench/findings_eval.py ../shared/cases/findings.jsonl [--misses]

A case is one JSON object a line: {"id", "template", "text", "expect", "ignore"?}. Only the
fields `expect` names are judged; an empty list there means nothing of that kind may be
reported; ids under `ignore` are judged neither way. Categorical fields (onset, course, sex)
count as sets of at most one value.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.findings import InvalidFindingsInput, assess

SET_FIELDS = ("present", "absent", "character", "location", "radiation", "aggravating",
              "relieving", "history", "onset", "course", "sex")
NUMBER_FIELDS = ("duration_minutes", "age")
NOW = datetime(2024, 5, 1, 14, 0)


def as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else {value}


def judge(case: dict[str, Any], got: dict[str, Any], tally: dict[str, Counter[str]],
          misses: list[str]) -> None:
    expect, ignore = case["expect"], set(case.get("ignore", []))
    for field in SET_FIELDS:
        if field not in expect:
            continue
        want = as_set(expect[field]) - ignore
        have = as_set(got["findings"].get(field)) - ignore
        tally[field]["tp"] += len(want & have)
        tally[field]["fp"] += len(have - want)
        tally[field]["fn"] += len(want - have)
        if want != have:
            misses.append(f"{case['id']} {field}: missing {sorted(want - have)}"
                          f" extra {sorted(have - want)}")

    numbers = [(field, expect[field], got["findings"].get(field))
               for field in NUMBER_FIELDS if field in expect]
    numbers += [(f"vitals.{key}", value, got["findings"]["vitals"].get(key))
                for key, value in expect.get("vitals", {}).items()]
    for field, want, have in numbers:
        tally["numbers"]["total"] += 1
        if want == have:
            tally["numbers"]["exact"] += 1
        else:
            misses.append(f"{case['id']} {field}: expected {want}, got {have}")

    for name, pinned in expect.get("scores", {}).items():
        result = got["scores"].get(name, {})
        for key, want in pinned.items():
            tally["scores"]["total"] += 1
            if result.get(key) == want:
                tally["scores"]["exact"] += 1
            else:
                misses.append(f"{case['id']} scores.{name}.{key}: expected {want},"
                              f" got {result.get(key)}")


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)

    cases = [json.loads(line) for line in args.file.read_text("utf-8").splitlines()
             if line.strip()]
    tally: dict[str, Counter[str]] = {f: Counter() for f in (*SET_FIELDS, "numbers", "scores")}
    misses: list[str] = []
    times = []
    for case in cases:
        start = time.perf_counter()
        try:
            got = assess(case["text"], case.get("template"), now=NOW).to_dict()
        except InvalidFindingsInput:
            got = assess(case["text"], None, now=NOW).to_dict()
        times.append(time.perf_counter() - start)
        judge(case, got, tally, misses)

    tp = sum(tally[f]["tp"] for f in SET_FIELDS)
    fp = sum(tally[f]["fp"] for f in SET_FIELDS)
    fn = sum(tally[f]["fn"] for f in SET_FIELDS)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * precision * recall, precision + recall)
    numbers, pinned = tally["numbers"], tally["scores"]

    print(f"cases: {len(cases)}  ({args.file})")
    print(f"set fields (micro): precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}"
          f"  (tp {tp}, fp {fp}, fn {fn})")
    print(f"numbers exact: {numbers['exact']}/{numbers['total']}"
          f" = {ratio(numbers['exact'], numbers['total']):.3f}")
    print(f"pinned score fields: {pinned['exact']}/{pinned['total']}")
    for field in SET_FIELDS:
        counts = tally[field]
        if sum(counts.values()):
            print(f"  {field:12} tp {counts['tp']:3}  fp {counts['fp']:3}  fn {counts['fn']:3}")
    print(f"assess time per case: median {statistics.median(times) * 1000:.1f} ms,"
          f" max {max(times) * 1000:.1f} ms")
    if args.misses:
        for line in misses:
            print("  miss:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
