"""Checks of meaning that need more than one key: names that must exist, values that must be
offered, scores without cycles, bands without gaps. Each finding is a (key path, message) pair;
the library turns the key path into `file:line:col`."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from assessments.band_names import band_name
from assessments.bounds import score_bounds
from assessments.models.base import suggest
from assessments.models.conditions import RESERVED, All, AnyOf, Compare, ConditionNode, Not, Tagged, condition_refs
from assessments.models.questionnaire import (
    MultipleChoice,
    NumberQuestion,
    Question,
    Questionnaire,
    Scale,
    ShortText,
    SingleChoice,
)
from assessments.models.ruleset import NOT_ENOUGH_INFORMATION, Band, BandsDecision, Guarantee, RuleSet
from assessments.options import option_values, points_table
from assessments.refs import QuestionRef, Resolver, ScoreRef, resolver_for
from assessments.score_graph import chain_problem, score_uses

Keys = tuple[str | int, ...]
Finding = tuple[Keys, str]

_OPS_BY_KIND = {
    "single-choice": ("equals", "in", "answered"),
    "scale": ("equals", "in", "answered"),
    "yes-no": ("equals", "in", "answered"),
    "multiple-choice": ("contains", "contains_any", "answered"),
    "number": ("equals", "at_least", "at_most", "between", "answered"),
    "text": ("answered",),
}
_SCORE_OPS = ("equals", "at_least", "at_most", "between")


def _describe(question: Question) -> str:
    return f"a {question.kind} question"


def check_condition(node: ConditionNode, resolver: Resolver, at: Keys) -> Iterator[Finding]:
    """Yield what is wrong with a condition given the names it may use."""
    if isinstance(node, (All, AnyOf)):
        group = "all" if isinstance(node, All) else "any"
        for index, item in enumerate(node.items):
            yield from check_condition(item, resolver, (*at, group, index))
        return
    if isinstance(node, Not):
        yield from check_condition(node.item, resolver, (*at, "not"))
        return
    if isinstance(node, Tagged):
        yield from _check_tagged(node, resolver, (*at, "tagged"))
        return
    yield from _check_compare(node, resolver, (*at, node.ref))


def _check_tagged(node: Tagged, resolver: Resolver, at: Keys) -> Iterator[Finding]:
    if resolver.tags is None:
        yield at, "show_when names earlier questions; tag quantifiers belong in rules, guarantees and policies"
        return
    used = sorted(resolver.tags)
    for index, tag in enumerate(node.tags):
        if tag not in resolver.tags:
            where = (*at, "tag", index) if len(node.tags) > 1 else (*at, "tag")
            yield (
                where,
                f"no question here carries the tag '{tag}'{suggest(tag, used)}; tags its questions carry:"
                f" {', '.join(used) or '(none)'}",
            )


def _check_compare(node: Compare, resolver: Resolver, at: Keys) -> Iterator[Finding]:
    target = resolver.resolve(node.ref)
    if target is None:
        yield at, resolver.unknown_message(node.ref)
        return
    op_at = (*at, node.op)
    if isinstance(target, ScoreRef):
        if node.op not in _SCORE_OPS:
            yield (
                op_at,
                (
                    f"'{node.op}' does not apply to score '{node.ref}', which is a number;"
                    f" use one of: {', '.join(_SCORE_OPS)}"
                ),
            )
        elif node.op == "equals" and not isinstance(node.value, (int, float)):
            yield op_at, f"score '{node.ref}' is a number; compare it with a number, not '{node.value}'"
        return
    question = target.question
    allowed = _OPS_BY_KIND[question.kind]
    if node.op not in allowed:
        if node.op in ("at_least", "at_most", "between"):
            problem = f"'{node.op}' compares numbers, but '{node.ref}' is {_describe(question)}"
        else:
            problem = f"'{node.op}' does not apply to '{node.ref}', {_describe(question)}"
        yield op_at, f"{problem}; use one of: {', '.join(allowed)}"
        return
    if node.op == "answered":
        return
    if isinstance(question, NumberQuestion):
        if node.op == "equals" and not isinstance(node.value, (int, float)):
            yield op_at, f"'{node.ref}' is a number question; compare it with a number, not '{node.value}'"
        return
    offered = option_values(question)
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    for value in values:
        if not isinstance(value, str) and str(value) in offered:
            yield (
                op_at,
                f"option values are text, and {value} is written as a number; write it in quotes: '{value}'",
            )
        elif str(value) not in offered or not isinstance(value, str):
            yield (
                op_at,
                (
                    f"unknown option '{value}'{suggest(str(value), offered)} for question '{node.ref}';"
                    f" expected one of: {', '.join(offered)}"
                ),
            )


def _duplicates(ids: list[str], at: list[Keys], what: str) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield at[index], f"{what} id '{item_id}' is used twice; give each {what} its own id"
        else:
            seen[item_id] = index


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
        findings += _check_tag_uses(questionnaire, question, declared, at)
        if question.show_when is not None:
            resolver = Resolver([questionnaire], qualified=False, allowed_questions={q.id for q in earlier})
            findings += check_condition(question.show_when, resolver, (*at, "show_when"))
        earlier.append(question)
    return findings


def _check_tag_uses(
    questionnaire: Questionnaire, question: Question, declared: list[str], at: Keys
) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, use in enumerate(question.tags):
        here: Keys = (*at, "tags", index)
        if use.tag not in declared:
            yield (
                (*here, "tag") if use.when is not None else here,
                f"unknown tag '{use.tag}'{suggest(use.tag, declared)}; declare it under the questionnaire's tags"
                f" or in a policy file (declared: {', '.join(declared) or 'none'})",
            )
        if use.tag in seen:
            yield here, f"tag '{use.tag}' is given twice; give it once"
        seen.add(use.tag)
        if use.when is None:
            if question.kind != "yes-no":
                example = _counting_example(question)
                yield (
                    here,
                    f"say which answers count for tag '{use.tag}' on {_describe(question)}, e.g."
                    f" {{tag: {use.tag}, when: {example}}}",
                )
            continue
        resolver = Resolver([questionnaire], qualified=False, allowed_questions={question.id})
        compare = Compare(question.id, use.when.op, use.when.value)
        yield from _check_compare(compare, resolver, (*here, "when"))


def _counting_example(question: Question) -> str:
    values = option_values(question)
    if isinstance(question, MultipleChoice):
        return f"{{contains_any: [{values[0]}]}}"
    if values:
        return f"{{in: [{', '.join(values[-2:])}]}}"
    if isinstance(question, NumberQuestion):
        return f"{{at_least: {question.max}}}"
    return "{answered: true}"


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


def check_guarantee(guarantee: Guarantee, ruleset: RuleSet, resolver: Resolver, at: Keys) -> list[Finding]:
    """Give what is wrong with a guarantee of a rule set: its condition, and names its `then` uses."""
    findings = list(check_condition(guarantee.when, resolver, (*at, "when")))
    findings += then_findings(guarantee, ruleset, (*at, "then"), lenient_never=False)
    return findings


def then_findings(guarantee: Guarantee, ruleset: RuleSet, at: Keys, *, lenient_never: bool) -> list[Finding]:
    """Give the names in a guarantee's `then` that the rule set does not have.

    With lenient_never (a library policy), outcomes under `never` that the rule set does not
    declare are fine (it can never give them), and so are those under `one_of`, as long as it
    declares at least one of them.
    """
    then = guarantee.then
    outcome_ids = ruleset.outcome_ids()
    flag_ids = [f.id for f in ruleset.flags]
    findings: list[Finding] = []

    def outcome(value: str, keys: Keys) -> None:
        if value not in outcome_ids:
            findings.append(
                (
                    keys,
                    f"unknown outcome '{value}'{suggest(value, outcome_ids)}; declared outcomes: {', '.join(outcome_ids)}",
                )
            )

    if then.outcome is not None:
        outcome(then.outcome, (*at, "outcome"))
    if lenient_never and then.one_of and any(o in outcome_ids for o in then.one_of):
        pass
    elif lenient_never and then.one_of:
        findings.append(
            (
                (*at, "one_of"),
                f"declare one of the outcomes {', '.join(then.one_of)} (declared: {', '.join(outcome_ids)})",
            )
        )
    else:
        for index, value in enumerate(then.one_of or ()):
            outcome(value, (*at, "one_of", index))
    for index, value in enumerate(then.never or ()):
        if not lenient_never:
            outcome(value, (*at, "never", index))
    for index, flag in enumerate(then.flags):
        if flag not in flag_ids:
            findings.append(
                (
                    (*at, "flags", index),
                    f"unknown flag '{flag}'{suggest(flag, flag_ids)}; declared flags: {', '.join(flag_ids) or 'none'}",
                )
            )
    given_advice = {a for o in ruleset.outcomes for a in o.advice} | {a.text for r in ruleset.rules for a in r.advice}
    for index, text in enumerate(then.advice):
        if text not in given_advice:
            findings.append(
                ((*at, "advice", index), "no outcome or rule gives this advice; copy the text exactly as written there")
            )
    names = [r.name for o in ruleset.outcomes for r in o.resources] + [
        r.name for f in ruleset.flags for r in f.resources
    ]
    for index, name in enumerate(then.resources):
        if name not in names:
            findings.append(
                (
                    (*at, "resources", index),
                    f"no outcome or flag lists a service named '{name}'{suggest(name, names)}; copy its name exactly",
                )
            )
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
    for at, bands in tables:
        for b_index, band in enumerate(bands):
            outcome_known(band.outcome, (*at, b_index, "outcome"))
        if bounds is not None:
            findings += _check_band_cover(bands, bounds.low, bounds.high, bounds.integer, decision.score, at)
    return findings


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_band_cover(
    bands: tuple[Band, ...], low: float, high: float, integer: bool, score_id: str, at: Keys
) -> Iterator[Finding]:
    order = sorted(range(len(bands)), key=lambda i: bands[i].min)
    first = bands[order[0]]
    if first.min > low:
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
            elif integer and nxt.min > prev.max + 1 and _has_int_between(prev.max, nxt.min):
                yield (
                    keys,
                    f"gap between bands: values after {_fmt(prev.max)} and before {_fmt(nxt.min)} have no band; start this band at min: {_fmt(prev.max + 1)}",
                )
            elif not integer:
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
            elif nxt.min > prev.below and (not integer or _has_int_between(prev.below - 1, nxt.min)):
                yield (
                    keys,
                    f"gap between bands: values from {_fmt(prev.below)} up to {_fmt(nxt.min)} have no band; start this band at min: {_fmt(prev.below)}",
                )
    last_i = order[-1]
    last = bands[last_i]
    top_ok = last.max >= high if last.max is not None else (last.below is not None and last.below > high)
    if not top_ok:
        yield (
            (*at, last_i),
            f"score '{score_id}' can be as high as {_fmt(high)} but the highest band stops before it; end it at max: {_fmt(high)}",
        )


def _has_int_between(after: float, before: float) -> bool:
    """Give whether an integer lies strictly between the two values."""
    return math.floor(after) + 1 < before
