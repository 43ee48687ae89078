"""What a deployment relies on: health and readiness, static files cached under content-hashed
names, `rekindle serve`'s sizes and timeouts, and start-up migrations one at a time."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.pool import NullPool

from webapp import create_app
from webapp.cli import main
from webapp.serving import gunicorn_argv, pdf_timeout_problem, sizes
from webapp.startup import LOCK_KEY
from webapp.storage import Store


def test_healthz_says_the_process_serves(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert (response.status_code, response.data, response.headers["Cache-Control"]) == (200, b"ok\n", "no-store")


def test_readyz_checks_the_database(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.data.decode() == "database: ok\n"
    state = app.extensions["rekindle"]
    working = state.store
    (tmp_path / "a-folder").mkdir()
    state.store = Store(f"sqlite:///{tmp_path / 'a-folder'}")  # a "database" that cannot be opened
    try:
        down = client.get("/readyz")
    finally:
        state.store = working
    assert down.status_code == 503 and down.data.decode() == "database: unreachable (OperationalError)\n"


def test_static_files_have_hashed_names_and_are_cached_for_a_year(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"  # pages are never cached
    css = re.search(r'href="(/static/site\.[0-9a-f]{12}\.css)"', page.data.decode())
    js = re.search(r'src="(/static/exit\.[0-9a-f]{12}\.js)"', page.data.decode())
    assert css and js
    for url in (css.group(1), js.group(1)):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get(css.group(1)) as hashed, client.get("/static/site.css") as plain:
        assert hashed.get_data() == plain.get_data()
        assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    assert client.get("/static/site.000000000000.css").status_code == 404  # a stale name is not found


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    from webapp.assets import hashed_names

    (tmp_path / "site.css").write_text("body { color: black }")
    before = hashed_names(tmp_path)["site.css"]
    (tmp_path / "site.css").write_text("body { color: navy }")
    after = hashed_names(tmp_path)["site.css"]
    assert before != after and re.fullmatch(r"site\.[0-9a-f]{12}\.css", after)


def test_serve_sizes_follow_the_cores_unless_given() -> None:
    assert sizes(1, None, None) == (2, 4)  # never fewer than two processes
    assert sizes(2, None, None) == (2, 4)
    assert sizes(8, None, None) == (8, 4)
    assert sizes(8, 3, 1) == (3, 1)
    argv = gunicorn_argv(host="0.0.0.0", port=8000, workers=3, threads=4, timeout=30)
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--graceful-timeout") + 1] == argv[argv.index("--timeout") + 1] == "30"
    single = gunicorn_argv(host="0.0.0.0", port=8000, workers=3, threads=1, timeout=30)
    assert single[single.index("--worker-class") + 1] == "sync"


@pytest.mark.parametrize(
    ("pdf_timeout", "timeout", "problem"),
    [
        ("20", 30, None),
        ("29.5", 30, None),
        ("30", 30, "REKINDLE_PDF_TIMEOUT (30 s) must be above 0 and below the web server's timeout (30 s)"),
        ("45", 30, "REKINDLE_PDF_TIMEOUT (45 s) must be above 0 and below the web server's timeout (30 s)"),
        ("0", 30, "REKINDLE_PDF_TIMEOUT (0 s) must be above 0"),
        ("soon", 30, "REKINDLE_PDF_TIMEOUT must be a number of seconds, not 'soon'"),
    ],
)
def test_the_pdf_timeout_is_checked_against_the_servers(pdf_timeout: str, timeout: int, problem: str | None) -> None:
    found = pdf_timeout_problem({"REKINDLE_PDF_TIMEOUT": pdf_timeout}, timeout)
    assert (found is None) if problem is None else (found is not None and found.startswith(problem))


def test_serve_refuses_to_start_with_a_pdf_timeout_above_its_own(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--timeout", "10"], env={"REKINDLE_PDF_TIMEOUT": "20", "REKINDLE_INSTANCE": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert "REKINDLE_PDF_TIMEOUT (20 s) must be above 0 and below the web server's timeout (10 s)" in result.output
    assert not (tmp_path / "secret_key").exists()  # refused before anything was done


def test_start_up_waits_for_the_migration_lock_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(pg_url, poolclass=NullPool)
    built: list[Flask] = []
    with engine.connect() as conn:  # another instance is migrating
        key = conn.execute(sa.text(LOCK_KEY)).scalar_one()
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
        conn.commit()
        config = {"TESTING": True, "REKINDLE_DATABASE_URL": pg_url}
        starting = threading.Thread(target=lambda: built.append(create_app(config)))
        starting.start()
        starting.join(3)
        assert starting.is_alive() and not built  # waits: it does not migrate beside the other
        conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        conn.commit()
    starting.join(120)
    engine.dispose()
    assert built, "the app did not start once the lock was free"
    with built[0].extensions["rekindle"].store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pdf_jobs")).scalar_one() == 0  # migrated
    built[0].extensions["rekindle"].store.dispose()
