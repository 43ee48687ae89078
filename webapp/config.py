"""Configuration: defaults, then REKINDLE_* environment variables, then a test's overrides."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PREFIX = "REKINDLE_"

DEFAULTS: dict[str, Any] = {
    "REKINDLE_DATABASE_URL": None,  # default: SQLite file in the instance folder
    "REKINDLE_RETENTION_DAYS": 30,  # fractions allowed (0.5 is twelve hours)
    "REKINDLE_DRAFT_MINUTES": 60,  # fractions allowed
    "REKINDLE_PURGE_INTERVAL_SECONDS": 300,  # how often expired rows are deleted while serving; 0: never
    "REKINDLE_COUNSELLOR_IDLE_MINUTES": 30,  # a counsellor session unused this long is ended
    "REKINDLE_LOGIN_LIMIT_ACCOUNT": "5 per 15 minutes",  # failed sign-ins per account (`limits` notation)
    "REKINDLE_LOGIN_LIMIT_ADDRESS": "20 per 15 minutes",  # failed sign-ins per client address
    "REKINDLE_PASSWORD_CHECKS": 1,  # password hashes worked out at once on this machine; more wait: 503
    "REKINDLE_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-For is trusted
    "REKINDLE_REDIS_URL": None,  # sign-in counts in Redis instead of the database
    "REKINDLE_LIBRARY": "",  # extra library folders, os.pathsep-separated
    "REKINDLE_PUBLIC_RULESETS": "",  # questionnaire=ruleset pairs, comma-separated
    "REKINDLE_COMBINED_RULESETS": None,  # comma-separated; default: rule sets over several questionnaires
    "REKINDLE_HTTPS": False,
    "REKINDLE_EXIT_URL": "https://www.bbc.co.uk/weather",
    "REKINDLE_PDF_TIMEOUT": 20,  # seconds a PDF may take before its worker process is stopped
    "REKINDLE_PDF_RENDERS": None,  # PDFs made at once on this machine by the server's own pool; None: one per core
    "REKINDLE_PDF_QUEUE": "rekindle-pdf",  # the RQ queue in Redis that `rekindle worker` reads
    "REKINDLE_RELOAD": None,  # reload changed library files on each request; None: in debug mode
    "REKINDLE_LIBRARY_CHECK_SECONDS": 1,  # how often each process asks whether the published library changed
    "MAX_CONTENT_LENGTH": 64 * 1024,  # a questionnaire page is a few hundred bytes
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; a slow reader should not lose answers
}
_INTS = {
    "REKINDLE_PDF_RENDERS",
    "REKINDLE_PURGE_INTERVAL_SECONDS",
    "REKINDLE_PASSWORD_CHECKS",
    "REKINDLE_PROXIES",
}
_FLOATS = {
    "REKINDLE_LIBRARY_CHECK_SECONDS",
    "REKINDLE_PDF_TIMEOUT",
    "REKINDLE_RETENTION_DAYS",
    "REKINDLE_DRAFT_MINUTES",
    "REKINDLE_COUNSELLOR_IDLE_MINUTES",
}
_BOOLS = {"REKINDLE_HTTPS", "REKINDLE_RELOAD"}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Give the REKINDLE_* settings found in the environment, typed."""
    found: dict[str, Any] = {}
    for key in [*DEFAULTS, "REKINDLE_SECRET_KEY"]:
        if key.startswith(PREFIX) and key in environ:
            value: Any = environ[key]
            if key in _INTS:
                value = int(value)
            elif key in _FLOATS:
                value = float(value)
            elif key in _BOOLS:
                value = value.strip().lower() in ("1", "true", "yes", "on")
            found[key] = value
    return found


def instance_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Give the one instance folder every command uses (SQLite file, generated key, accounts).

    REKINDLE_INSTANCE when set; otherwise Flask's own choice for the installed package — the
    `instance` folder of the project for a source checkout — which, unlike the working folder,
    is the same for `rekindle counsellor add` and `rekindle serve` wherever they are run.
    """
    given = (environ if environ is not None else os.environ).get("REKINDLE_INSTANCE", "").strip()
    if given:
        return Path(given).expanduser().resolve()
    from flask import Flask  # the web layer's own rule, asked where it lives

    return Path(Flask("webapp").instance_path)


def secret_key_file(instance: Path) -> Path:
    """Give the file where `rekindle serve` keeps a generated secret key."""
    return instance / "secret_key"


def ensure_secret_key(instance: Path) -> str:
    """Give the instance's secret key, creating it (readable by the owner only) the first time."""
    path = secret_key_file(instance)
    if not path.exists():
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
