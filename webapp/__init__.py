"""Rekindle's web app: `create_app(test_config=None)` builds it (Flask's application factory)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from assessments import load_library
from assessments.library import env_dirs
from webapp.config import DEFAULTS, from_environment, instance_folder
from webapp.flows import build_flows
from webapp.state import AppState
from webapp.storage import Store, upgrade

csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment, then test_config; then library, storage, blueprints."""
    app = Flask(__name__, instance_relative_config=True, instance_path=str(instance_folder()))
    app.config.update(DEFAULTS)  # over Flask's own defaults (e.g. SESSION_COOKIE_SAMESITE=None)
    app.config.update(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    _secret_key(app)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["REKINDLE_HTTPS"])

    url = app.config["REKINDLE_DATABASE_URL"]
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'rekindle.sqlite'}"
        app.config["REKINDLE_DATABASE_URL"] = url
    with _startup_lock(Path(app.instance_path)):
        # every forked worker builds the app; one at a time may migrate and purge
        upgrade(url)
        store = Store(url)
        store.purge(retention=retention(app), draft_idle=draft_idle(app))

    extra = env_dirs({"REKINDLE_LIBRARY": str(app.config["REKINDLE_LIBRARY"] or "")})
    library = load_library(extra)
    public = dict(pair.split("=", 1) for pair in str(app.config["REKINDLE_PUBLIC_RULESETS"]).split(",") if "=" in pair)
    combined_setting = app.config["REKINDLE_COMBINED_RULESETS"]
    combined = None if combined_setting is None else [r.strip() for r in str(combined_setting).split(",") if r.strip()]
    app.extensions["rekindle"] = AppState(
        library=library,
        flows=build_flows(library, public, combined),
        store=store,
        library_dirs=extra,
        public=public,
        combined=combined,
    )

    csrf.init_app(app)
    from webapp import counsellor, countries, errors, interruption, reload, results, safety, security, workbench
    from webapp import public as public_pages

    security.init_app(app)
    reload.init_app(app)
    # browsers ask every site for /favicon.ico, whatever its pages link to
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))
    for module in (public_pages, interruption, results, safety, countries, counsellor, workbench, errors):
        app.register_blueprint(module.bp)
    app.jinja_env.globals["country_name"] = countries.country_name
    return app


@contextlib.contextmanager
def _startup_lock(instance: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file in the instance folder (workers start at the same moment)."""
    instance.mkdir(parents=True, exist_ok=True)
    with (instance / ".startup.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def retention(app: Flask) -> dt.timedelta:
    """Give how long results are kept."""
    return dt.timedelta(days=int(app.config["REKINDLE_RETENTION_DAYS"]))


def draft_idle(app: Flask) -> dt.timedelta:
    """Give how long an untouched draft is kept."""
    return dt.timedelta(minutes=int(app.config["REKINDLE_DRAFT_MINUTES"]))


def _secret_key(app: Flask) -> None:
    key = app.config.get("REKINDLE_SECRET_KEY") or app.config.get("SECRET_KEY")
    if not key:
        if app.config.get("TESTING") or app.debug:
            key = "testing-only-not-secret"
        else:
            raise RuntimeError(
                "REKINDLE_SECRET_KEY is not set. Set it to a long random value, or start with"
                " `rekindle serve`, which keeps a generated key in the instance folder."
            )
    app.config["SECRET_KEY"] = key
