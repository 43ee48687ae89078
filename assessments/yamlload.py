"""Safe YAML loading that remembers where every key and value came from.

PyYAML's defaults have traps for hand-written files: YAML 1.1 reads `no`/`yes`/`on`/`off` as
booleans, a duplicate key silently keeps the last value, and aliases can expand into gigabytes.
This loader composes the node tree with the safe loader, resolves scalars with a small
YAML 1.2-like schema (only true/false are booleans; dates stay text for pydantic to parse),
rejects duplicates, anchors, aliases, merge keys and custom tags, and records a (line, column)
for every key path so that later validation errors can name `file:line:col`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from assessments.errors import Problem

MAX_FILE_BYTES = 1024 * 1024

Keys = tuple[str | int, ...]


class _Resolver(yaml.resolver.Resolver):
    """Implicit types: null, true/false, decimal int and float; everything else is text."""


_Resolver.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$",
        list("-+0123456789."),
    ),
]:
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark,
                f"alias '*{event.anchor}' is not allowed; write the value out in full"
                " (for shared option lists use option_lists)",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(
                event.start_mark,
                f"anchor '&{anchor}' is not allowed; remove it and write values out in full",
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        self.mark = mark
        self.message = message


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass
class Document:
    """Plain data from one YAML file plus where each key path sits in it."""

    data: Any
    value_marks: dict[Keys, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Keys, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: tuple[Any, ...]) -> tuple[Keys, int | None, int | None]:
        """Map a validation location to the deepest key path in the file and its line/col.

        Segments that are not in the file (pydantic's union tags, a missing field's name) are
        skipped, so the position is the nearest thing that does exist.
        """
        keys: Keys = ()
        for segment in loc:
            candidate = (*keys, segment)
            if candidate in self.value_marks:
                keys = candidate
        mark = self.key_marks.get(keys) or self.value_marks.get(keys)
        if mark is None:
            return keys, None, None
        return keys, mark[0], mark[1]


def _mark(node_mark: Any) -> tuple[int, int]:
    return node_mark.line + 1, node_mark.column + 1


def _problem_at(mark: Any, message: str) -> Problem:
    line, column = _mark(mark)
    return Problem(message, line, column)


class _Builder:
    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.doc = Document(None)

    def build(self, node: Node, keys: Keys) -> Any:
        self.doc.value_marks[keys] = _mark(node.start_mark)
        if isinstance(node, ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise _Refused(node.start_mark, f"tag '{node.tag}' is not allowed; remove it")
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise _Refused(node.start_mark, f"tag '{node.tag}' is not allowed; remove it")
            return [self.build(item, (*keys, index)) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise _Refused(node.start_mark, f"tag '{node.tag}' is not allowed; remove it")
            return self._mapping(node, keys)
        raise _Refused(node.start_mark, "unsupported YAML node")  # pragma: no cover

    def _mapping(self, node: MappingNode, keys: Keys) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node.start_mark, "merge keys ('<<') are not allowed")
            if not isinstance(key_node, ScalarNode):
                raise _Refused(key_node.start_mark, "a key must be plain text, not a list or mapping")
            key = key_node.value
            if key in first_seen:
                first_line = first_seen[key].line + 1
                raise _Refused(
                    key_node.start_mark,
                    f"duplicate key '{key}' (first on line {first_line}, again on line"
                    f" {key_node.start_mark.line + 1}); keep one of them",
                )
            first_seen[key] = key_node.start_mark
            child = (*keys, key)
            self.doc.key_marks[child] = _mark(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    if "'\\t'" in problem or "\t" in problem:
        return "a tab character is used for indentation; YAML needs spaces — replace the tab with spaces"
    context = f" {error.context}" if error.context else ""
    return f"YAML syntax error: {problem}{context}; check the indentation and punctuation here"


def parse_yaml(raw: bytes) -> Document | list[Problem]:
    """Parse bytes into a Document, or give the problems that stop it being read."""
    if len(raw) > MAX_FILE_BYTES:
        return [Problem(f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB) — split it")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Problem(f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8", line)]
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return [Problem("file is empty; it should start with a line such as 'kind: ruleset'", 1)]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return [Problem("file is empty; it should start with a line such as 'kind: ruleset'", 1)]
        builder = _Builder(loader)
        builder.doc.data = builder.build(node, ())
        return builder.doc
    except _Refused as exc:
        return [_problem_at(exc.mark, exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _syntax_message(exc)
        return [_problem_at(mark, message)] if mark is not None else [Problem(message)]
    except yaml.YAMLError as exc:
        return [Problem(f"YAML error: {exc}")]
    finally:
        loader.dispose()
