"""Read one file: bytes -> YAML with positions -> the model for its `kind`, or precise errors."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assessments.errors import FileError, Problem
from assessments.models.base import ID_PATTERN, suggest
from assessments.models.policy import Policy
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import RuleSet
from assessments.models.scenarios import ScenarioFile
from assessments.partial import NOT_CHECKED, has_rest, set_aside
from assessments.yamlload import MAX_FILE_BYTES, Document, parse_yaml

KINDS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "ruleset": RuleSet,
    "scenarios": ScenarioFile,
    "policy": Policy,
}
Model = Questionnaire | RuleSet | ScenarioFile | Policy


@dataclass(frozen=True)
class SourceFile:
    """A file that parsed into a model, with what is needed to point back into it."""

    path: Path
    root: Path | None
    model: Model
    document: Document
    content_hash: str
    text: str

    def problem(self, keys: tuple[str | int, ...], message: str) -> Problem:
        """Give a Problem positioned at a key path of this file."""
        found, line, column = self.document.locate(keys)
        return Problem(message, line, column, found)


def content_hash(raw: bytes) -> str:
    """Give the sha256 hex digest that identifies this exact file content."""
    return hashlib.sha256(raw).hexdigest()


def _message(error: Any) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "missing":
        return f"missing key '{loc[-1]}'; add it"
    if kind == "string_pattern_mismatch":
        value = error.get("input")
        pattern = error.get("ctx", {}).get("pattern", "")
        if "a-z" in pattern:
            return f"'{value}' is not a valid id or value: use lowercase letters, digits and hyphens, e.g. 'red-flags'"
        if "https" in pattern:
            return f"'{value}' must be a web address starting with https://"
        return f"'{value}' must be a two-letter country code in capitals, such as GB, or any"
    if kind == "union_tag_not_found":
        tag = error.get("ctx", {}).get("discriminator", "kind").strip("'")
        return f"missing key {tag}; add it"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        expected = ctx.get("expected_tags", "")
        return (
            f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} '{ctx.get('tag')}'; expected one of: {expected}"
        )
    if kind == "literal_error":
        return f"{error['msg'].replace('Input should be', 'should be')}, not '{error.get('input')}'"
    if kind == "too_short":
        ctx = error.get("ctx", {})
        wanted = ctx.get("min_length", 1)
        return (
            f"needs at least {wanted} item{'s' if wanted != 1 else ''}, found {ctx.get('actual_length', 0)}; add more"
        )
    if kind == "string_type" and isinstance(error.get("input"), (int, float)) and not isinstance(error["input"], bool):
        number = error["input"]
        return f'{number} is read as a number, not text; put it in quotes, e.g. "{number}"'
    if kind == "string_type" and isinstance(error.get("input"), bool):
        word = "True" if error["input"] else "False"
        return f'{word} is read as a yes/no value (a boolean), not text; put the text in quotes, e.g. "{word}"'
    if kind in ("tuple_type", "list_type"):
        return "should be a list: [a, b] on one line, or one '- item' per line"
    if kind in ("bool_type", "bool_parsing"):
        return f"should be true or false, not '{error.get('input')}'"
    if kind.startswith("date"):
        return f"'{error.get('input')}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01"
    message: str = error["msg"]
    return message.replace("Input should be", "should be").replace("Value error, ", "")


def _names_an_option_list(loc: tuple[Any, ...], data: Any) -> bool:
    """Give whether loc is inside a question's `options` that the file wrote as a list name."""
    if len(loc) < 6 or loc[0] != "sections" or loc[2] != "questions" or "options" not in loc[4:6]:
        return False  # ("sections", i, "questions", j, [question kind,] "options", ...)
    try:
        return isinstance(data["sections"][loc[1]]["questions"][loc[3]]["options"], str)
    except (KeyError, IndexError, TypeError):
        return False


def validation_problems(error: ValidationError, document: Document) -> list[Problem]:
    """Turn pydantic's errors into positioned problems, one each."""
    problems = []
    errors = error.errors(include_url=False)
    deeper = [tuple(e["loc"]) for e in errors]
    lists_broken = any(d[:1] == ("option_lists",) for d in deeper)
    for item in errors:
        loc0 = tuple(item["loc"])
        if item["type"] == "too_short" and any(len(d) > len(loc0) and d[: len(loc0)] == loc0 for d in deeper):
            continue  # a list that is "too short" only because its items failed: the item errors say why
        if lists_broken and _names_an_option_list(loc0, document.data):
            continue  # a question using a broken option list: the error at the list says what to fix
        ctx = item.get("ctx", {})
        loc = tuple(item["loc"]) + tuple(ctx.get("at", ()))
        if item["type"] == "union_tag_invalid":
            loc += (str(ctx.get("discriminator", "")).strip("'"),)
        keys, line, column = document.locate(loc)
        problems.append(Problem(_message(item), line, column, keys))
    return _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _kind_problem(document: Document) -> Problem | None:
    data = document.data
    kinds = ", ".join(f"'kind: {k}'" for k in KINDS)
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"'{data}'"
        return Problem(f"the file should be a mapping that starts with one of {kinds}; found {found}", 1, 1)
    if "kind" not in data and _looks_like_answers(data):
        return Problem(
            "this looks like an answers file ({questionnaire: {question: answer}}), and answers files do not"
            " belong in a library folder; move it out, and use it with 'rekindle score RULESET --answers FILE'",
            1,
            1,
        )
    if "kind" not in data:
        return Problem(f"missing 'kind' on the first line; start the file with one of {kinds}", 1, 1)
    if next(iter(data)) != "kind":
        line, column = document.key_marks[("kind",)]
        return Problem("'kind' must be the first key of the file; move this line to the top", line, column, ("kind",))
    kind = data["kind"]
    if kind not in KINDS:
        line, column = document.value_marks[("kind",)]
        return Problem(
            f"unknown kind '{kind}'{suggest(str(kind), list(KINDS))}; expected one of: {', '.join(KINDS)}",
            line,
            column,
            ("kind",),
        )
    return None


def _looks_like_answers(data: dict[str, Any]) -> bool:
    """Give whether a file without `kind` has the shape of answers: {questionnaire: {question: answer}}."""

    def answer(value: Any) -> bool:
        plain = (str, int, float, bool, type(None))
        return isinstance(value, plain) or (isinstance(value, list) and all(isinstance(v, plain) for v in value))

    return bool(data) and all(
        isinstance(key, str)
        and re.fullmatch(ID_PATTERN, key)
        and isinstance(given, dict)
        and given
        and all(answer(value) for value in given.values())
        for key, given in data.items()
    )


def read_source(raw: bytes, path: Path, root: Path | None = None) -> SourceFile:
    """Parse and validate one file's bytes into a SourceFile, or raise FileError."""
    parsed = parse_yaml(raw)
    if isinstance(parsed, list):
        raise FileError(path, parsed, root=root)
    problem = _kind_problem(parsed)
    if problem is not None:
        raise FileError(path, [problem], root=root)
    model_class = KINDS[parsed.data["kind"]]
    try:
        model = model_class.model_validate(parsed.data)
    except ValidationError as exc:
        item_id = parsed.data.get("id")
        declares = (parsed.data["kind"], item_id) if isinstance(item_id, str) else None
        problems = validation_problems(exc, parsed)
        aside = set_aside(model_class, parsed.data["kind"], parsed, exc)
        if aside is None and has_rest(parsed.data):  # unchecked: say so rather than seem to have looked
            problems.append(Problem(NOT_CHECKED))
        raise FileError(path, problems, root=root, declares=declares, set_aside=aside) from None
    assert isinstance(model, (Questionnaire, RuleSet, ScenarioFile, Policy))
    return SourceFile(path, root, model, parsed, content_hash(raw), raw.decode("utf-8"))


def load_source(path: Path, root: Path | None = None) -> SourceFile:
    """Read a file from disk and give its SourceFile, or raise FileError."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileError(
                path,
                [Problem(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB) — split it")],
                root=root,
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise FileError(path, [Problem(f"cannot read the file: {exc.strerror or exc}")], root=root) from None
    return read_source(raw, path, root)
