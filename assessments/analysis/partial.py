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
        unanswered count as skipped. Answers to other questions count too.
        """
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
        return {
            rule.flag
            for rule, holds in zip(self.ruleset.rules, self.abstract.rules, strict=True)
            if rule.flag is not None and holds(node) is True
        }
