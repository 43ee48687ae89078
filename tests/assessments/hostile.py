"""Deep and wide YAML of every shape, placed inside otherwise valid files, for the hostile-file tests.

A value is built as text, never by dumping Python data (the dumper itself recurses): block and
flow lists and mappings, condition chains (`not`, `all`, `any`), mixtures of all of these, and
long lists of valid items.
"""

from __future__ import annotations

import yaml
from hypothesis import strategies as st

COMPARE = 'threats: {equals: "yes"}'
RULE = "  - {{id: r{i}, when: {{threats: {{equals: 'yes'}}}}, because: Because., advice: [Take care.]}}\n"

RULESET = """kind: ruleset
id: hostile
version: "1"
title: Hostile
author: Tests
questionnaires: [red-flags]
description: VALUE_DESCRIPTION
outcomes:
  - {id: go-slow, title: Go slowly, summary: Take your time.}
  - {id: let-go, title: Let go, summary: Consider letting go.}
scores:
  - id: total
    sum: VALUE_ITEMS
rules:
  - id: first
    when: VALUE_WHEN
    because: Because.
    force: let-go
VALUE_RULES
decision:
  method: bands
  score: total
  bands: VALUE_BANDS
extra: VALUE_EXTRA
"""
DEFAULTS = {
    "VALUE_DESCRIPTION": "Plain.",
    "VALUE_ITEMS": "[{question: dishonesty}]",
    "VALUE_WHEN": "{" + COMPARE + "}",
    "VALUE_BANDS": "[{min: 0, max: 4, outcome: go-slow}]",
    "VALUE_EXTRA": None,
}
SCENARIOS = """kind: scenarios
ruleset: red-flags
cases:
  - name: hostile
    answers:
      red-flags: {threats: VALUE_ANSWER}
    expect: {outcome: safety-first}
"""


def nesting(text: str) -> int | None:
    """Give how deep lists and mappings nest in YAML text, counted from the parser's events
    (no tree is built, so this never recurses), or None when the text is not YAML at all."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return deepest


def first_beyond(text: str, limit: int) -> tuple[int, int]:
    """Give (line, column), 1-based, of the first list or mapping nested deeper than the limit."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > limit:
                return event.start_mark.line + 1, event.start_mark.column + 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    raise ValueError("not nested beyond the limit")


_CLOSE = {"[": "]", "{k: ": "}", "{not: ": "}", "{all: [": "]}", "{any: [": "]}"}


def deep_value(shape: str, n: int, wrappers: list[str], indent: int) -> str:
    """Give a value n levels deep: block lists or mappings, a block `not:` chain, or nested flow
    wrappers ('[', '{k: ', '{not: ', '{all: [', '{any: [') taken in turn."""
    pad = " " * indent
    if shape == "block-sequence":
        return "\n" + pad + "- " * n + "x"
    if shape == "block-mapping":
        return "\n" + "\n".join(pad + "  " * i + "k:" for i in range(n)) + " x"
    if shape == "block-not":
        return "\n" + "\n".join(pad + "  " * i + "not:" for i in range(n)) + "\n" + pad + "  " * n + COMPARE
    chosen = [wrappers[i % len(wrappers)] for i in range(n)]
    inner = "{" + COMPARE + "}" if chosen[-1].endswith("[") else COMPARE
    return "".join(chosen) + inner + "".join(_CLOSE[w] for w in reversed(chosen))


def wide_value(shape: str, width: int) -> str:
    """Give a value with `width` items side by side (valid where it is put, or plainly wrong)."""
    if shape == "all":
        return "{all: [" + ", ".join("{" + COMPARE + "}" for _ in range(width)) + "]}"
    if shape == "numbers":
        return "[" + ", ".join(str(i) for i in range(width)) + "]"
    if shape == "keys":
        return "{" + ", ".join(f"k{i}: {i}" for i in range(width)) + "}"
    return "[" + ", ".join("{question: dishonesty}" for _ in range(width)) + "]"  # score items


PLACES = ["VALUE_DESCRIPTION", "VALUE_ITEMS", "VALUE_WHEN", "VALUE_BANDS", "VALUE_EXTRA", "VALUE_ANSWER"]
INDENT = {"VALUE_WHEN": 6, "VALUE_ITEMS": 6, "VALUE_BANDS": 4, "VALUE_DESCRIPTION": 2, "VALUE_EXTRA": 2}


def place(value: str, at: str, extra_rules: int = 0) -> str:
    """Give a file with the value at one place and valid defaults everywhere else."""
    if at == "VALUE_ANSWER":
        return SCENARIOS.replace("VALUE_ANSWER", value)
    text = RULESET.replace("VALUE_RULES", "".join(RULE.format(i=i) for i in range(extra_rules)).rstrip("\n"))
    for key, default in DEFAULTS.items():
        chosen = value if key == at else default
        text = text.replace(f"extra: {key}\n", "") if chosen is None else text.replace(key, chosen)
    return text


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[str, str]:
    """Draw (a name for it, the text of a valid file with one deep or wide value put somewhere)."""
    at = draw(st.sampled_from(PLACES))
    if draw(st.booleans()):
        shapes = ["flow"] if at == "VALUE_ANSWER" else ["block-sequence", "block-mapping", "block-not", "flow"]
        shape = draw(st.sampled_from(shapes))
        n = draw(st.integers(1, 400 if shape in ("block-mapping", "block-not") else 5000))
        wrappers = draw(st.lists(st.sampled_from(list(_CLOSE)), min_size=1, max_size=4))
        value = deep_value(shape, n, wrappers, INDENT.get(at, 0))
        name = f"{shape}-{n}-{'/'.join(w.strip('{[: ') or w for w in wrappers)}"
    else:
        shape = draw(st.sampled_from(["all", "numbers", "keys", "items"]))
        width = draw(st.integers(1, 20_000))
        value, name = wide_value(shape, width), f"wide-{shape}-{width}"
    rules = draw(st.integers(0, 2_000))
    return f"{name} at {at[6:].lower()} with {rules} rules", place(value, at, extra_rules=rules)
