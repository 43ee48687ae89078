"""Engine benchmark (not a test): the combined rule set on 10,000 generated responses, against a
hand-written function encoding the same rules, in one run; then library loading with 200 extra
generated rule sets. Prints name=value lines.

    python bench/engine.py [--responses N] [--rulesets N] [--rounds N]

The engine and the hand-written function are timed in alternating passes over the same
responses, and the ratio is the median of the per-round ratios, so a machine that speeds up or
slows down during the run affects both sides alike.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments import load_library
from bench.handwritten import decide
from bench.responses import random_answers

RULESET = "should-i-try"


def _pass(func: Callable[[Any], Any], items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        func(item)
    return time.perf_counter() - start


def generated_rulesets(count: int, folder: Path) -> None:
    """Write `count` variants of the combined rule set (new ids, shifted weights) into folder."""
    source = (Path(__file__).resolve().parent.parent / "assessments" / "rules" / f"{RULESET}.yaml").read_text()
    for index in range(count):
        text = source.replace(f"id: {RULESET}\n", f"id: generated-{index}\n", 1)
        text = text.replace("add: {letting-go: 6}", f"add: {{letting-go: {6 + index % 5}}}")
        (folder / f"generated-{index}.yaml").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--rulesets", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    library = load_library()
    scorer = library.scorer(RULESET)
    rng = random.Random(20261128)
    responses = [random_answers(list(scorer.questionnaires), rng) for _ in range(args.responses)]
    mismatches = 0
    outcomes: dict[str, int] = {}
    for answers in responses:
        result = scorer.score(answers)
        outcomes[result.outcome.id] = outcomes.get(result.outcome.id, 0) + 1
        if (result.outcome.id, result.tallies) != decide(answers):
            mismatches += 1

    engine_times, hand_times, ratios = [], [], []
    for _ in range(args.rounds):
        engine_s = _pass(scorer.score, responses)
        hand_s = _pass(decide, responses)
        engine_times.append(engine_s)
        hand_times.append(hand_s)
        ratios.append(engine_s / hand_s)
    engine_s = statistics.median(engine_times)

    with tempfile.TemporaryDirectory() as tmp:
        generated_rulesets(args.rulesets, Path(tmp))
        load_times = []
        for _ in range(3):
            start = time.perf_counter()
            big = load_library([Path(tmp)])
            load_times.append(time.perf_counter() - start)
        assert not big.errors, big.errors[:1]

    print(f"responses={len(responses)}")
    print("outcomes=" + ",".join(f"{k}:{v}" for k, v in sorted(outcomes.items())))
    print(f"mismatches={mismatches}")
    print(f"engine_us_per_result={engine_s / len(responses) * 1e6:.1f}")
    print(f"handwritten_us_per_result={statistics.median(hand_times) / len(responses) * 1e6:.1f}")
    print(f"engine_vs_handwritten_ratio={statistics.median(ratios):.2f}")
    print(f"results_per_second={len(responses) / engine_s:.0f}")
    print(f"library_rulesets={len(big.rulesets)}")
    print(f"library_load_s={statistics.median(load_times):.2f}")


if __name__ == "__main__":
    main()
