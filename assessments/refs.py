"""What a name in a rule set points at: a question of one of its questionnaires, or a score."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.models.base import suggest
from assessments.models.questionnaire import Question, Questionnaire
from assessments.models.ruleset import RuleSet, Score

SCORES = ":scores"  # while scoring, named scores sit beside the answers under this key


@dataclass(frozen=True)
class QuestionRef:
    questionnaire: str
    question: Question

    @property
    def key(self) -> str:
        """Give the name used in messages and Result.missing: `questionnaire.question`."""
        return f"{self.questionnaire}.{self.question.id}"

    @property
    def slot(self) -> tuple[str, str]:
        """Give where the value sits while scoring: values[questionnaire][question]."""
        return self.questionnaire, self.question.id


@dataclass(frozen=True)
class ScoreRef:
    score: Score

    @property
    def key(self) -> str:
        """Give the name used in messages."""
        return self.score.id

    @property
    def slot(self) -> tuple[str, str]:
        """Give where the value sits while scoring: values[SCORES][score]."""
        return SCORES, self.score.id


Target = QuestionRef | ScoreRef


class Resolver:
    """Resolve the names a rule set (or a questionnaire's show_when) may use."""

    def __init__(
        self,
        questionnaires: list[Questionnaire],
        scores: tuple[Score, ...] = (),
        *,
        qualified: bool,
        allowed_questions: set[str] | None = None,
        tags: bool = False,
    ) -> None:
        self.qualified = qualified
        # tag -> questions carrying it, when tag quantifiers may be used here (rule sets, not show_when)
        self.tags: dict[str, list[str]] | None = None
        if tags:
            self.tags = {}
            for questionnaire in questionnaires:
                for question in questionnaire.questions():
                    name = f"{questionnaire.id}.{question.id}" if qualified else question.id
                    for use in question.tags:
                        self.tags.setdefault(use.tag, []).append(name)
        self.questions: dict[str, QuestionRef] = {}
        self.not_yet: set[str] = set()  # questions that exist but may not be named here (asked later)
        for questionnaire in questionnaires:
            for question in questionnaire.questions():
                name = f"{questionnaire.id}.{question.id}" if qualified else question.id
                if allowed_questions is None or name in allowed_questions:
                    self.questions[name] = QuestionRef(questionnaire.id, question)
                else:
                    self.not_yet.add(name)
        self.scores = {score.id: ScoreRef(score) for score in scores}

    def resolve(self, name: str) -> Target | None:
        """Give what `name` points at, or None."""
        return self.questions.get(name) or self.scores.get(name)

    def unknown_message(self, name: str) -> str:
        """Explain an unknown name and what could be written instead."""
        known = list(self.questions) + list(self.scores)
        hint = suggest(name, known)
        if name in self.not_yet:
            return f"'{name}' is asked after this question; show_when may only use questions asked before this one"
        if not self.qualified and "." in name:
            bare = name.split(".", 1)[1]
            alone = f": '{bare}'" if bare in self.questions else hint
            return f"'{name}' is not a question here; this rule set scores one questionnaire, so write the question id alone{alone}"
        if self.qualified and "." not in name and name not in self.scores:
            return (
                f"unknown name '{name}'{hint}; a rule set over several questionnaires names questions"
                " as questionnaire.question"
            )
        listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        return f"unknown question or score '{name}'{hint}; known: {listed}"


def resolver_for(ruleset: RuleSet, questionnaires: list[Questionnaire]) -> Resolver:
    """Give the resolver for a rule set's names: plain ids over one questionnaire, qualified over several."""
    return Resolver(questionnaires, ruleset.scores, qualified=len(ruleset.questionnaires) > 1, tags=True)
