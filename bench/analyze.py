"""Analyzer benchmark (not a test): `analyze` time for each bundled rule set and for generated
rule sets over a questionnaire of 20 questions x 4 options, on one core. Prints name=value lines.

    python bench/analyze.py [--repeat N]

The baseline in the same run is loading and checking the same files (what `rekindle validate`
does), so the figures read as "analysis costs this many loads". Target: under 5 s each.

Guarantees (each rule set's own and the library policies that apply) are proven afresh, not from
the library's memo: `guarantees_s[...]` is the time to decide all of one rule set's, with how
many were proven. Target: under 10 s each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments import load_library
from assessments.analysis import analyze
from assessments.analysis.guarantees import prove
from assessments.policies import applied_guarantees

OPTIONS = """
option_lists:
  four:
    - {value: never, label: Never, points: 0}
    - {value: rarely, label: Rarely, points: 1}
    - {value: often, label: Often, points: 2}
    - {value: always, label: Always, points: 3}
"""


def generated_files(folder: Path, seed: int = 7) -> list[str]:
    """Write a 20 x 4 questionnaire and two rule sets over it (bands and highest); give their ids."""
    rng = random.Random(seed)
    questions = "\n".join(f"      - {{id: q{i}, kind: scale, text: Question {i}?, options: four}}" for i in range(20))
    (folder / "twenty.yaml").write_text(
        "kind: questionnaire\nid: twenty\nversion: '1'\ntitle: Twenty\nsummary: Twenty questions.\nminutes: 5\n"
        f"default_ruleset: twenty-bands\n{OPTIONS}sections:\n  - id: all\n    title: All\n    questions:\n{questions}\n"
    )
    head = "kind: ruleset\nversion: '1'\nauthor: Bench\nquestionnaires: [twenty]\n"
    outcomes = "outcomes:\n" + "".join(f"  - {{id: o{k}, title: O{k}, summary: Outcome {k}.}}\n" for k in range(4))
    items = ", ".join(f"{{question: q{i}}}" for i in range(20))
    scores = (
        f"scores:\n  - {{id: total, sum: [{items}]}}\n"
        f"  - {{id: first-half, mean: [{', '.join(f'{{question: q{i}}}' for i in range(10))}]}}\n"
        f"  - {{id: alarms, count: [{', '.join(f'{{q{i}: {{equals: always}}}}' for i in range(0, 20, 3))}]}}\n"
    )
    rules = ["rules:"]
    for r in range(14):
        a, b = rng.sample(range(20), 2)
        value = rng.choice(["rarely", "often", "always"])
        rules.append(
            f"  - {{id: r{r}, when: {{all: [{{q{a}: {{in: [{value}, always]}}}}, {{q{b}: {{answered: true}}}}]}},"
            f" because: Rule {r}., add: {{o{r % 4}: {rng.randint(1, 3)}}}}}"
        )
    rules.append("  - {id: alarm, when: {alarms: {at_least: 3}}, because: Alarms., force: o0, priority: 5}")
    rules.append("  - {id: steady, when: {first-half: {at_most: 0.5}}, because: Steady., advice: [Keep going.]}")
    body = outcomes + scores + "\n".join(rules) + "\nmissing: {max_missing: 6}\n"
    (folder / "twenty-bands.yaml").write_text(
        head + "id: twenty-bands\ntitle: Bands\n" + body + "decision:\n  method: bands\n  score: total\n  bands:\n"
        "    - {outcome: o1, min: 0, max: 14}\n    - {outcome: o2, min: 15, max: 39}\n"
        "    - {outcome: o3, min: 40, max: 60}\n"
    )
    (folder / "twenty-highest.yaml").write_text(
        head + "id: twenty-highest\ntitle: Highest\n" + body + "decision: {method: highest, ties: [o0, o1, o2, o3]}\n"
    )
    return ["twenty-bands", "twenty-highest"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generated = generated_files(Path(tmp))
        library = load_library([Path(tmp)])
        assert not library.errors, [str(e) for e in library.errors]
        load_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            load_library([Path(tmp)])
            load_times.append(time.perf_counter() - start)
        print(f"load_library_s={statistics.median(load_times):.3f}")
        worst = 0.0
        for ruleset_id in [*library.rulesets]:
            ruleset = library.ruleset(ruleset_id)
            cases = library.scenario_answers(ruleset_id)
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                analysis = analyze(ruleset, library.questionnaires_for(ruleset), examples=cases)
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            worst = max(worst, seconds)
            kind = "generated" if ruleset_id in generated else "bundled"
            unsettled = sum(o.reachable is None for o in analysis.outcomes) + sum(
                r.can_fire is None or (r.changes_outcome is None and r.change_tried > 0) for r in analysis.rules
            )
            print(f"analyze_s[{kind}:{ruleset_id}]={seconds:.2f} unsettled[{ruleset_id}]={unsettled}")
        print(f"analyze_worst_s={worst:.2f}")
        print("target_s=5")
        policies = list(library.policies.values())
        worst_proof = 0.0
        for ruleset_id, ruleset in library.rulesets.items():
            scorer = library.scorer(ruleset_id)
            applied, _ = applied_guarantees(ruleset, scorer.ruleset, library.questionnaires_for(ruleset), policies)
            pairs = [(a.guarantee, a.origin) for a in applied]
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                reports = prove(scorer, pairs, examples=library.scenario_answers(ruleset_id))
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            worst_proof = max(worst_proof, seconds)
            proven = sum(r.ok for r in reports)
            print(f"guarantees_s[{ruleset_id}]={seconds:.3f} guarantees[{ruleset_id}]={len(reports)} proven={proven}")
        print(f"guarantees_worst_s={worst_proof:.3f}")
        print("guarantees_target_s=10")


if __name__ == "__main__":
    main()
