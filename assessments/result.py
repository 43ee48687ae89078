"""What scoring gives back: the outcome and everything needed to explain and reproduce it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from assessments.models.ruleset import Flag, Outcome, Resource

DECIDED_BY = {  # Result.decided_by -> words for authors
    "forced": "a rule that overrides everything else",
    "bands": "the band the score falls in",
    "highest": "the outcome with the most weight",
    "tie": "the tie rule (outcomes had equal weight)",
    "no-weight": "no rule added weight to any outcome",
    "missing": "too many unanswered questions",
}


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that fired and what it contributed; built once per rule when compiling."""

    id: str
    because: str
    add: dict[str, float]
    flag: str | None
    force: str | None
    priority: int
    # the outcomes its advice is shown with, when every advice item names them (None: any)
    advice_for: frozenset[str] | None = None


class Result(NamedTuple):
    """The answer for one set of answers under one rule set.

    A NamedTuple rather than a frozen dataclass: it is built once per response on the hot path,
    and a tuple is several times cheaper to build than a frozen dataclass's per-field setattr.
    """

    outcome: Outcome
    decided_by: str  # "forced", "bands", "highest", "tie", "no-weight", "missing"
    scores: dict[str, float | None]
    tallies: dict[str, float]
    fired: tuple[FiredRule, ...]
    flags: tuple[Flag, ...]
    advice: tuple[str, ...]
    resources: tuple[Resource, ...]
    missing: tuple[str, ...]
    missing_treatment: str  # "skip" or "zero"
    answers: dict[str, dict[str, Any]]
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    questionnaires: dict[str, dict[str, str]]  # id -> {"version", "hash"}

    @property
    def safety(self) -> bool:
        """Give whether a safety flag was raised."""
        return any(flag.safety for flag in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """Give plain JSON-ready data for the CLI, storage and tests."""
        return {
            "outcome": self.outcome.id,
            "outcome_title": self.outcome.title,
            "decided_by": self.decided_by,
            "scores": dict(self.scores),
            "tallies": dict(self.tallies),
            "fired": [
                {"id": r.id, "because": r.because, "add": dict(r.add), "flag": r.flag, "force": r.force}
                for r in self.fired
            ],
            "flags": [f.id for f in self.flags],
            "safety": self.safety,
            "advice": list(self.advice),
            "resources": [r.model_dump(mode="json", exclude_none=True) for r in self.resources],
            "missing": list(self.missing),
            "missing_treatment": self.missing_treatment,
            "answers": {
                q: {k: list(v) if isinstance(v, tuple) else v for k, v in a.items()} for q, a in self.answers.items()
            },
            "ruleset": {"id": self.ruleset_id, "version": self.ruleset_version, "hash": self.ruleset_hash},
            "questionnaires": {q: dict(v) for q, v in self.questionnaires.items()},
        }


@dataclass(frozen=True)
class RuleTrace:
    """For authors: whether a rule fired and, if not, which part of its condition failed."""

    id: str
    fired: bool
    why_not: str | None


@dataclass(frozen=True)
class Explanation:
    """A Result with the trace of every rule, for authors."""

    result: Result
    rules: tuple[RuleTrace, ...]
    values: dict[str, Any]
