"""What an analysis found, as data (for --json and the web page) and as text for a counsellor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assessments.analysis.guarantees import BROKEN, PROVEN, GuaranteeReport, scenario_case
from assessments.models.ruleset import RuleSet

Answers = dict[str, dict[str, Any]]


@dataclass
class ScoreReport:
    id: str
    low: float | None
    high: float | None
    low_example: Answers | None
    high_example: Answers | None
    exact: bool  # the search finished: no answer set goes lower or higher
    options_low: float | None  # the range the options alone allow (each question on its own)
    options_high: float | None


@dataclass
class OutcomeReport:
    id: str
    title: str
    declared: bool  # False for the built-in not-enough-information outcome
    reachable: bool | None  # None: not found, but not proven impossible
    example: Answers | None
    tried: int
    only_when_missing: bool | None = None


@dataclass
class RuleReport:
    id: str
    can_fire: bool | None
    example: Answers | None
    tried: int
    combinations: int
    impossible: list[str] = field(default_factory=list)  # parts that can never hold on their own
    changes_outcome: bool | None = None  # only for rules that add weight or force
    change_example: Answers | None = None
    change_tried: int = 0


@dataclass
class TieGroup:
    outcomes: list[str]  # the outcomes that share the highest tally
    example: Answers
    resolved_to: str


@dataclass
class TieReport:
    possible: bool | None
    tried: int
    example: Answers | None = None  # example, outcomes and resolved_to: the first of groups
    outcomes: list[str] = field(default_factory=list)
    resolved_to: str | None = None
    groups: list[TieGroup] = field(default_factory=list)  # every tie found: each pair, then each triple
    complete: bool = True  # the search finished: no other pair or three-way tie can happen


@dataclass
class UnfoundedOutcome:
    """An outcome the bands give while none of the questions feeding their score is answered."""

    id: str
    score: str
    example: Answers


@dataclass
class Analysis:
    ruleset: RuleSet
    combinations: int
    questions: int
    samples: int
    scores: list[ScoreReport]
    outcomes: list[OutcomeReport]
    rules: list[RuleReport]
    ties: TieReport | None
    unfounded: list[UnfoundedOutcome] = field(default_factory=list)
    guarantees: list[GuaranteeReport] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Give what is proven wrong or not proven (the analyze command exits 1 when there is any)."""
        found = [
            f"guarantee '{g.id}' ({g.origin}) is broken: {'; '.join(g.broke)}"
            if g.status == BROKEN
            else f"guarantee '{g.id}' ({g.origin}) was not decided in {g.steps:,} steps, so it is not proven"
            for g in self.guarantees
            if not g.ok
        ]
        found += [
            f"outcome '{o.id}' can never be reached: no answer set leads to it; check the bands, the"
            " rules that add weight to it or force it, or remove it"
            for o in self.outcomes
            if o.declared and o.reachable is False
        ]
        for r in self.rules:
            if r.can_fire is not False:
                continue
            if r.impossible:
                found.append(
                    f"rule '{r.id}' can never fire: {'; '.join(r.impossible)} can never hold; change the value it"
                    " compares with"
                )
            else:
                found.append(
                    f"rule '{r.id}' can never fire: its parts can each hold, but never together; check for"
                    " 'all' that should be 'any', or answers that exclude each other"
                )
        return found

    def warnings(self) -> list[str]:
        """Give what deserves a look but is not an error."""
        found = [
            f"outcome '{o.id}' is reached only when answers are missing (the missing-answer policy);"
            " no complete answer set leads to it"
            for o in self.outcomes
            if o.declared and o.only_when_missing
        ]
        bands = getattr(self.ruleset.decision, "method", "") == "bands"
        for r in self.rules:
            if r.changes_outcome is not False:
                continue
            rule = next(x for x in self.ruleset.rules if x.id == r.id)
            if bands and not rule.force:
                found.append(
                    f"rule '{r.id}' adds weight, but the decision uses bands, which ignore weight;"
                    " use flag, advice or force, or decide by method: highest"
                )
            else:
                found.append(
                    f"rule '{r.id}' never changes the outcome: whenever it fires, the outcome is the same without it"
                )
        if self.ties and self.ties.possible:
            for group in self.ties.groups:
                found.append(
                    f"outcomes can tie on weight ({', '.join(group.outcomes)}); the tie goes to '{group.resolved_to}'"
                )
        found += [
            f"outcome '{u.id}' is given when none of the questions feeding score '{u.score}' is answered (a"
            " confident result from nothing); set missing.max_missing, or add a rule that forces"
            " not-enough-information when they are unanswered"
            for u in self.unfounded
        ]
        return found

    def to_dict(self) -> dict[str, Any]:
        """Give JSON-ready data."""
        return {
            "ruleset": {"id": self.ruleset.id, "version": self.ruleset.version},
            "questions": self.questions,
            "combinations": self.combinations,
            "samples": self.samples,
            "scores": [vars(s) for s in self.scores],
            "outcomes": [vars(o) for o in self.outcomes],
            "rules": [vars(r) for r in self.rules],
            "ties": {**vars(self.ties), "groups": [vars(g) for g in self.ties.groups]} if self.ties else None,
            "unfounded": [vars(u) for u in self.unfounded],
            "guarantees": [vars(g) for g in self.guarantees],
            "problems": self.problems(),
            "warnings": self.warnings(),
        }


def _num(value: float | None) -> str:
    if value is None:
        return "no value"
    return f"{value:.4g}"


def describe_answers(answers: Answers, *, qualified: bool = True, none: str = "no answers at all") -> str:
    """Give answers as `question=value; ...` (`questionnaire.question` when qualified), or `none`."""
    parts = []
    for group, given in answers.items():
        for question, value in given.items():
            shown = "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else str(value)
            parts.append(f"{group}.{question}={shown}" if qualified else f"{question}={shown}")
    return "; ".join(parts) if parts else none


def _answers(example: Answers | None, qualified: bool = True) -> str:
    """Give an example for the report: nothing when there is none, "(no answers)" when it is empty."""
    return "" if example is None else describe_answers(example, qualified=qualified, none="(no answers)")


def _not_found(tried: int) -> str:
    return f"not found in {tried:,} tries (not proven impossible)"


def render_text(analysis: Analysis, locate: Callable[[str], str] | None = None) -> str:
    """Give the report `rekindle analyze` prints; `locate` turns an error into `file:line:col: ...`."""
    r = analysis.ruleset
    qualified = len(r.questionnaires) > 1  # name questions as the rule set itself does
    out = [
        f"Analysis of {r.id} v{r.version} ({r.title})",
        f"  {analysis.questions} questions matter, {analysis.combinations:,} answer combinations",
        "",
        "Scores (lowest .. highest possible):",
    ]
    for s in analysis.scores:
        exact = (
            ""
            if s.exact
            else "  (found, not proven: not every answer could be tried; the options alone allow"
            f" {_num(s.options_low)}..{_num(s.options_high)})"
        )
        out.append(f"  {s.id:<28} {_num(s.low)} .. {_num(s.high)}{exact}")
    if not analysis.scores:
        out.append("  (no named scores)")
    out += ["", "Outcomes:"]
    for o in analysis.outcomes:
        if o.reachable:
            note = " — only when answers are missing" if o.only_when_missing else ""
            out.append(f"  {o.id:<28} reachable{note}, e.g. {_answers(o.example, qualified)}")
        elif o.reachable is False:
            out.append(f"  {o.id:<28} UNREACHABLE (proven)" if o.declared else f"  {o.id:<28} never given (proven)")
        else:
            out.append(f"  {o.id:<28} {_not_found(o.tried)}")
    out += ["", "Rules:"]
    for rule in analysis.rules:
        if rule.can_fire is False:
            out.append(f"  {rule.id:<28} NEVER FIRES (proven over {rule.combinations:,} combinations)")
            continue
        if rule.can_fire is None:
            out.append(f"  {rule.id:<28} firing {_not_found(rule.tried)}")
            continue
        effect = ""
        if rule.changes_outcome is True:
            effect = "; can change the outcome"
        elif rule.changes_outcome is False:
            effect = "; NEVER CHANGES THE OUTCOME (proven)"
        elif rule.changes_outcome is None and rule.change_tried:
            effect = f"; a change of outcome {_not_found(rule.change_tried)}"
        out.append(f"  {rule.id:<28} can fire, e.g. {_answers(rule.example, qualified)}{effect}")
    if analysis.ties is not None:
        t = analysis.ties
        out += ["", "Ties (highest weight):"]
        if t.possible:
            out += [
                f"  {', '.join(g.outcomes)} can tie, resolved to {g.resolved_to}, e.g. {_answers(g.example, qualified)}"
                for g in t.groups
            ]
            out.append("  no other tie can happen (proven)" if t.complete else f"  other ties {_not_found(t.tried)}")
        elif t.possible is False:
            out.append("  no answer set ties (proven)")
        else:
            out.append(f"  a tie {_not_found(t.tried)}")
    if analysis.guarantees:
        out += ["", "Guarantees (whatever the answers):"]
        for g in analysis.guarantees:
            out += _guarantee_lines(g, qualified)
    problems, warnings = analysis.problems(), analysis.warnings()
    out.append("")
    out += [f"error: {locate(p) if locate else p}" for p in problems]
    out += [f"warning: {w}" for w in warnings]
    out.append(f"{len(problems)} error(s), {len(warnings)} warning(s)")
    return "\n".join(out)


def _guarantee_lines(g: GuaranteeReport, qualified: bool) -> list[str]:
    head = f"  {g.id} ({g.origin}): {g.says}"
    if g.status == PROVEN:
        return [head, f"    proven: every one of {g.combinations:,} answer combinations was accounted for"]
    if g.status == BROKEN:
        return [
            head,
            f"    BROKEN: for {_answers(g.counterexample, qualified)}: {'; '.join(g.broke)}",
            "    as a scenario case (it fails until the rule set keeps the guarantee):",
            *["    " + line for line in scenario_case(g).splitlines()],
        ]
    sampled = f"; the answers to {', '.join(g.approximate)} could only be sampled" if g.approximate else ""
    return [head, f"    NOT DECIDED in {g.steps:,} steps{sampled} — not proven, which counts as a failure"]
