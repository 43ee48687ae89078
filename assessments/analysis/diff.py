"""What a change to a rule set does to people: the lines that changed, the scenario cases whose
outcome changes, and — over every answer set a person can give — how many answer sets move
from each old outcome to each new one.

The count is exact when the answer space, cut down to the answers that behave differently under
either version (the analyzer's Space, for both versions at once), is small enough to walk: the
analyzer's EXHAUSTIVE_LIMIT. Each such class of answers is weighted by how many real answers it
stands for, so the count is of real answer sets, questions asked only after certain answers
included. Otherwise the share of each move is estimated from random answer sets (importance-
weighted, so the estimate is of the same real answer sets) and labelled an estimate.

No stored person's answers are used: only the questionnaires, both rule sets and the cases.
"""

from __future__ import annotations

import difflib
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assessments.analysis.analyze import EXHAUSTIVE_LIMIT
from assessments.analysis.space import Space, Var
from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, ShortText
from assessments.models.scenarios import Case
from assessments.options import choice_options

Answers = dict[str, dict[str, Any]]
REFUSED = "(answers refused)"  # the outcome column when a version's engine refuses an answer set
SAMPLES = 4000
EXAMPLES_PER_MOVE = 3
WHOLE_NUMBERS_LISTED = 10_000  # a whole-number question with more values is sampled
SUBSETS_LISTED = 16  # a multiple-choice question with more free options is sampled


@dataclass(frozen=True)
class Move:
    """Answer sets that an old outcome gave and a new outcome now gives."""

    old: str
    new: str
    count: float  # answer sets: exact, or estimated (OutcomeDiff.exact says which)
    share: float  # of every answer set, 0..1
    examples: tuple[Answers, ...]


@dataclass(frozen=True)
class OutcomeDiff:
    """Every (old outcome -> new outcome) pair over the answer space, and how it was counted."""

    exact: bool
    total: float  # answer sets in all: exact, or estimated
    moves: tuple[Move, ...]  # pairs whose outcome changes, most answer sets first
    stays: tuple[Move, ...]  # pairs whose outcome stays the same
    samples: int  # random answer sets drawn (0 when exact)
    walked: int  # answer classes walked (when exact)
    regions: tuple[str, ...]  # questions whose answers were counted by region, not one by one

    @property
    def changed(self) -> float:
        """Give how many answer sets change outcome."""
        return sum(move.count for move in self.moves)


@dataclass
class _Question:
    """One question as the diff sees it: its real answers, grouped by how both versions treat them."""

    var: Var
    classes: list[tuple[Any, int]]  # (an answer standing for the class, how many real answers)
    count: int  # real answers, unanswered included
    draw: Callable[[random.Random], Any]  # a real answer, uniformly
    listed: bool  # every real answer was looked at (False: counted by region or sampled)


def _real_answers(question: Question, candidates: Sequence[Any]) -> tuple[list[Any] | None, int, Any]:
    """Give every real answer (None first) when there are few enough, their number, and a uniform draw."""
    if isinstance(question, ShortText):
        answers: list[Any] = [None, "some words"]  # any words behave the same: counted once
    elif isinstance(question, NumberQuestion):
        low, high = math.ceil(question.min), math.floor(question.max)
        if not question.integer or high - low + 1 > WHOLE_NUMBERS_LISTED:
            regions = list(candidates)  # fractions (or too many numbers): one answer per region
            return None, len(regions), lambda rng: rng.choice(regions)
        answers = [None, *range(low, high + 1)]
    elif isinstance(question, MultipleChoice):
        alone = [[o.value] for o in question.options if o.exclusive]
        free = [o.value for o in question.options if not o.exclusive]
        count = 1 + len(alone) + 2 ** len(free) - 1
        if len(free) > SUBSETS_LISTED:

            def draw(rng: random.Random) -> Any:
                pick = rng.randrange(count)
                if pick == 0:
                    return None
                if pick <= len(alone):
                    return alone[pick - 1]
                bits = pick - len(alone)
                return [v for i, v in enumerate(free) if bits >> i & 1]

            return None, count, draw
        subsets = [list(c) for size in range(1, len(free) + 1) for c in itertools.combinations(free, size)]
        answers = [None, *alone, *subsets]
    else:
        answers = [None, *(o.value for o in choice_options(question))]
    return answers, len(answers), lambda rng: rng.choice(answers)


def _questions(old: Scorer, new: Scorer) -> list[_Question]:
    old_space = Space(old.ruleset, list(old.questionnaires))
    new_space = Space(new.ruleset, list(new.questionnaires))
    # missing answers decide the outcome only through max_missing; otherwise unanswered can share a class
    missing_counts = old.ruleset.missing.max_missing is not None or new.ruleset.missing.max_missing is not None
    found = []
    for var in new_space.vars:
        before = old_space.by_slot.get(var.slot)
        candidates: list[Any] = []
        for value in [*var.values, *(before.values if before else ())]:
            if value not in candidates:  # lists (multiple choice) are not hashable
                candidates.append(value)
        answers, count, draw = _real_answers(var.question, candidates)
        if answers is None:  # counted by region or only sampled: never walked
            found.append(_Question(var, [(v, 1) for v in candidates], count, draw, listed=False))
            continue
        classes: dict[tuple[Any, ...], list[Any]] = {}
        for answer in answers:
            key = (
                var.signature(answer),
                before.signature(answer) if before else None,
                answer is None and missing_counts,
            )
            found_class = classes.setdefault(key, [answer, 0])
            found_class[1] += 1
        found.append(_Question(var, [(a, n) for a, n in classes.values()], count, draw, listed=True))
    return found


class _Tally:
    def __init__(self, old: Scorer, new: Scorer, per_move: int) -> None:
        self.old, self.new, self.per_move = old, new, per_move
        self.weights: dict[tuple[str, str], float] = {}
        self.examples: dict[tuple[str, str], list[Answers]] = {}

    def add(self, answers: Answers, weight: float) -> None:
        pair = (self._outcome(self.old, answers), self._outcome(self.new, answers))
        self.weights[pair] = self.weights.get(pair, 0.0) + weight
        kept = self.examples.setdefault(pair, [])
        if len(kept) < self.per_move:
            kept.append({group: dict(given) for group, given in answers.items()})

    @staticmethod
    def _outcome(scorer: Scorer, answers: Answers) -> str:
        try:
            return scorer.score(answers).outcome.id
        except AssessmentError:
            return REFUSED

    def moves(self, total: float, scale: float) -> tuple[tuple[Move, ...], tuple[Move, ...]]:
        listed = sorted(self.weights.items(), key=lambda item: (-item[1], item[0]))
        found = [
            Move(old, new, weight * scale, weight * scale / total if total else 0.0, tuple(self.examples[(old, new)]))
            for (old, new), weight in listed
        ]
        return tuple(m for m in found if m.old != m.new), tuple(m for m in found if m.old == m.new)


def outcome_diff(
    old: Scorer,
    new: Scorer,
    *,
    limit: int = EXHAUSTIVE_LIMIT,
    samples: int = SAMPLES,
    per_move: int = EXAMPLES_PER_MOVE,
    seed: int = 0,
) -> OutcomeDiff:
    """Give how the answer sets a person can give move between outcomes from `old` to `new`.

    Both scorers must be over questionnaires with the same ids; the new ones' questions are walked.
    """
    if [q.id for q in old.questionnaires] != [q.id for q in new.questionnaires]:
        raise ValueError("both versions must score the same questionnaires")
    questions = _questions(old, new)
    groups = [q.id for q in new.questionnaires]
    regions = tuple(q.var.key for q in questions if not q.listed)
    tally = _Tally(old, new, per_move)
    classes = math.prod(len(q.classes) for q in questions)
    if not regions and classes <= limit:
        walked = _walk(questions, groups, tally)
        total = sum(tally.weights.values())
        moves, stays = tally.moves(total, 1.0)
        return OutcomeDiff(True, total, moves, stays, 0, walked, ())
    rng = random.Random(seed)
    for _ in range(samples):
        answers: Answers = {group: {} for group in groups}
        weight = 1.0
        for question in questions:
            var = question.var
            if var.show_when is not None and not var.show_when(answers):
                continue  # not asked: unanswered is its only answer
            weight *= question.count  # this answer stands for 1/count of the choices here
            value = question.draw(rng)
            if value is not None:
                answers[var.slot[0]][var.slot[1]] = value
        tally.add(answers, weight)
    drawn = sum(tally.weights.values())
    total = drawn / samples  # the mean importance weight estimates how many answer sets there are
    moves, stays = tally.moves(total, total / drawn if drawn else 0.0)
    return OutcomeDiff(False, total, moves, stays, samples, 0, regions)


def _walk(questions: list[_Question], groups: list[str], tally: _Tally) -> int:
    """Visit every combination of classes (hidden questions unanswered), weighting each by its real answers."""
    answers: Answers = {group: {} for group in groups}
    walked = 0

    def visit(depth: int, weight: int) -> None:
        nonlocal walked
        if depth == len(questions):
            walked += 1
            tally.add(answers, float(weight))
            return
        var = questions[depth].var
        group, name = var.slot
        if var.show_when is not None and not var.show_when(answers):
            visit(depth + 1, weight)
            return
        for value, count in questions[depth].classes:
            if value is not None:
                answers[group][name] = value
            visit(depth + 1, weight * count)
            answers[group].pop(name, None)

    visit(0, 1)
    return walked


@dataclass(frozen=True)
class CaseChange:
    """A scenario case scored by both versions."""

    name: str
    expected: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        """Give whether the outcome differs between the versions."""
        return self.old != self.new


def case_changes(old: Scorer | None, new: Scorer, cases: Sequence[Case]) -> list[CaseChange]:
    """Give every case's outcome under both versions (old is None for a rule set never published)."""
    found = []
    for case in cases:
        before = _Tally._outcome(old, case.answers) if old is not None else "–"
        found.append(CaseChange(case.name, case.expect.outcome, before, _Tally._outcome(new, case.answers)))
    return found


@dataclass(frozen=True)
class DiffLine:
    """One line of a text diff: ' ' kept, '-' removed, '+' added, with its line in each version."""

    tag: str
    old_line: int | None
    new_line: int | None
    text: str


def text_diff(old: str, new: str, context: int = 3) -> list[list[DiffLine]]:
    """Give the changed lines with `context` lines around them, as hunks (empty when the texts are equal)."""
    a, b = old.splitlines(), new.splitlines()
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        lines = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine(" ", i + 1, j + 1, a[i]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            lines += [DiffLine("-", i + 1, None, a[i]) for i in range(i1, i2)]
            lines += [DiffLine("+", None, j + 1, b[j]) for j in range(j1, j2)]
        hunks.append(lines)
    return hunks
