"""The committed JSON Schemas match the models, and every bundled file validates against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from assessments.library import BUNDLED
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
