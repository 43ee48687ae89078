"""What partial answers make certain (the interruption page's test), checked against brute force.

Part-way through, each question is answered, or was asked and skipped (it stays unanswered:
the person has moved past it), or is not asked yet (it may still get any answer, or none). A
way of finishing gives each question not asked yet any answer the engine accepts, or none.

PartialAnswers decides with the analyzer's three-valued evaluation, which is sound but need
not be tight (analysis/abstract.py), so the property is, for every partial answer set:

- every flag `certain_flags` gives is raised however the answers are finished, and an outcome
  `certain_outcome` gives is the outcome a forcing rule gives however they are finished;
- and the other way round for rules over answers alone that name each question at most once
  (as an expanded tag quantifier does) and never a question that may be hidden: a flag such a
  rule raises however the answers are finished is in `certain_flags`, and when such a rule forces
  the outcome however they are finished (every forcing rule that would outrank it being such a
  rule too), `certain_outcome` gives it.

A flag raised by different rules on different ways of finishing, or through a mean score, or by
a question the answers have already hidden, may be missed: the interruption then comes later
(or only the result shows the flag), never wrongly.
"""

from __future__ import annotations

import itertools
import json
import random
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments import load_library
from assessments.analysis.partial import PartialAnswers
from assessments.analysis.space import compares
from assessments.errors import AssessmentError
from assessments.models.conditions import ConditionNode
from assessments.models.ruleset import Rule
from assessments.result import Result
from tests.assessments.small_space import ALL, DOMAINS, OUTCOMES, QUESTIONNAIRE, random_compare, random_ruleset

FLAGS = ["f", "g"]
# every question but e, which is asked only when c is yes
NEVER_HIDDEN = ["a", "b", "c", "d", "n"]
SKIPPED, NOT_ASKED = "(skipped)", "(not asked yet)"


def compare_on(rng: random.Random, question: str) -> dict[str, Any]:
    while True:
        compare = random_compare(rng)
        if question in compare:
            return compare


def plain_condition(rng: random.Random) -> dict[str, Any]:
    """Give a condition over answers alone that names each question at most once."""
    parts = [compare_on(rng, q) for q in rng.sample(NEVER_HIDDEN, rng.randint(1, 3))]
    parts = [{"not": part} if rng.random() < 0.2 else part for part in parts]
    return parts[0] if len(parts) == 1 else {rng.choice(["any", "all"]): parts}


def flagged_ruleset(seed: int) -> str:
    """Give a random rule set (see small_space) with flags f and g on some rules, and three more
    rules over answers alone that each raise a flag of their own, half of them forcing an outcome too."""
    rng = random.Random(seed + 3000)
    data = yaml.safe_load(random_ruleset(seed))
    data["flags"] = [{"id": flag, "title": flag.upper()} for flag in [*FLAGS, "p0", "p1", "p2"]]
    for rule in data["rules"]:
        if rng.random() < 0.4:
            rule["flag"] = rng.choice(FLAGS)
    for index in range(3):
        rule = {"id": f"plain{index}", "when": plain_condition(rng), "because": "Because.", "flag": f"p{index}"}
        if rng.random() < 0.5:
            rule["force"] = rng.choice(OUTCOMES)
            rule["priority"] = rng.randint(0, 2)
        data["rules"].append(rule)
    return "kind: ruleset\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in data.items() if k != "kind")


def is_plain(condition: ConditionNode) -> bool:
    names = [compare.ref for compare in compares(condition)]
    return len(names) == len(set(names)) and set(names) <= set(NEVER_HIDDEN)


# each question's answers, a list of choices as a tuple, so that an answer set is a key
ANSWERS = {q: [tuple(v) if isinstance(v, list) else v for v in values] for q, values in DOMAINS.items()}


def partial_answer_sets() -> Iterator[dict[str, Any]]:
    """Give every partial answer set: each question answered with each answer, skipped, or not asked yet."""
    states = [[*(v for v in values if v is not None), SKIPPED, NOT_ASKED] for values in ANSWERS.values()]
    for chosen in itertools.product(*states):
        partial = dict(zip(ANSWERS, chosen, strict=True))
        if partial["e"] != NOT_ASKED and partial["c"] != "yes":
            continue  # e is asked only once c is yes
        yield partial


def ways_of_finishing(partial: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Give every full answer set (as a key) that finishes the partial one, acceptable or not."""
    choices = [
        values if partial[q] == NOT_ASKED else [None] if partial[q] == SKIPPED else [partial[q]]
        for q, values in ANSWERS.items()
    ]
    return itertools.product(*choices)


@dataclass(frozen=True)
class Finished:
    """What the engine gave for one full answer set."""

    flags: frozenset[str]
    fired: frozenset[str]
    outcome: str
    forced_by: str | None  # the forcing rule that decided the outcome, if one did


def finished(result: Result, rules: tuple[Rule, ...]) -> Finished:
    fired = frozenset(r.id for r in result.fired)
    forcing = [r for r in rules if r.force is not None and r.id in fired]
    top = max(forcing, key=lambda r: r.priority, default=None)  # max keeps the first of equals
    assert (top is not None) == (result.decided_by == "forced")
    return Finished(frozenset(f.id for f in result.flags), fired, result.outcome.id, top and top.id)


def outranks(rule: Rule, other: Rule, rules: tuple[Rule, ...]) -> bool:
    """Give whether `rule` would decide the outcome over `other` when both fire."""
    return rule.priority > other.priority or (
        rule.priority == other.priority and rules.index(rule) < rules.index(other)
    )


@pytest.mark.parametrize("seed", range(5))
def test_what_partial_answers_make_certain_holds_however_they_are_finished(tmp_path: Path, seed: int) -> None:
    (tmp_path / "small.yaml").write_text(textwrap.dedent(QUESTIONNAIRE).lstrip())
    (tmp_path / "rules.yaml").write_text(flagged_ruleset(seed))
    library = load_library([tmp_path], bundled=False)
    assert not library.errors, [str(e) for e in library.errors]
    scorer = library.scorer("small-rules")
    rules = scorer.ruleset.rules
    plain = {r.id for r in rules if is_plain(r.when)}
    by_id = {r.id: r for r in rules}
    results: dict[tuple[Any, ...], Finished] = {}
    for answers in ALL:
        try:
            result = scorer.score(answers)
        except AssessmentError:
            continue  # not an answer set a person can give
        given = answers["small"]
        results[tuple(ANSWERS[q][DOMAINS[q].index(given.get(q))] for q in DOMAINS)] = finished(result, rules)
    deciding = PartialAnswers(scorer)

    for partial in partial_answer_sets():
        given = {q: list(v) if isinstance(v, tuple) else v for q, v in partial.items()}
        answers = {"small": {q: v for q, v in given.items() if v not in (SKIPPED, NOT_ASKED)}}
        asked = {("small", q) for q, v in partial.items() if v != NOT_ASKED}
        ways = [results[k] for k in ways_of_finishing(partial) if k in results]
        assert ways, partial  # every partial answer set here can be finished
        always_raised = frozenset.intersection(*(w.flags for w in ways))
        always_fired = frozenset.intersection(*(w.fired for w in ways))
        forced_by = {w.forced_by for w in ways}

        flags = deciding.certain_flags(answers, asked)
        assert flags <= always_raised, (partial, flags, always_raised)
        wanted = {by_id[r].flag for r in always_fired & plain if by_id[r].flag is not None}
        assert wanted <= flags, (partial, flags, wanted)

        outcome = deciding.certain_outcome(answers, asked)
        if outcome is not None:
            assert None not in forced_by and {w.outcome for w in ways} == {outcome}, (partial, outcome)
        if len(forced_by) == 1 and None not in forced_by:  # one rule forces the outcome, whatever the rest
            decider = by_id[str(next(iter(forced_by)))]
            if decider.id in plain and all(
                r.id in plain for r in rules if r.force is not None and outranks(r, decider, rules)
            ):
                assert outcome == decider.force, (partial, outcome, decider.id)
