"""What is already certain while a person is part-way through: flags that the answers given so
far raise whatever the rest will be (for the web journey's interruption page).

The questions already asked are fixed to the answers given (skipped ones count as unanswered);
the rest are left open, and the three-valued evaluation the analyzer uses says which rules hold
however they are answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assessments.analysis.abstract import Abstract, Node
from assessments.analysis.space import Slot, Space
from assessments.engine import Scorer


class PartialAnswers:
    """A rule set's rules, ready to be decided on partial answers; build once per rule set."""

    def __init__(self, scorer: Scorer) -> None:
        self.ruleset = scorer.ruleset
        self.space = Space(scorer.ruleset, list(scorer.questionnaires))
        self.abstract = Abstract(self.space)

    def certain_flags(self, answers: dict[str, dict[str, Any]], asked: Iterable[Slot]) -> set[str]:
        """Give the flags raised whatever the questions not yet asked are answered.

        `asked`: the (questionnaire, question) pairs already put to the person; those left
        unanswered count as skipped. Answers to other questions count too. Sound, not always
        complete (three-valued evaluation): a flag given here is certain; a flag that different
        rules would raise on different ways of finishing may show only on the result.
        """
        node = self._node(answers, asked)
        return {
            rule.flag
            for rule, holds in zip(self.ruleset.rules, self.abstract.rules, strict=True)
            if rule.flag is not None and holds(node) is True
        }

    def certain_outcome(self, answers: dict[str, dict[str, Any]], asked: Iterable[Slot]) -> str | None:
        """Give the outcome a forcing rule gives whatever the rest will be, or None."""
        node = self._node(answers, asked)
        truths = [holds(node) for holds in self.abstract.rules]
        forcing = [(i, r) for i, r in enumerate(self.ruleset.rules) if r.force is not None and truths[i] is not False]
        sure = [(i, r) for i, r in forcing if truths[i] is True]
        if not sure:
            return None
        top = max(r.priority for _, r in sure)
        first = min(i for i, r in sure if r.priority == top)
        if any(r.priority > top or (r.priority == top and i < first) for i, r in forcing if truths[i] is None):
            return None  # a rule that may yet fire would win
        return self.ruleset.rules[first].force

    def _node(self, answers: dict[str, dict[str, Any]], asked: Iterable[Slot]) -> Node:
        settled = set(asked)
        node = Node(len(self.space.vars))
        for var in self.space.vars:
            group, name = var.slot
            value = answers.get(group, {}).get(name)
            if value is None and var.slot not in settled:
                continue  # not asked yet: could still be anything
            index = var.index_of(value)
            if index is not None:
                node.chosen[var.index] = index
        return node
