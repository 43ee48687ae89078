"""Safe YAML loading that remembers where every key and value came from.

PyYAML's defaults have traps for hand-written files: YAML 1.1 reads `no`/`yes`/`on`/`off` as
booleans, a duplicate key silently keeps the last value, and aliases can expand into gigabytes.
This loader reads the parser's events itself (libyaml's parser when installed) and builds plain
data: scalars typed by a small YAML 1.2-like schema (only true/false are booleans; dates stay
text for pydantic to parse), duplicates, anchors, aliases, merge keys and custom tags refused,
and a (line, column) recorded for every key path so that later validation errors can name
`file:line:col`. No node tree is built, so an alias can never be expanded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from assessments.errors import Problem

MAX_FILE_BYTES = 1024 * 1024
# Lists and mappings inside each other at most this deep. The files we ship need 9 levels; the
# limit is checked while reading events, before anything recursive sees the data, so that
# everything after the loader (models, checks, compiled conditions, analysis) recurses at most
# this deep. A score built on other scores is held to the same depth (assessments.checks).
MAX_NESTING = 64

Keys = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$")
_STANDARD_TAGS: dict[str, type] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
}
_EMPTY = "file is empty; it should start with a line such as 'kind: ruleset'"
TOO_DEEP = (
    f"this is nested more than {MAX_NESTING} levels deep; a file needs about 10 — flatten it"
    " (list conditions side by side under one 'all' or 'any' instead of inside each other)"
)


def _plain_scalar(text: str) -> Any:
    """Type a plain (unquoted) scalar: null, true/false, decimal int or float; all else text.

    Only true/false are booleans, so `no`, `yes`, `on` and `off` stay text (YAML 1.1 would
    read them as booleans); dates stay text for the models to parse.
    """
    if text in _BOOL:
        return _BOOL[text]
    if _NULL.match(text):
        return None
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        number = float(text)
        return number if math.isfinite(number) else TooLarge(text)
    return text


class TooLarge(float):
    """A number too large for a float, such as 1e400: infinity, but shown as it was written.

    The models refuse infinity; their message then quotes the file ('1e400'), not Python ('inf').
    """

    written: str

    def __new__(cls, written: str) -> TooLarge:
        number = super().__new__(cls, written)
        number.written = written
        return number

    def __str__(self) -> str:
        return self.written


class _PythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml scans and parses about 20 times faster than the pure-Python parser; both give the
# same events, and everything after the events (checks, positions, types) is ours.
_Parser: Any = _PythonParser
if getattr(yaml, "__with_libyaml__", False):
    from yaml import cyaml

    _Parser = cyaml.CParser  # type: ignore[attr-defined]


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        self.mark = mark
        self.message = message


@dataclass
class Document:
    """Plain data from one YAML file plus where each key path sits in it.

    Positions are only needed when something is wrong, so a file is first read without them
    and read again, with them, the first time an error needs a line number.
    """

    data: Any
    text: str = ""
    positions: _Positions | None = None

    @property
    def value_marks(self) -> dict[Keys, tuple[int, int]]:
        """Give key path -> (line, column) of each value."""
        return self._positions().value_marks

    @property
    def key_marks(self) -> dict[Keys, tuple[int, int]]:
        """Give key path -> (line, column) of each key."""
        return self._positions().key_marks

    def _positions(self) -> _Positions:
        if self.positions is None:
            builder = _Builder(_Parser(self.text), track=True)
            builder.document()
            self.positions = builder.positions
        return self.positions

    def locate(self, loc: tuple[Any, ...]) -> tuple[Keys, int | None, int | None]:
        """Map a validation location to the deepest key path in the file and its line/col.

        Segments that are not in the file (pydantic's union tags, a missing field's name) are
        skipped, so the position is the nearest thing that does exist.
        """
        keys: Keys = ()
        marks = self.value_marks
        for index, segment in enumerate(loc):
            candidate = (*keys, segment)
            if candidate not in marks:
                continue
            # a union's tag can also be a key of the item ('question' in {question: q, weight: "4"}):
            # skip it when only skipping it lets the next segment be found
            after = loc[index + 1] if index + 1 < len(loc) else None
            if after is not None and (*candidate, after) not in marks and (*keys, after) in marks:
                continue
            keys = candidate
        mark = self.key_marks.get(keys) or self.value_marks.get(keys)
        if mark is None:
            return keys, None, None
        return keys, mark[0], mark[1]


@dataclass
class _Positions:
    value_marks: dict[Keys, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Keys, tuple[int, int]] = field(default_factory=dict)


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _problem_at(mark: Any, message: str) -> Problem:
    line, column = _mark(mark)
    return Problem(message, line, column)


class _Builder:
    """Turn parser events into plain data, recording a position for every key path."""

    def __init__(self, parser: Any, *, track: bool) -> None:
        self.next_event = parser.get_event
        self.track = track
        self.positions = _Positions()

    def build(self, event: Any, keys: Keys, depth: int = 1) -> Any:
        if self.track:
            self.positions.value_marks[keys] = _mark(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark,
                f"alias '*{event.anchor}' is not allowed; write the value out in full"
                " (for shared option lists use option_lists)",
            )
        if event.anchor is not None:
            raise _Refused(
                event.start_mark, f"anchor '&{event.anchor}' is not allowed; remove it and write values out in full"
            )
        tag = event.tag
        if isinstance(event, yaml.ScalarEvent):
            if tag is None or tag == "!":
                return _plain_scalar(event.value) if event.implicit[0] else event.value
            if tag in _STANDARD_TAGS:
                try:
                    return _STANDARD_TAGS[tag](event.value)
                except ValueError:
                    kind = tag.rsplit(":", 1)[-1]
                    raise _Refused(event.start_mark, f"'{event.value}' is not a valid {kind}") from None
            raise _Refused(event.start_mark, f"tag '{tag}' is not allowed; remove it")
        if tag is not None and tag not in ("!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
            raise _Refused(event.start_mark, f"tag '{tag}' is not allowed; remove it")
        if depth > MAX_NESTING:
            raise _Refused(event.start_mark, TOO_DEEP)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(item := self.next_event(), yaml.SequenceEndEvent):
                items.append(self.build(item, (*keys, len(items)) if self.track else keys, depth + 1))
            return items
        if isinstance(event, yaml.MappingStartEvent):
            return self._mapping(keys, depth)
        raise _Refused(event.start_mark, "unsupported YAML content")  # pragma: no cover

    def _mapping(self, keys: Keys, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        while not isinstance(key_event := self.next_event(), yaml.MappingEndEvent):
            if not isinstance(key_event, yaml.ScalarEvent):
                raise _Refused(key_event.start_mark, "a key must be plain text, not a list or mapping")
            if key_event.anchor is not None:
                raise _Refused(key_event.start_mark, f"anchor '&{key_event.anchor}' is not allowed; remove it")
            key = key_event.value
            if key == "<<" and key_event.implicit[0]:
                raise _Refused(key_event.start_mark, "merge keys ('<<') are not allowed; write the keys out in full")
            line = _mark(key_event.start_mark)[0]
            if key in first_lines:
                raise _Refused(
                    key_event.start_mark,
                    f"duplicate key '{key}' (first on line {first_lines[key]}, again on line {line}); keep one of them",
                )
            first_lines[key] = line
            if self.track:
                child = (*keys, key)
                self.positions.key_marks[child] = _mark(key_event.start_mark)
                result[key] = self.build(self.next_event(), child, depth + 1)
            else:
                result[key] = self.build(self.next_event(), keys, depth + 1)
        return result

    def document(self) -> tuple[Any] | None:
        """Read the single document of the stream: (data,), or None when it is empty."""
        self.next_event()  # stream start
        if isinstance(self.next_event(), yaml.StreamEndEvent):  # else: document start
            return None
        data = self.build(self.next_event(), ())
        self.next_event()  # document end
        end = self.next_event()
        if not isinstance(end, yaml.StreamEndEvent):
            raise _Refused(end.start_mark, "a file holds one document; remove the '---' and what follows it")
        return (data,)


def _syntax_message(error: yaml.MarkedYAMLError, text: str) -> str:
    problem = error.problem or "invalid YAML"
    mark = error.problem_mark
    at_tab = mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
    if at_tab or "'\\t'" in problem:
        return "a tab character is used for indentation; YAML needs spaces — replace the tab with spaces"
    if "another document" in problem:
        return "a file holds one document; remove the '---' and what follows it"
    context = f" {error.context}" if error.context else ""
    return f"YAML syntax error: {problem}{context}; check the indentation and punctuation here"


# What YAML refuses as text: control characters other than tab and line ends, and the
# code points that are not characters. The parser's own message names neither line nor file.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _not_text(text: str, index: int) -> Problem:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    if text[index] == "\x00":  # UTF-16 without a byte-order mark: every other byte is NUL
        return Problem("file is not UTF-8 text: it has NUL bytes, as UTF-16 does; save it again as UTF-8", line)
    return Problem(
        f"control character U+{ord(text[index]):04X} is not text (it can come with copied text); delete it",
        line,
        column,
    )


_LIBYAML_TOO_DEEP = "YAML syntax error: exceeded maximum nesting depth"


def _read(text: str, parser_class: Any) -> tuple[Any] | list[Problem] | None:
    """Read the document with one parser: (data,), None when empty, or the problems."""
    parser = parser_class(text)
    try:
        return _Builder(parser, track=False).document()
    except _Refused as exc:
        return [_problem_at(exc.mark, exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _syntax_message(exc, text)
        return [_problem_at(mark, message)] if mark is not None else [Problem(message)]
    except yaml.YAMLError as exc:
        return [Problem(f"YAML error: {exc}")]
    finally:
        parser.dispose()


def parse_yaml(raw: bytes) -> Document | list[Problem]:
    """Parse bytes into a Document, or give the problems that stop it being read."""
    if len(raw) > MAX_FILE_BYTES:
        return [Problem(f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB) — split it")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [Problem("file is saved as UTF-16 (or UTF-32), not UTF-8; save it again as UTF-8", 1)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Problem(f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8", line)]
    text = text.removeprefix("\ufeff")
    odd = _NOT_TEXT.search(text)
    if odd is not None:
        return [_not_text(text, odd.start())]
    found = _read(text, _Parser)
    if isinstance(found, list) and found[0].message.startswith(_LIBYAML_TOO_DEEP) and _Parser is not _PythonParser:
        # libyaml scans a thousand '[' ahead, and stops there, before the events reach the
        # builder; PyYAML's own scanner looks at most 1024 characters ahead, so with it the
        # builder refuses at the level past the limit, and says where that level starts
        found = _read(text, _PythonParser)
    if isinstance(found, list):
        return found
    if found is None or found[0] is None:
        return [Problem(_EMPTY, 1)]
    return Document(found[0], text)
