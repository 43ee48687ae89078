"""The committed JSON Schemas match the models, and every bundled file validates against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from assessments.library import BUNDLED
from assessments.reference import format_reference
from assessments.schema import SCHEMA_DIR, schema_texts
from assessments.yamlload import Document, parse_yaml

FILES = sorted(BUNDLED.glob("*/*.yaml"))
MODELINE = "# yaml-language-server: $schema=../schemas/{kind}.schema.json"


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_committed_schema_equals_a_fresh_export(name: str) -> None:
    assert (SCHEMA_DIR / name).read_text() == schema_texts()[name], "run `rekindle schema` and commit the result"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_bundled_file_validates_against_its_schema_and_names_it(path: Path) -> None:
    parsed = parse_yaml(path.read_bytes())
    assert isinstance(parsed, Document)
    kind = parsed.data["kind"]
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text())
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(parsed.data)]
    assert errors == []
    assert path.read_text().splitlines()[0] == MODELINE.format(kind=kind)


def test_schema_catches_a_misspelt_key() -> None:
    schema = json.loads((SCHEMA_DIR / "ruleset.schema.json").read_text())
    data = parse_yaml((BUNDLED / "rules" / "red-flags.yaml").read_bytes())
    assert isinstance(data, Document)
    broken = dict(data.data, titel="x")
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_committed_format_reference_equals_a_fresh_generation() -> None:
    committed = Path(__file__).resolve().parents[2] / "docs" / "format.md"
    assert committed.read_text() == format_reference(), (
        "docs/format.md is out of date: run `rekindle schema --reference docs/format.md` and commit it"
    )


def test_format_reference_describes_every_field_of_every_model() -> None:
    text = format_reference()
    for name in schema_texts():
        schema = json.loads(schema_texts()[name])
        for definition in [schema, *schema["$defs"].values()]:
            for key in definition.get("properties", {}):
                assert f"| `{key}` |" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert all(not line.endswith("|  |") for line in rows), [r for r in rows if r.endswith("|  |")]
    for operator in ("equals", "contains_any", "between", "answered"):
        assert f"| `{operator}` |" in text
