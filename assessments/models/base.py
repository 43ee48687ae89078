"""The strict base every file model shares, and the small types they reuse."""

from __future__ import annotations

import difflib
import math
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

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

_NUMBER_TEXT = re.compile(r"^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$")
_NOT_FINITE = re.compile(r"^\s*[-+]?\.?(?:nan|inf|infinity)\s*$", re.IGNORECASE)


def not_finite(value: Any) -> str | None:
    """Give "'.nan' (not a number) cannot be used" for a value that reads as NaN or infinity, else None."""
    if not (
        (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, str) and _NOT_FINITE.match(value))
    ):
        return None
    written = str(value)  # as in the file: the loader keeps 1e400 as written (yamlload.TooLarge)
    if "nan" in written.lower():
        word = "not a number"
    elif _NOT_FINITE.match(written):
        word = "infinity"
    else:
        word = "too large: it reads as infinity"
    return f"'{written}' ({word}) cannot be used"


def _refuse_non_number(value: Any, whole: bool, hint: str = "") -> None:
    """Raise the error a counsellor can act on for a value that is not a usable number."""
    wanted = "a whole number" if whole else "a number"
    refused = not_finite(value)
    if refused is not None:
        raise PydanticCustomError(
            "number_not_finite",
            "{refused}; write {wanted} such as 12{hint}",
            {"refused": refused, "wanted": wanted, "hint": hint},
        )
    if isinstance(value, str) and _NUMBER_TEXT.match(value):
        raise PydanticCustomError(
            "number_quoted",
            "'{value}' is in quotes, so it is text; write the number without quotes: {bare}",
            {"value": value, "bare": value.strip()},
        )
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = str(value).lower() if isinstance(value, bool) else value
        kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else f"'{shown}'"
        raise PydanticCustomError("number_type", "should be {wanted}, not {kind}", {"wanted": wanted, "kind": kind})
    if whole and not float(value).is_integer():
        raise PydanticCustomError("number_whole", "should be a whole number, not {value}", {"value": value})


def _number(value: Any) -> Any:
    _refuse_non_number(value, whole=False)
    return value


def _band_bound(value: Any) -> Any:
    _refuse_non_number(
        value,
        whole=False,
        hint=" — a band can end at the highest value its score can take (rekindle analyze shows each score's range)",
    )
    return value


def _whole_number(value: Any) -> Any:
    _refuse_non_number(value, whole=True)
    return int(value)


# Numbers in files are taken as written: a quoted "4" is text, not converted, and NaN or infinity
# (`.nan`, `inf`, 1e999) is refused — it would compare false with everything and silently turn a
# band into "not enough information".
Number = Annotated[int | float, BeforeValidator(_number)]
BandBound = Annotated[int | float, BeforeValidator(_band_bound)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Count = Annotated[int, Field(ge=0), BeforeValidator(_whole_number)]  # constraint first: it reaches the schema


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """Give the choice `word` looks like a misspelling of, or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Give ' (did you mean 'x'?)' when `word` looks like a misspelling of a choice."""
    meant = closest(word, choices)
    return f" (did you mean '{meant}'?)" if meant else ""


class StrictModel(BaseModel):
    """Frozen, and refuses keys it does not know, naming the keys it does."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        allowed = [info.alias or name for name, info in cls.model_fields.items()]
        unknown = [key for key in data if key not in allowed and key not in cls.model_fields]
        if not unknown:
            return handler(data)
        errors: list[InitErrorDetails] = [
            {
                "type": PydanticCustomError(
                    "unknown_key",
                    "unknown key '{key}'{hint}; expected one of: {allowed}",
                    {
                        "key": str(key),
                        "hint": suggest(str(key), allowed),
                        "allowed": ", ".join(allowed),
                        "at": (str(key),),
                    },
                ),
                "loc": (),
                "input": data,
            }
            for key in unknown
        ]
        # Every unknown key is reported, and the known keys are still validated, so that one
        # misspelt key does not hide the item's other mistakes. Left out: what only follows from
        # the misspelling — the key it was meant to be is "missing", and the checks of the item
        # as a whole (a rule "does nothing" when `forse:` was meant as `force:`).
        meant = {closest(str(key), allowed) for key in unknown}
        try:
            handler({key: value for key, value in data.items() if key not in unknown})
        except ValidationError as exc:
            errors += [_again(error) for error in exc.errors(include_url=False) if not _follows(error, meant)]
        raise ValidationError.from_exception_data(cls.__name__, errors)


def _follows(error: Any, meant: set[str | None]) -> bool:
    """Give whether an error only follows from unknown keys (`meant`: the keys they look like)."""
    loc = error["loc"]
    return not loc or (error["type"] == "missing" and len(loc) == 1 and loc[0] in meant)


def _again(error: Any) -> InitErrorDetails:
    """Give an error found inside an item as it was found, to raise again with others."""
    # already formatted: the message is kept as it is, and the context for those who read it
    again = PydanticCustomError(error["type"], error["msg"], error.get("ctx"))
    return {"type": again, "loc": error["loc"], "input": error["input"]}


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
