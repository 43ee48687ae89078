"""What a counsellor may store: text and files checked before anything is written.

A file over the loader's limit, text that is not UTF-8, or text whose `kind:` or id belongs to
another document is refused with a message (and the line it points at); nothing is stored, and
the page keeps what was written. Text that is not valid YAML, or does not load, is accepted: it
is a draft, and its errors are shown at their lines.
"""

from __future__ import annotations

from pathlib import Path

from flask import request

from assessments.yamlload import MAX_FILE_BYTES, parse_yaml
from webapp.documents import KINDS
from webapp.state import state

NAMES = {"ruleset": "rule set", "questionnaire": "questionnaire", "scenarios": "scenario file", "policy": "policy"}


class Refused(Exception):
    """Input that cannot be stored: a message for the page, and where in the text it points."""

    def __init__(self, message: str, status: int = 422, line: int | None = None) -> None:
        super().__init__(message)
        self.status, self.line = status, line
        self.kind = ""  # which text it is about, when a form holds several


def described(kind: str, name: str) -> str:
    """Give a document as people say it: "rule set 'red-flags'"."""
    return f"{NAMES[kind]} '{name}'"


def checked_text(text: str, kind: str, name: str | None) -> None:
    """Refuse text that cannot be stored as this document: too large, or another kind or id.

    Text that is not valid YAML, or does not load, is stored: it is a draft."""
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise Refused(f"The file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB): split it.", 413)
    parsed = parse_yaml(text.encode("utf-8"))
    if isinstance(parsed, list) or not isinstance(parsed.data, dict):
        return
    said = parsed.data.get("kind")
    if said in KINDS and said != kind:
        line = parsed.key_marks.get(("kind",), (None, None))[0]
        raise Refused(
            f"This is a {NAMES[str(said)]} (kind: {said}), but it was put where a {NAMES[kind]} goes:"
            f" upload it as a {NAMES[str(said)]}, or start it with 'kind: {kind}'.",
            line=line,
        )
    key = "ruleset" if kind == "scenarios" else "id"
    other = parsed.data.get(key)
    if name is None or not isinstance(other, str) or other == name:
        return
    line = parsed.value_marks.get((key,), (None, None))[0]
    if state().documents.latest(kind, other) is not None:
        raise Refused(
            f"{key}: {other} is another document's id: {described(kind, other)} exists already. Open it to"
            f" change it, or keep '{key}: {name}' here.",
            line=line,
        )
    raise Refused(
        f"{key}: {other} does not match this {NAMES[kind]}, '{name}'. To start a new one, use 'New rule set'"
        f" or copy a version; here keep '{key}: {name}'.",
        line=line,
    )


def posted_file() -> tuple[str, str]:
    """Give an uploaded file's name and text (refusing one that is too large or not UTF-8 text)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Refused("Choose a file to upload.", 400)
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise Refused(f"The file is larger than the limit of {MAX_FILE_BYTES:,} bytes (1 MiB): split it.", 413)
    try:
        return Path(upload.filename).name, raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("The file is not text in UTF-8: save it as UTF-8 and upload it again.", 422) from None
