"""Rekindle's web app: `create_app(test_config=None)` builds it (Flask's application factory)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

# `rekindle --help` imports this package (the command lives in webapp/cli.py), so the web stack,
# the library and the database are imported only when an app is built (STYLE: "Commands load
# what they use").


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment, then test_config; then library, storage, blueprints."""
    from flask import Flask, request
    from werkzeug.middleware.proxy_fix import ProxyFix

    from assessments import Library
    from assessments.library import env_dirs
    from assessments.yamlload import MAX_FILE_BYTES
    from webapp.accounts import Accounts
    from webapp.config import DEFAULTS, from_environment, instance_folder
    from webapp.documents import Documents
    from webapp.published import import_files, install, library_files, refresh
    from webapp.security import csrf
    from webapp.startup import startup_lock
    from webapp.state import AppState
    from webapp.storage import Store, upgrade
    from webapp.throttle import PasswordChecks, Throttle

    app = Flask(__name__, instance_relative_config=True, instance_path=str(instance_folder()))
    app.config.update(DEFAULTS)  # over Flask's own defaults (e.g. SESSION_COOKIE_SAMESITE=None)
    app.config.update(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    _secret_key(app)
    _check_periods(app)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["REKINDLE_HTTPS"])
    instance = Path(app.instance_path)
    _private_folder(instance)

    url = app.config["REKINDLE_DATABASE_URL"]
    if not url:
        url = f"sqlite:///{instance / 'rekindle.sqlite'}"
        app.config["REKINDLE_DATABASE_URL"] = url
    extra = env_dirs({"REKINDLE_LIBRARY": str(app.config["REKINDLE_LIBRARY"] or "")})
    with startup_lock(url, instance):
        # every forked worker and every instance builds the app; one at a time may migrate,
        # purge and import library files
        upgrade(url)
        store = Store(url)
        store.purge(retention=retention(app), draft_idle=draft_idle(app))
        documents = Documents(store.engine)
        imported = import_files(documents, library_files(extra), actor="start-up", publish=True)
    secret = str(app.config["SECRET_KEY"]).encode()

    public = dict(pair.split("=", 1) for pair in str(app.config["REKINDLE_PUBLIC_RULESETS"]).split(",") if "=" in pair)
    combined_setting = app.config["REKINDLE_COMBINED_RULESETS"]
    combined = None if combined_setting is None else [r.strip() for r in str(combined_setting).split(",") if r.strip()]
    current = app.extensions["rekindle"] = AppState(
        library=Library(),
        flows={},
        store=store,
        accounts=Accounts(store.engine),
        throttle=Throttle.for_app(store.engine, app.config, secret),
        password_checks=PasswordChecks(instance, int(app.config["REKINDLE_PASSWORD_CHECKS"])),
        library_dirs=extra,
        documents=documents,
        public=public,
        combined=combined,
        imports=imported,
    )
    # what is published in the database is what is served; the import may have just built it
    if imported.library is not None and imported.generation == documents.generation():
        install(current, imported.library, imported.generation)
    else:
        refresh(current, documents, interval=0, force=True)

    @app.before_request
    def _library_files_fit() -> None:
        # the workspace takes YAML files of up to 1 MiB, two at once in the editor; every other
        # form stays small. Before the CSRF check, which is the first to read the form.
        if request.path.startswith("/counsellor/library/"):
            request.max_content_length = request.max_form_memory_size = 3 * MAX_FILE_BYTES

    csrf.init_app(app)
    from webapp import (
        admin,
        assets,
        compare,
        counsellor,
        countries,
        errors,
        health,
        housekeeping,
        interruption,
        pdfjobs,
        published,
        reload,
        results,
        review,
        safety,
        security,
        workbench,
        workspace,
    )
    from webapp import public as public_pages

    if app.config["REKINDLE_PROXIES"]:
        hops = int(app.config["REKINDLE_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    security.init_app(app)
    assets.init_app(app)
    published.init_app(app)
    reload.init_app(app)
    housekeeping.init_app(app)
    pdfjobs.init_app(app)
    # browsers ask every site for /favicon.ico, whatever its pages link to
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))
    for module in (public_pages, interruption, results, safety, countries, counsellor, workbench, health, errors):
        app.register_blueprint(module.bp)
    for module in (workspace, review, compare, admin):  # the library workspace
        app.register_blueprint(module.bp)
    app.jinja_env.globals["country_name"] = countries.country_name
    return app


def _private_folder(instance: Path) -> None:
    """Make the instance folder (SQLite files, the generated key) reachable by its owner only."""
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    if instance.stat().st_mode & 0o077:
        instance.chmod(0o700)


def retention(app: Flask) -> dt.timedelta:
    """Give how long results are kept."""
    return dt.timedelta(days=float(app.config["REKINDLE_RETENTION_DAYS"]))


def draft_idle(app: Flask) -> dt.timedelta:
    """Give how long an untouched draft is kept."""
    return dt.timedelta(minutes=float(app.config["REKINDLE_DRAFT_MINUTES"]))


def counsellor_idle(app: Flask) -> dt.timedelta:
    """Give how long an unused counsellor session lasts."""
    return dt.timedelta(minutes=float(app.config["REKINDLE_COUNSELLOR_IDLE_MINUTES"]))


def _check_periods(app: Flask) -> None:
    for name in ("REKINDLE_RETENTION_DAYS", "REKINDLE_DRAFT_MINUTES", "REKINDLE_COUNSELLOR_IDLE_MINUTES"):
        if not float(app.config[name]) > 0:
            raise RuntimeError(f"{name} must be above 0 (fractions such as 0.5 are allowed)")


MIN_SECRET_KEY = 32  # characters; `rekindle serve` generates 64


def _secret_key(app: Flask) -> None:
    """Refuse to start without a real secret key: it signs sessions, so a known one lets anyone in.

    Only the test suite's own configuration (TESTING) gets a stand-in; debug mode does not.
    """
    key = app.config.get("REKINDLE_SECRET_KEY") or app.config.get("SECRET_KEY")
    if not key and app.config.get("TESTING"):
        key = "testing-only-" + "not-secret-" * 3
    if not key:
        raise RuntimeError(
            "REKINDLE_SECRET_KEY is not set. Set it to a long random value (e.g. the output of"
            " `python3 -c 'import secrets; print(secrets.token_hex(32))'`), or start with"
            " `rekindle serve`, which keeps a generated key in the instance folder."
        )
    if len(str(key)) < MIN_SECRET_KEY:
        raise RuntimeError(
            f"REKINDLE_SECRET_KEY is too short to be secret: use at least {MIN_SECRET_KEY} random characters."
        )
    app.config["SECRET_KEY"] = key
