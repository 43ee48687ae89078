"""Checks of tags on questions and of guarantees in rule sets (and, leniently, policies'
guarantees against a rule set): the tags are declared, a tag says which answers count, and the
outcomes, flags, advice and services a guarantee names exist."""

from __future__ import annotations

from collections.abc import Iterator

from assessments.condition_checks import Finding, Keys, _check_compare, _describe, check_condition
from assessments.models.base import suggest
from assessments.models.conditions import Compare
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, Questionnaire
from assessments.models.ruleset import Guarantee, RuleSet
from assessments.options import option_values
from assessments.refs import Resolver


def check_tag_uses(
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
