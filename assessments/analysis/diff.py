"""What a change to a rule set does to people: the scenario cases whose outcome changes, and —
over every answer set a person can give — how many answer sets move from each old outcome to
each new one. (The lines that changed: assessments/analysis/lines.py.)

The count is exact when the answer space, cut down to the answers that behave differently under
either version (the analyzer's Space, for both versions at once), is small enough to walk: the
analyzer's EXHAUSTIVE_LIMIT. Each such class of answers is weighted by how many real answers it
stands for, so the count is of real answer sets, questions asked only after certain answers
included. Otherwise the share of each move is estimated from random answer sets (importance-
weighted, so the estimate is of the same real answer sets) and labelled an estimate.

No stored person's answers are used: only the questionnaires, both rule sets and the cases.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assessments.analysis.abstract import UNSET, Abstract, Node
from assessments.analysis.analyze import EXHAUSTIVE_LIMIT
from assessments.analysis.search import minimise
from assessments.analysis.space import Space, Var
from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, ShortText
from assessments.models.scenarios import Case
from assessments.options import choice_options

Answers = dict[str, dict[str, Any]]
REFUSED = "(answers refused)"  # the outcome column when a version's engine refuses an answer set
SAMPLES = 4000
TRY_WALK = 20_000  # steps a walk over a space beyond the limit may take before sampling instead
TRY_WALK_BEYOND = 1000  # ... when the space is at most this many times the limit (else pruning never finishes)
SEARCH_STEPS = 20_000  # steps the search for moves the samples missed may take
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
    rare: bool = False  # found by searching, but too rare for the random answer sets to estimate


@dataclass(frozen=True)
class OutcomeDiff:
    """Every (old outcome -> new outcome) pair over the answer space, and how it was counted."""

    exact: bool
    total: float  # answer sets in all: exact, or estimated
    moves: tuple[Move, ...]  # pairs whose outcome changes, most answer sets first
    stays: tuple[Move, ...]  # pairs whose outcome stays the same
    samples: int  # random answer sets drawn (0 when exact)
    walked: int  # steps the walk took (when exact)
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


class _Side:
    """One version's three-valued view of partly chosen answers: is its outcome decided already?"""

    def __init__(self, scorer: Scorer) -> None:
        self.space = Space(scorer.ruleset, list(scorer.questionnaires))
        self.abstract = Abstract(self.space)
        self.node = Node(len(self.space.vars))

    def choose(self, var: Var, answer: Any) -> None:
        """Note an answer (None: unanswered) to a question."""
        mine = self.space.by_slot.get(var.slot)
        if mine is not None:
            index = mine.index_of(answer)
            self.node.chosen[mine.index] = UNSET if index is None else index

    def forget(self, var: Var) -> None:
        """Note that a question is not chosen yet."""
        mine = self.space.by_slot.get(var.slot)
        if mine is not None:
            self.node.chosen[mine.index] = UNSET

    def possible(self) -> set[str]:
        """Give every outcome some way of answering the questions not yet chosen may still give."""
        self.node.memo.clear()
        truths = [rule(self.node) for rule in self.abstract.rules]
        return {outcome for outcome, _ in self.abstract.outcomes(self.node, truths)}

    def decided(self) -> bool:
        """Give whether every way of answering the questions not yet chosen gives one outcome."""
        return len(self.possible()) == 1


def _questions(old: _Side, new: _Side, missing_counts: bool) -> list[_Question]:
    found = []
    for var in new.space.vars:
        before = old.space.by_slot.get(var.slot)
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
        pair = (self.outcome(self.old, answers), self.outcome(self.new, answers))
        self.weights[pair] = self.weights.get(pair, 0.0) + weight
        kept = self.examples.setdefault(pair, [])
        if len(kept) < self.per_move:
            kept.append({group: dict(given) for group, given in answers.items()})

    @staticmethod
    def outcome(scorer: Scorer, answers: Answers) -> str:
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
    The walk takes at most `limit` steps; a space it cannot finish in them is sampled instead.
    """
    if [q.id for q in old.questionnaires] != [q.id for q in new.questionnaires]:
        raise ValueError("both versions must score the same questionnaires")
    sides = _Side(old), _Side(new)
    # missing answers decide the outcome only through max_missing; otherwise unanswered can share a class
    missing_counts = old.ruleset.missing.max_missing is not None or new.ruleset.missing.max_missing is not None
    questions = _questions(*sides, missing_counts)
    groups = [q.id for q in new.questionnaires]
    regions = tuple(q.var.key for q in questions if not q.listed)
    classes = math.prod(len(q.classes) for q in questions)
    if not regions and classes <= TRY_WALK_BEYOND * limit:
        tally = _Tally(old, new, per_move)
        # a space within the limit is walked whatever it takes; a somewhat larger one only when
        # pruning finishes it quickly (both outcomes decided early, as forcing rules make them)
        try:
            walked = _walk(questions, groups, tally, sides, limit if classes <= limit else min(limit, TRY_WALK))
        except _OutOfBudget:
            for side in sides:
                side.node.chosen[:] = [UNSET] * len(side.node.chosen)
        else:
            total = sum(tally.weights.values())
            moves, stays = tally.moves(total, 1.0)
            return OutcomeDiff(True, total, moves, stays, 0, walked, ())
    tally = _Tally(old, new, per_move)
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
    rare = _search_moves(questions, groups, tally, sides, per_move, SEARCH_STEPS)
    moves += tuple(Move(o, n, 0.0, 0.0, tuple(examples), rare=True) for (o, n), examples in rare.items())
    return OutcomeDiff(False, total, tuple(_smaller(m, tally) for m in moves), stays, samples, 0, regions)


def _smaller(move: Move, tally: _Tally) -> Move:
    """Give a move whose examples keep only the answers that make it move (random ones answer everything)."""

    def keep(answers: Answers) -> bool:
        return (tally.outcome(tally.old, answers), tally.outcome(tally.new, answers)) == (move.old, move.new)

    return replace(move, examples=tuple(minimise(example, keep) for example in move.examples))


def _search_moves(
    questions: list[_Question], groups: list[str], tally: _Tally, sides: tuple[_Side, _Side], per_move: int, budget: int
) -> dict[tuple[str, str], list[Answers]]:
    """Search for moves the random answer sets missed: only branches that may still hold a pair of
    outcomes not found yet are explored, so rare moves are found with their examples."""
    known = set(tally.weights)
    found: dict[tuple[str, str], list[Answers]] = {}
    answers: Answers = {group: {} for group in groups}
    steps = 0

    def visit(depth: int) -> None:
        nonlocal steps
        steps += 1
        if steps > budget:
            raise _OutOfBudget
        olds, news = sides[0].possible(), sides[1].possible()
        full = {pair for pair, examples in found.items() if len(examples) >= per_move}
        if not {(o, n) for o in olds for n in news if o != n} - known - full:
            return  # nothing new can come of this branch
        if depth == len(questions) or (len(olds) == 1 and len(news) == 1):
            pair = (tally.outcome(tally.old, answers), tally.outcome(tally.new, answers))
            if pair[0] != pair[1] and pair not in known and pair not in full:
                found.setdefault(pair, []).append({group: dict(given) for group, given in answers.items()})
            return
        var = questions[depth].var
        group, name = var.slot
        shown = var.show_when is None or var.show_when(answers)
        for value, _ in questions[depth].classes if shown else [(None, 1)]:
            if value is not None:
                answers[group][name] = value
            for side in sides:
                side.choose(var, value)
            visit(depth + 1)
            answers[group].pop(name, None)
        for side in sides:
            side.forget(var)

    try:
        visit(0)
    except _OutOfBudget:
        for side in sides:
            side.node.chosen[:] = [UNSET] * len(side.node.chosen)
    return found


class _OutOfBudget(Exception):
    pass


def _walk(questions: list[_Question], groups: list[str], tally: _Tally, sides: tuple[_Side, _Side], budget: int) -> int:
    """Visit every combination of classes (hidden questions unanswered), weighting each by its real
    answers; a branch where both versions' outcomes are decided whatever the rest is counted at once."""
    answers: Answers = {group: {} for group in groups}
    gates = {slot for q in questions for slot in q.var.show_refs}
    # from each depth on: how many ways the rest can be answered, when no show_when is left to decide it
    plain: list[int | None] = [1]
    for question in reversed(questions):
        after = plain[0]
        plain.insert(0, None if after is None or question.var.show_when is not None else after * question.count)
    steps = 0

    def ways(depth: int) -> int:
        """Give how many real answer sets complete the chosen answers from this question on."""
        if plain[depth] is not None:
            return plain[depth]  # type: ignore[return-value]
        var = questions[depth].var
        if var.show_when is not None and not var.show_when(answers):
            return ways(depth + 1)
        if var.slot not in gates:
            return questions[depth].count * ways(depth + 1)
        total = 0
        for value, count in questions[depth].classes:  # a later show_when reads this answer
            if value is not None:
                answers[var.slot[0]][var.slot[1]] = value
            total += count * ways(depth + 1)
            answers[var.slot[0]].pop(var.slot[1], None)
        return total

    def visit(depth: int, weight: int) -> None:
        nonlocal steps
        steps += 1
        if steps > budget:
            raise _OutOfBudget
        if depth == len(questions):
            tally.add(answers, float(weight))
            return
        if all(side.decided() for side in sides):  # the rest unanswered is one of the ways; the engine confirms
            tally.add(answers, float(weight * ways(depth)))
            return
        var = questions[depth].var
        group, name = var.slot
        shown = var.show_when is None or var.show_when(answers)
        for value, count in questions[depth].classes if shown else [(None, 1)]:
            if value is not None:
                answers[group][name] = value
            for side in sides:
                side.choose(var, value)
            visit(depth + 1, weight * count)
            answers[group].pop(name, None)
        for side in sides:
            side.forget(var)

    visit(0, 1)
    return steps


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
        before = _Tally.outcome(old, case.answers) if old is not None else "–"
        found.append(CaseChange(case.name, case.expect.outcome, before, _Tally.outcome(new, case.answers)))
    return found
