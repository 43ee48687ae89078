"""The strict base every file model shares, and the small types they reuse."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z][a-z0-9-]*$"
VALUE_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        description="Lowercase letters, digits and hyphens, starting with a letter, e.g. `red-flags`.",
    ),
]
OptionValue = Annotated[
    str,
    Field(
        pattern=VALUE_PATTERN,
        description="Stable value stored in answers: lowercase letters, digits and hyphens.",
    ),
]
Text = Annotated[str, Field(min_length=1)]


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Give ' (did you mean 'x'?)' when `word` looks like a misspelling of a choice."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class StrictModel(BaseModel):
    """Frozen, and refuses keys it does not know, naming the keys it does."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = [info.alias or name for name, info in cls.model_fields.items()]
        for key in data:
            if key not in allowed and key not in cls.model_fields:
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key '{key}'{hint}; expected one of: {allowed}",
                    {
                        "key": str(key),
                        "hint": suggest(str(key), allowed),
                        "allowed": ", ".join(allowed),
                        "at": (str(key),),
                    },
                )
        return data


def version_text(value: Any) -> Any:
    """Accept `version: 2` as "2" but refuse floats, which YAML would mangle (1.10 -> 1.1)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise PydanticCustomError(
            "version_float",
            'version {value} is read as a number (1.10 would become 1.1); put it in quotes, e.g. version: "{value}"',
            {"value": value},
        )
    return value
