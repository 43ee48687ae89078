"""JSON Schemas for the three kinds of file, for editors (yaml-language-server) to complete and check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assessments.models.conditions import CONDITION_SCHEMA
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import RuleSet
from assessments.models.scenarios import ScenarioFile

SCHEMA_FILES = {
    "questionnaire.schema.json": Questionnaire,
    "ruleset.schema.json": RuleSet,
    "scenarios.schema.json": ScenarioFile,
}
SCHEMA_DIR = Path(__file__).parent / "schemas"


def json_schema(model: type[Any]) -> dict[str, Any]:
    """Give the JSON Schema of a file model, with the condition grammar filled in."""
    schema: dict[str, Any] = model.model_json_schema(mode="validation")
    defs = schema.setdefault("$defs", {})
    if _uses_condition(schema):
        defs["Condition"] = CONDITION_SCHEMA
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _uses_condition(schema: Any) -> bool:
    text = json.dumps(schema)
    return "#/$defs/Condition" in text


def schema_texts() -> dict[str, str]:
    """Give file name -> schema text, exactly as committed under assessments/schemas/."""
    return {name: json.dumps(json_schema(model), indent=2, sort_keys=True) + "\n" for name, model in SCHEMA_FILES.items()}


def write_schemas(out: Path) -> list[Path]:
    """Write the schemas into a folder and give the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
