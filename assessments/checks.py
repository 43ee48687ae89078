"""Checks of meaning that need more than one key: names that must exist, values that must be
offered, scores without cycles, bands without gaps. Each finding is a (key path, message) pair;
the library turns the key path into `file:line:col`."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from assessments.band_names import band_name
from assessments.bounds import Bounds, score_bounds
from assessments.condition_checks import Finding, Keys, _duplicates, check_condition
from assessments.guarantee_checks import check_guarantee, check_tag_uses, then_findings
from assessments.models.base import suggest
from assessments.models.conditions import RESERVED, condition_refs
from assessments.models.questionnaire import (
    MultipleChoice,
    Question,
    Questionnaire,
    Scale,
    ShortText,
    SingleChoice,
)
from assessments.models.ruleset import NOT_ENOUGH_INFORMATION, Band, BandsDecision, RuleSet
from assessments.options import points_table
from assessments.refs import QuestionRef, Resolver, resolver_for
from assessments.score_graph import chain_problem, score_uses

__all__ = ["Finding", "Keys", "check_condition", "check_questionnaire", "check_ruleset", "then_findings"]


def check_questionnaire(questionnaire: Questionnaire, library_tags: frozenset[str] = frozenset()) -> list[Finding]:
    """Give what is wrong inside one questionnaire (library_tags: tags the library's policies declare)."""
    findings: list[Finding] = []
    sections = questionnaire.sections
    own_tags = [t.id for t in questionnaire.tags]
    findings += _duplicates(own_tags, [("tags", i, "id") for i in range(len(own_tags))], "tag")
    declared = sorted(set(own_tags) | library_tags)
    findings += _duplicates([s.id for s in sections], [("sections", i, "id") for i in range(len(sections))], "section")
    where = [(s_index, q_index, q) for s_index, s in enumerate(sections) for q_index, q in enumerate(s.questions)]
    findings += _duplicates(
        [q.id for _, _, q in where], [("sections", s, "questions", i, "id") for s, i, _ in where], "question"
    )
    for name, options in questionnaire.option_lists.items():
        values = [o.value for o in options]
        findings += _duplicates(values, [("option_lists", name, i, "value") for i in range(len(values))], "option")
    earlier: list[Question] = []
    for s_index, q_index, question in where:
        at: Keys = ("sections", s_index, "questions", q_index)
        findings += _check_question_options(question, at)
        if question.id in RESERVED:
            findings.append(
                ((*at, "id"), f"'{question.id}' is a word conditions use ({', '.join(RESERVED)}); choose another id")
            )
        findings += check_tag_uses(questionnaire, question, declared, at)
        if question.show_when is not None:
            resolver = Resolver([questionnaire], qualified=False, allowed_questions={q.id for q in earlier})
            findings += check_condition(question.show_when, resolver, (*at, "show_when"))
        earlier.append(question)
    return findings


def _check_question_options(question: Question, at: Keys) -> Iterator[Finding]:
    if not isinstance(question, (SingleChoice, MultipleChoice, Scale)):
        return
    options = question.options
    yield from _duplicates(
        [o.value for o in options], [(*at, "options", i, "value") for i in range(len(options))], "option"
    )
    for index, option in enumerate(options):
        if isinstance(question, Scale) and option.points is None:
            yield (*at, "options", index), f"scale option '{option.value}' needs points, e.g. points: {index}"
        if option.exclusive and not isinstance(question, MultipleChoice):
            yield (*at, "options", index, "exclusive"), "only multiple-choice options can be exclusive; remove it"


def check_ruleset(
    ruleset: RuleSet, questionnaires: dict[str, Questionnaire], failed: frozenset[str] = frozenset()
) -> list[Finding]:
    """Give what is wrong with a rule set against the questionnaires it scores."""
    findings: list[Finding] = []
    for index, questionnaire_id in enumerate(ruleset.questionnaires):
        if questionnaire_id in failed:
            findings.append(
                (
                    ("questionnaires", index),
                    f"questionnaire '{questionnaire_id}' failed to load; fix the errors reported for it first",
                )
            )
        elif questionnaire_id not in questionnaires:
            findings.append(
                (
                    ("questionnaires", index),
                    f"unknown questionnaire '{questionnaire_id}'{suggest(questionnaire_id, list(questionnaires))};"
                    f" known: {', '.join(sorted(questionnaires)) or '(none loaded)'}",
                )
            )
    if findings:
        return findings
    resolver = resolver_for(ruleset, [questionnaires[q] for q in ruleset.questionnaires])
    outcome_ids = ruleset.outcome_ids()
    flag_ids = [f.id for f in ruleset.flags]
    findings += _duplicates(
        [o.id for o in ruleset.outcomes], [("outcomes", i, "id") for i in range(len(ruleset.outcomes))], "outcome"
    )
    findings += _duplicates(flag_ids, [("flags", i, "id") for i in range(len(flag_ids))], "flag")
    findings += _duplicates(
        [s.id for s in ruleset.scores], [("scores", i, "id") for i in range(len(ruleset.scores))], "score"
    )
    findings += _duplicates(
        [r.id for r in ruleset.rules], [("rules", i, "id") for i in range(len(ruleset.rules))], "rule"
    )
    findings += _check_scores(ruleset, resolver)

    def outcome_known(value: str, at: Keys) -> None:
        if value not in outcome_ids:
            findings.append(
                (
                    at,
                    f"unknown outcome '{value}'{suggest(value, outcome_ids)}; declared outcomes: {', '.join(outcome_ids)}",
                )
            )

    for index, rule in enumerate(ruleset.rules):
        at: Keys = ("rules", index)
        findings += check_condition(rule.when, resolver, (*at, "when"))
        for outcome_id in rule.add:
            outcome_known(outcome_id, (*at, "add", outcome_id))
        if rule.force is not None:
            outcome_known(rule.force, (*at, "force"))
        if rule.flag is not None and rule.flag not in flag_ids:
            declared = ", ".join(flag_ids) or "(none)"
            findings.append(
                (
                    (*at, "flag"),
                    f"unknown flag '{rule.flag}'{suggest(rule.flag, flag_ids)}; declare it under flags (declared: {declared})",
                )
            )
        for a_index, advice in enumerate(rule.advice):
            for o_index, outcome_id in enumerate(advice.outcomes or ()):
                outcome_known(outcome_id, (*at, "advice", a_index, "outcomes", o_index))
    for g_index, guarantee in enumerate(ruleset.guarantees):
        findings += check_guarantee(guarantee, ruleset, resolver, ("guarantees", g_index))
    decision = ruleset.decision
    if isinstance(decision, BandsDecision):
        findings += _check_bands_decision(ruleset, decision, resolver, outcome_known)
    else:
        if decision.ties != NOT_ENOUGH_INFORMATION:
            for t_index, outcome_id in enumerate(decision.ties):
                outcome_known(outcome_id, ("decision", "ties", t_index))
            missing = [o.id for o in ruleset.outcomes if o.id not in decision.ties]
            if missing:
                findings.append(
                    (
                        ("decision", "ties"),
                        f"ties must list every outcome in order of preference; add: {', '.join(missing)}",
                    )
                )
        outcome_known(decision.if_no_weight, ("decision", "if_no_weight"))
    return findings


def _check_scores(ruleset: RuleSet, resolver: Resolver) -> list[Finding]:
    findings: list[Finding] = []
    score_ids = {s.id for s in ruleset.scores}
    for name in resolver.questions:
        if name in score_ids:
            index = next(i for i, s in enumerate(ruleset.scores) if s.id == name)
            findings.append(
                (
                    ("scores", index, "id"),
                    f"score '{name}' has the same name as a question; rename the score, e.g. '{name}-score'",
                )
            )
    graph: dict[str, list[str]] = {}
    for index, score in enumerate(ruleset.scores):
        at: Keys = ("scores", index, score.method)
        graph[score.id] = []
        if score.count is not None:
            for c_index, condition in enumerate(score.count):
                findings += check_condition(condition, resolver, (*at, c_index))
                graph[score.id] += [r for r in condition_refs(condition) if r in score_ids]
            continue
        for i_index, item in enumerate(getattr(score, score.method)):
            if score.method == "mean" and item.weight <= 0:
                findings.append(
                    (
                        (*at, i_index, "weight"),
                        f"a mean's weights must be above 0 (found {item.weight:g}); to count an item against the"
                        " others, use a sum",
                    )
                )
            if hasattr(item, "score"):
                if item.score not in score_ids:
                    findings.append(
                        (
                            (*at, i_index, "score"),
                            f"unknown score '{item.score}'{suggest(item.score, sorted(score_ids))}; declared scores: {', '.join(sorted(score_ids))}",
                        )
                    )
                graph[score.id].append(item.score)
                continue
            target = resolver.resolve(item.question)
            if not isinstance(target, QuestionRef):
                findings.append(((*at, i_index, "question"), resolver.unknown_message(item.question)))
                continue
            findings += _check_scored_question(target.question, item.reverse, (*at, i_index))
    chained = chain_problem(graph)  # a cycle, or a chain deeper than the nesting limit
    if chained:
        index = next(i for i, s in enumerate(ruleset.scores) if s.id == chained[0])
        findings.append((("scores", index, "id"), chained[1]))
    return findings


def _check_scored_question(question: Question, reverse: bool, at: Keys) -> Iterator[Finding]:
    if isinstance(question, ShortText):
        yield (*at, "question"), f"'{question.id}' is a text question and is never scored; remove it from the score"
        return
    if isinstance(question, (SingleChoice, MultipleChoice, Scale)) and points_table(question) is None:
        yield (
            (*at, "question"),
            f"question '{question.id}' has options without points; give every option points, or use a count score with conditions",
        )
    if reverse and isinstance(question, MultipleChoice):
        yield (*at, "reverse"), "a multiple-choice question cannot be reverse scored; remove reverse"


def _check_bands_decision(
    ruleset: RuleSet, decision: BandsDecision, resolver: Resolver, outcome_known: Any
) -> list[Finding]:
    findings: list[Finding] = []
    score = next((s for s in ruleset.scores if s.id == decision.score), None)
    if score is None:
        ids = [s.id for s in ruleset.scores]
        findings.append(
            (
                ("decision", "score"),
                f"unknown score '{decision.score}'{suggest(decision.score, ids)}; declare it under scores (declared:"
                f" {', '.join(ids) or 'none'}); the bands are checked against its range once it is declared",
            )
        )
    tables: list[tuple[Keys, tuple[Band, ...]]] = [(("decision", "bands"), decision.bands)]
    for v_index, variant in enumerate(decision.variants):
        findings += check_condition(variant.when, resolver, ("decision", "variants", v_index, "when"))
        tables.append((("decision", "variants", v_index, "bands"), variant.bands))
    # a score range needs the scores sound: no cycle, no chain past the nesting limit (reported
    # at the score itself)
    sound = score is not None and chain_problem(score_uses(ruleset)) is None
    bounds = score_bounds(ruleset, resolver).get(decision.score) if sound else None
    if sound and bounds is None:  # an item the score cannot use (unknown, or without points): reported there
        findings.append(
            (
                ("decision", "score"),
                f"score '{decision.score}' has no known range until the mistakes in its items are fixed; whether"
                " the bands reach its lowest and highest values is checked then",
            )
        )
    for at, bands in tables:
        for b_index, band in enumerate(bands):
            outcome_known(band.outcome, (*at, b_index, "outcome"))
        findings += _check_band_cover(bands, bounds, decision.score, at)
    return findings


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_band_cover(bands: tuple[Band, ...], bounds: Bounds | None, score_id: str, at: Keys) -> Iterator[Finding]:
    """Give the gaps and overlaps between bands, and where they fall short of the score's range.

    Without a range (the score is unknown, or has mistakes of its own) overlaps and the gaps that
    hold a whole number are still found: they are gaps whatever values the score can take.
    """
    order = sorted(range(len(bands)), key=lambda i: bands[i].min)
    first = bands[order[0]]
    integer = bounds.integer if bounds is not None else None  # None: not known
    if bounds is not None and first.min > bounds.low:
        low = bounds.low
        yield (
            (*at, order[0], "min"),
            f"score '{score_id}' can be as low as {_fmt(low)} but the lowest band starts at {_fmt(first.min)}; start it at min: {_fmt(low)}",
        )
    for prev_i, next_i in pairwise(order):
        prev, nxt = bands[prev_i], bands[next_i]
        keys = (*at, next_i, "min")
        if prev.max is not None:
            if nxt.min <= prev.max:
                yield (
                    keys,
                    f"bands overlap: min {_fmt(nxt.min)} is inside {band_name(prev)}; start this band at {_fmt(prev.max + 1) if integer else 'a higher value'}",
                )
            elif integer is not False and nxt.min > prev.max + 1 and _has_int_between(prev.max, nxt.min):
                yield (
                    keys,
                    f"gap between bands: values after {_fmt(prev.max)} and before {_fmt(nxt.min)} have no band; start this band at min: {_fmt(prev.max + 1)}",
                )
            elif integer is False:
                yield (
                    (*at, prev_i, "max"),
                    f"score '{score_id}' can take fractional values, so values between {_fmt(prev.max)} and {_fmt(nxt.min)} have no band; write below: {_fmt(nxt.min)} instead of max: {_fmt(prev.max)}",
                )
        else:
            assert prev.below is not None
            if nxt.min < prev.below:
                yield (
                    keys,
                    f"bands overlap: min {_fmt(nxt.min)} is inside {band_name(prev)}; start this band at min: {_fmt(prev.below)}",
                )
            elif nxt.min > prev.below and (integer is False or _has_int_between(prev.below - 1, nxt.min)):
                yield (
                    keys,
                    f"gap between bands: values from {_fmt(prev.below)} up to {_fmt(nxt.min)} have no band; start this band at min: {_fmt(prev.below)}",
                )
    if bounds is None:
        return
    last_i = order[-1]
    last = bands[last_i]
    high = bounds.high
    top_ok = last.max >= high if last.max is not None else (last.below is not None and last.below > high)
    if not top_ok:
        yield (
            (*at, last_i),
            f"score '{score_id}' can be as high as {_fmt(high)} but the highest band stops before it; end it at max: {_fmt(high)}",
        )


def _has_int_between(after: float, before: float) -> bool:
    """Give whether an integer lies strictly between the two values."""
    return math.floor(after) + 1 < before
