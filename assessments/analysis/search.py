"""Depth-first search for an answer set with some property, pruned by three-valued evaluation.

A search walks the questions it was given in questionnaire order, choosing one candidate answer
per question. At every step it asks the property about the partial answers: False prunes the
branch, True (or all questions chosen) hands the answers to the real engine to confirm. When
the search ends without running out of budget, nothing was left unexplored: what it did not
find does not exist (unless a question's candidates were only a sample — see Space).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assessments.analysis.abstract import UNSET, Node, Tri
from assessments.analysis.space import Space, Var

Answers = dict[str, dict[str, Any]]
Test = Callable[[Node], Tri]
Confirm = Callable[[Answers], bool]


@dataclass(frozen=True)
class Found:
    """What a search found: an example (or None), whether it searched everything, and how far it went."""

    example: Answers | None
    complete: bool  # every branch was explored or pruned, over exact candidate answers
    steps: int


class _OutOfBudget(Exception):
    pass


class Searcher:
    """Searches over a Space's questions."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self.groups = list(dict.fromkeys(var.slot[0] for var in space.vars))

    def answers(self, node: Node) -> Answers:
        """Give the answers file data for the chosen answers (unanswered questions left out)."""
        found: Answers = {group: {} for group in self.groups}
        for var in self.space.vars:
            k = node.chosen[var.index]
            if k != UNSET and var.values[k] is not None:
                found[var.slot[0]][var.slot[1]] = var.values[k]
        return found

    def find(
        self,
        order: Sequence[Var],
        test: Test,
        confirm: Confirm,
        budget: int,
        rank: Callable[[Node], float] | None = None,
        narrow: Callable[[Node, Var], list[int]] | None = None,
    ) -> Found:
        """Give an answer set over `order` for which confirm holds, searching at most `budget` steps.

        rank, when given, orders each question's candidates (highest first) after trying each.
        narrow, when given, gives the candidates worth trying at this point (one of each group
        of answers that can no longer behave differently); it must never leave out a class.
        """
        node = Node(len(self.space.vars))
        shown: dict[str, dict[str, Any]] = {group: {} for group in self.groups}
        steps = 0

        def enter(depth: int) -> Answers | list[int] | None:
            """Visit the node at this depth: the confirmed answers, the choices to try below, or None."""
            nonlocal steps
            steps += 1
            if steps > budget:
                raise _OutOfBudget
            node.memo.clear()
            got = test(node)
            if got is False:
                return None
            if got is True or depth == len(order):
                answers = self.answers(node)
                if confirm(answers):
                    return answers
                if depth == len(order):
                    return None
            var = order[depth]
            choices: list[int] = list(range(len(var.values)))
            if var.show_when is not None and not var.show_when(shown):
                choices = [0]  # not asked: unanswered
            elif narrow is not None:
                choices = narrow(node, var)
            if rank is not None and len(choices) > 1:
                choices.sort(key=lambda k: -_ranked(node, var, k, rank))
            return choices

        # Depth-first with a stack of (depth, choices, next position) instead of recursion: a
        # questionnaire may have thousands of questions, far more than Python's recursion limit.
        try:
            example: Answers | None = None
            first = enter(0)
            if isinstance(first, dict):
                example = first
            stack = [(0, first, 0)] if isinstance(first, list) else []
            while stack and example is None:
                depth, choices, position = stack[-1]
                var = order[depth]
                group, name = var.slot
                shown[group].pop(name, None)  # the previous choice here, if any, is done with
                if position == len(choices):
                    node.chosen[var.index] = UNSET
                    stack.pop()
                    continue
                stack[-1] = (depth, choices, position + 1)
                k = choices[position]
                node.chosen[var.index] = k
                value = var.values[k]
                if value is not None:
                    shown[group][name] = value
                below = enter(depth + 1)
                if isinstance(below, dict):
                    example = below
                elif below is not None:
                    stack.append((depth + 1, below, 0))
        except _OutOfBudget:
            return Found(None, False, steps - 1)
        exact = not any(var.approximate for var in order)
        return Found(example, example is not None or exact, steps)

    def sample(self, count: int, seed: int = 0) -> list[Answers]:
        """Give `count` random answer sets over every question (show_when respected)."""
        rng = random.Random(seed)
        found = []
        for _ in range(count):
            shown: Answers = {group: {} for group in self.groups}
            for var in self.space.vars:
                if var.show_when is not None and not var.show_when(shown):
                    continue
                if len(var.values) > 1 and rng.random() > 0.1:
                    shown[var.slot[0]][var.slot[1]] = rng.choice(var.values[1:])
            found.append(shown)
        return found


def _ranked(node: Node, var: Var, k: int, rank: Callable[[Node], float]) -> float:
    node.chosen[var.index] = k
    node.memo.clear()
    value = rank(node)
    node.chosen[var.index] = UNSET
    node.memo.clear()
    return value


def minimise(answers: Answers, keep: Confirm) -> Answers:
    """Give a smaller example: drop each answer in turn (last first) while `keep` still holds."""
    current = {group: dict(given) for group, given in answers.items()}
    for group in reversed(list(current)):
        for question in reversed(list(current[group])):
            value = current[group].pop(question)
            if not keep(current):
                current[group][question] = value
    return {group: {q: v for q, v in answers[group].items() if q in current[group]} for group in answers}


def climb(
    searcher: Searcher,
    start: Answers,
    cost: Callable[[Answers], float | None],
    goal: Confirm,
    steps: int,
    seed: int = 0,
) -> Answers | None:
    """Change one answer at a time, keeping changes that do not raise `cost`, until `goal` holds.

    A local search from a known answer set, for properties that random answer sets rarely
    have (such as a rule deciding a close contest). cost None refuses a change.
    """
    rng = random.Random(seed)
    current = {group: dict(given) for group, given in start.items()}
    current_cost = cost(current)
    if current_cost is None:
        return None
    choices = [var for var in searcher.space.vars if len(var.values) > 1]
    for _ in range(steps):
        if goal(current):
            return current
        var = rng.choice(choices)
        group, name = var.slot
        trial = {g: dict(given) for g, given in current.items()}
        value = rng.choice(var.values)
        if value is None:
            trial[group].pop(name, None)
        else:
            trial[group][name] = value
        trial_cost = cost(trial)
        if trial_cost is not None and trial_cost <= current_cost:
            current, current_cost = trial, trial_cost
    return current if goal(current) else None
