"""A commented starter rule set and scenario file for a questionnaire, for a counsellor to edit.

The starter is valid as written: it loads, its scenario cases pass and `rekindle analyze`
finds nothing wrong, so a counsellor starts from something that works and changes one thing
at a time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assessments.bounds import question_range
from assessments.models.policy import Policy
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, Questionnaire, ShortText
from assessments.models.ruleset import Flag, Outcome, Rule, RuleSet
from assessments.options import choice_options, points_table
from assessments.policies import triggers, used_tags
from assessments.schema import SCHEMA_DIR


def _q(text: str) -> str:
    """Quote text for YAML (a JSON string is a valid YAML double-quoted scalar)."""
    return json.dumps(text, ensure_ascii=False)


def _num(value: float) -> str:
    return f"{value:g}"


def _describe(question: Question) -> str:
    if isinstance(question, NumberQuestion):
        return f"number {_num(question.min)}..{_num(question.max)}{' ' + question.unit if question.unit else ''}"
    if isinstance(question, ShortText):
        return "text (never scored; only `answered` can test it)"
    options = choice_options(question)
    listed = ", ".join(
        f"{o.value}{'=' + _num(o.points) if o.points is not None else ''}{' (alone)' if o.exclusive else ''}"
        for o in options
    )
    return f"{question.kind}: {listed}"


def _scored(question: Question) -> bool:
    return isinstance(question, NumberQuestion) or points_table(question) is not None


def _example_condition(question: Question) -> str:
    """Give a comparison on a question that some answer satisfies, as flow-style YAML."""
    if isinstance(question, NumberQuestion):
        return f"{question.id}: {{at_least: {_num(question.max)}}}"
    if isinstance(question, ShortText):
        return f"{question.id}: {{answered: true}}"
    options = choice_options(question)
    if isinstance(question, MultipleChoice):
        free = [o for o in options if not o.exclusive] or list(options)
        return f"{question.id}: {{contains: {_q(free[0].value)}}}"
    return f"{question.id}: {{equals: {_q(options[-1].value)}}}"


def _modeline(kind: str, folder: Path) -> str:
    target = SCHEMA_DIR / f"{kind}.schema.json"
    try:
        where = os.path.relpath(target, folder.resolve())
    except ValueError:  # another drive on Windows
        where = str(target)
    return f"# yaml-language-server: $schema={Path(where).as_posix()}"


@dataclass(frozen=True)
class Inherited:
    """What a new rule set must start with to keep the library's policies: the outcomes, flags
    and rules that keep them in the questionnaire's own rule set, copied as they are."""

    policies: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    flags: tuple[Flag, ...]
    rules: tuple[Rule, ...]


def inherited(questionnaire: Questionnaire, default: RuleSet | None, policies: list[Policy]) -> Inherited | None:
    """Give what the policies that apply to this questionnaire ask of every rule set over it,
    taken from its default rule set (None when no policy applies or it has no such rule set)."""
    used = used_tags([questionnaire])
    applying = [(p, g) for p in policies for g in p.guarantees if triggers(g) & used]
    if not applying or default is None or default.questionnaires != (questionnaire.id,):
        return None
    wanted_outcomes = {o for _, g in applying for o in (g.then.outcome, *(g.then.one_of or ())) if o}
    wanted_flags = {f for _, g in applying for f in g.then.flags}
    rules = tuple(r for r in default.rules if r.force in wanted_outcomes or r.flag in wanted_flags)
    outcome_ids = {r.force for r in rules if r.force} | (wanted_outcomes & set(default.outcome_ids()))
    flag_ids = {r.flag for r in rules if r.flag}
    return Inherited(
        tuple(dict.fromkeys(p.id for p, _ in applying)),
        tuple(o for o in default.outcomes if o.id in outcome_ids),
        tuple(f for f in default.flags if f.id in flag_ids),
        rules,
    )


def _yaml_items(models: tuple[Any, ...]) -> list[str]:
    """Give models as YAML list items, indented under a key."""
    data = [m.model_dump(mode="json", exclude_defaults=True) for m in models]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return ["  " + line for line in text.rstrip("\n").splitlines()]


def starter_ruleset(
    questionnaire: Questionnaire, ruleset_id: str, folder: Path, *, keep: Inherited | None = None
) -> str:
    """Give the text of a starter rule set for the questionnaire (starting with `keep`, if any)."""
    questions = questionnaire.questions()
    scored = [q for q in questions if _scored(q)]
    plain = [q for q in questions if not isinstance(q, ShortText)] or questions
    asked = [q for q in plain if q.show_when is None] or plain  # always asked: safe in examples
    first, last = asked[0], asked[-1]
    lines = [
        _modeline("ruleset", folder),
        f"# A starter rule set for the questionnaire '{questionnaire.id}'. Edit it, then run:",
        f"#   rekindle validate {ruleset_id}.yaml",
        f"#   rekindle test {ruleset_id}.scenarios.yaml --coverage",
        f"#   rekindle analyze {ruleset_id}.yaml",
        "#",
        "# The questions you can use (id, kind, option values with their points):",
    ]
    lines += [f"#   {q.id:<24} {_describe(q)}" for q in questions]
    lines += [
        "kind: ruleset",
        f"id: {ruleset_id}",
        'version: "0.1"',
        f"title: {_q(questionnaire.title + ' (draft)')}",
        'author: "Your name"',
        'description: "What this rule set is for, and who it is for."',
        f"questionnaires: [{questionnaire.id}]",
        "",
        "# The answers this rule set can give. Keep titles short and kind.",
        "outcomes:",
        *_kept_header(keep, "outcomes"),
        *(_yaml_items(keep.outcomes) if keep else []),
        "  - id: take-care-first",
        '    title: "Take care of yourself first"',
        '    summary: "Your answers point to something that matters more than the relationship right now."',
        "    advice:",
        '      - "Talk it through with someone you trust."',
        "  - id: go-slowly",
        '    title: "Go slowly"',
        '    summary: "Nothing in your answers stands in the way, but take your time."',
        "    advice:",
        '      - "Give yourself time before you decide anything."',
        "",
        "# Flags are raised by rules and shown beside the outcome. A safety flag's resources",
        "# (helplines) come before everything else, so a safety flag needs at least one. Add the",
        "# services for your country (phone:, sms:, url:), and set last_verified to the day you",
        "# checked each one works.",
        "flags:",
        *_kept_header(keep, "flags"),
        *(_yaml_items(keep.flags) if keep else []),
        "  - id: needs-support",
        '    title: "You may need support"',
        "    safety: true",
        "    resources:",
        '      - name: "Befrienders Worldwide"',
        '        description: "Find a listening service in your country."',
        '        url: "https://www.befrienders.org"',
        "        country: any",
        "        last_verified: 2026-11-28",
        "",
    ]
    if scored:
        lines += [
            "# Named scores add up points. Methods: sum, mean, max (over questions or other scores)",
            "# or count (how many conditions hold). Each item may have weight: and reverse: true.",
            "scores:",
            "  - id: total",
            '    title: "Total"',
            "    sum:",
        ]
        lines += [f"      - question: {q.id}" for q in scored]
    else:
        lines += [
            "# Named scores: sum, mean, max or count. None of these questions has points,",
            "# so this one counts answered questions.",
            "scores:",
            "  - id: total",
            '    title: "Answered"',
            "    count:",
        ]
        lines += [f"      - {q.id}: {{answered: true}}" for q in plain]
    lines += [
        "",
        "# Rules: when the condition holds, do something. Conditions: all: [...], any: [...],",
        "# not: CONDITION, or QUESTION: {OPERATOR: VALUE} with equals, in, at_least, at_most,",
        "# between, answered, contains, contains_any. `because` is shown to the person.",
        "rules:",
        *_kept_header(keep, "rules"),
        *(_yaml_items(keep.rules) if keep else []),
        "  - id: example-force            # force an outcome, whatever the decision says",
        f"    when: {{{_example_condition(last)}}}",
        '    because: "Explain to the person why this matters."',
        "    force: take-care-first",
        "    priority: 10                 # among forcing rules that fire, the highest wins",
        "  - id: example-flag             # raise a declared flag",
        f"    when: {{{_example_condition(last)}}}",
        '    because: "Say what you noticed."',
        "    flag: needs-support",
        "  - id: example-advice           # add an advice item",
        f"    when: {{{_example_condition(first)}}}",
        '    because: "Say why this advice fits."',
        "    advice:",
        '      - "One thing to do next."',
        "  - id: example-weight           # add weight to outcomes (used by the 'highest' decision)",
        f"    when: {{{_example_condition(first)}}}",
        '    because: "Say what this answer suggests."',
        "    add: {go-slowly: 1}",
        "",
    ]
    lines += _decision_lines(questionnaire, scored, plain)
    lines += [
        "",
        "# Unanswered questions: skip them in scores (or treat_as: zero); with more than",
        "# max_missing unanswered, the outcome is not-enough-information.",
        "missing:",
        "  treat_as: skip",
        f"  max_missing: {len(asked) // 2}",
        "",
    ]
    return "\n".join(lines)


def _kept_header(keep: Inherited | None, what: str) -> list[str]:
    if keep is None:
        return []
    return [
        f"  # These {what} keep the library's policy ({', '.join(keep.policies)}), copied from the",
        "  # questionnaire's own rule set. Reword them if you like; `rekindle validate` proves the",
        "  # policy still holds, and a rule set that breaks it is not served.",
    ]


def _decision_lines(questionnaire: Questionnaire, scored: list[Question], plain: list[Any]) -> list[str]:
    ranges = [question_range(q) for q in scored]
    if scored and all(r is not None for r in ranges):
        low = sum(min(r.low, 0) for r in ranges if r)
        high = sum(max(r.high, 0) for r in ranges if r)
        integer = all(r.integer for r in ranges if r)
    else:
        low, high, integer = 0, len(plain), True
    middle = (low + high) / 2
    if integer:
        middle = float(int(middle))
    lines = [
        "# The decision: bands over a score (each band min..max included, or min up to `below`),",
        "# or method: highest (the outcome with the most weight; list ties in order of preference).",
        "# The bands must cover every value the score can take, here "
        + f"{_num(low)}..{_num(high)}; `rekindle analyze` shows each score's range.",
        "decision:",
        "  method: bands",
        "  score: total",
        "  bands:",
    ]
    if middle <= low:
        lines += [f"    - {{outcome: go-slowly, min: {_num(low)}, max: {_num(high)}}}"]
    elif integer:
        lines += [
            f"    - {{outcome: go-slowly, min: {_num(low)}, max: {_num(middle)}}}",
            f"    - {{outcome: take-care-first, min: {_num(middle + 1)}, max: {_num(high)}}}",
        ]
    else:
        lines += [
            f"    - {{outcome: go-slowly, min: {_num(low)}, below: {_num(middle)}}}",
            f"    - {{outcome: take-care-first, min: {_num(middle)}, max: {_num(high)}}}",
        ]
    lines += ["# For 'highest' instead:", "#  method: highest", "#  ties: [take-care-first, go-slowly]"]
    return lines


def starter_scenarios(ruleset_id: str, cases: list[tuple[str, dict[str, Any], str]], folder: Path) -> str:
    """Give the text of a starter scenario file with the given (name, answers, outcome) cases."""
    lines = [
        _modeline("scenarios", folder),
        f"# Cases for {ruleset_id}: answer sets and the outcome each must give. `rekindle test` runs",
        "# them. Add one case per band edge, per rule that forces an outcome, and for missing answers.",
        "kind: scenarios",
        f"ruleset: {ruleset_id}",
        "cases:",
    ]
    for name, answers, outcome in cases:
        lines += [f"  - name: {_q(name)}", f"    answers: {json.dumps(answers, ensure_ascii=False)}"]
        lines += ["    expect:", f"      outcome: {outcome}"]
    return "\n".join(lines) + "\n"
