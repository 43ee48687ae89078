"""JSON Schemas for the three kinds of file, for editors (yaml-language-server) to complete and check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assessments.models.conditions import ANSWER_TEST_SCHEMA, CONDITION_SCHEMA
from assessments.models.policy import Policy
from assessments.models.questionnaire import Questionnaire, TagUse
from assessments.models.ruleset import Advice, RuleSet
from assessments.models.scenarios import ScenarioFile

SCHEMA_FILES = {
    "questionnaire.schema.json": Questionnaire,
    "ruleset.schema.json": RuleSet,
    "scenarios.schema.json": ScenarioFile,
    "policy.schema.json": Policy,
}
SCHEMA_DIR = Path(__file__).parent / "schemas"


def json_schema(model: type[Any]) -> dict[str, Any]:
    """Give the JSON Schema of a file model, with the condition grammar filled in."""
    schema: dict[str, Any] = _swap_placeholder(model.model_json_schema(mode="validation"))
    text = json.dumps(schema)
    defs = schema.setdefault("$defs", {})
    if "#/$defs/Condition" in text:
        defs["Condition"] = CONDITION_SCHEMA
    if "#/$defs/Advice" in text:
        defs["Advice"] = _swap_placeholder(Advice.model_json_schema(mode="validation"))
    if "#/$defs/TagUse" in text:
        defs["TagUse"] = _swap_placeholder(TagUse.model_json_schema(mode="validation"))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# pydantic only lets a schema point at $defs it made itself, so fields whose schema refers to
# a shared definition carry a marker that is swapped here.
_MARKERS: dict[str, dict[str, Any]] = {
    "condition": {"$ref": "#/$defs/Condition"},
    "advice": {"anyOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/Advice"}]},
    "tag-use": {
        "anyOf": [
            {"type": "string", "description": "A tag id (yes counts, on a yes/no question)."},
            {"$ref": "#/$defs/TagUse"},
        ]
    },
    "answer-test": ANSWER_TEST_SCHEMA,
    "options": {
        "anyOf": [
            {"type": "array", "items": {"$ref": "#/$defs/Option"}, "minItems": 2},
            {"type": "string", "description": "The name of a list under option_lists."},
        ]
    },
}


def _swap_placeholder(node: Any) -> Any:
    if isinstance(node, dict):
        marker = node.get("x-rekindle")
        if marker in _MARKERS:
            rest = {k: v for k, v in node.items() if k != "x-rekindle"}
            return {**_MARKERS[marker], **rest}
        return {k: _swap_placeholder(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap_placeholder(v) for v in node]
    return node


def schema_texts() -> dict[str, str]:
    """Give file name -> schema text, exactly as committed under assessments/schemas/."""
    return {
        name: json.dumps(json_schema(model), indent=2, sort_keys=True) + "\n" for name, model in SCHEMA_FILES.items()
    }


def write_schemas(out: Path) -> list[Path]:
    """Write the schemas into a folder and give the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
