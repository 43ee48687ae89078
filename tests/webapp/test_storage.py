"""Storage against real databases: SQLite files always, PostgreSQL when REKINDLE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from webapp import create_app
from webapp.storage import MIGRATIONS, Store, upgrade

PG_URL = os.environ.get("REKINDLE_TEST_DATABASE_URL")


def _pg_schema_url() -> Iterator[str]:
    """Give a URL whose tables live in a fresh PostgreSQL schema, dropped afterwards."""
    assert PG_URL
    schema = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("REKINDLE_TEST_DATABASE_URL is not set: PostgreSQL storage tests skipped")
    yield from _pg_schema_url()


def _save(store: Store, answers: dict[str, object] | None = None) -> str:
    return store.save_result(
        answers or {"red-flags": {"blocked": "yes"}},
        version_key="v1",
        ruleset_id="red-flags",
        ruleset_hash="h" * 64,
        ruleset_text="kind: ruleset\n",
        questionnaires={"red-flags": {"hash": "q" * 64, "text": "kind: questionnaire\n"}},
    )


def test_results_round_trip_and_delete(url: str) -> None:
    upgrade(url)
    store = Store(url)
    result_id = _save(store)
    stored = store.load_result(result_id)
    assert stored is not None and stored.answers == {"red-flags": {"blocked": "yes"}}
    assert stored.ruleset_text == "kind: ruleset\n" and stored.questionnaires["red-flags"]["hash"] == "q" * 64
    assert store.delete_result(result_id) is True
    assert store.load_result(result_id) is None
    assert store.delete_result(result_id) is False
    store.dispose()


def test_a_result_survives_an_app_restart(url: str) -> None:
    first = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url})
    result_id = _save(first.extensions["rekindle"].store)
    first.extensions["rekindle"].store.dispose()
    second = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url})
    assert second.extensions["rekindle"].store.load_result(result_id) is not None
    second.extensions["rekindle"].store.dispose()


def test_a_result_written_by_another_process_is_read_here(url: str) -> None:
    upgrade(url)
    code = (
        "import sys; from webapp.storage import Store; s = Store(sys.argv[1]);"
        "print(s.save_result({'q': {'a': 'b'}}, version_key='v2', ruleset_id='r', ruleset_hash='h',"
        " ruleset_text='t', questionnaires={}))"
    )
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    store = Store(url)
    stored = store.load_result(out.stdout.strip())
    assert stored is not None and stored.answers == {"q": {"a": "b"}}
    store.dispose()


def test_purge_removes_expired_results_and_idle_drafts_only(url: str) -> None:
    upgrade(url)
    store = Store(url)
    old, new = _save(store), _save(store)
    draft = store.save_draft(None, "red-flags", {"red-flags": {}})
    fresh_draft = store.save_draft(None, "red-flags", {"red-flags": {}})
    with store.engine.begin() as conn:
        from webapp.storage import drafts, results

        conn.execute(results.update().where(results.c.id == old).values(created_at=dt.datetime(2020, 1, 1)))
        conn.execute(drafts.update().where(drafts.c.id == draft).values(updated_at=dt.datetime(2020, 1, 1)))
    assert store.purge(retention=dt.timedelta(days=30), draft_idle=dt.timedelta(hours=1)) == (1, 1)
    assert store.load_result(old) is None and store.load_result(new) is not None
    assert store.load_draft(draft, max_idle=dt.timedelta(days=9999)) is None
    assert store.load_draft(fresh_draft, max_idle=dt.timedelta(hours=1)) is not None
    store.dispose()


def test_drafts_expire_after_inactivity(url: str) -> None:
    upgrade(url)
    store = Store(url)
    draft = store.save_draft(None, "red-flags", {"red-flags": {"blocked": "no"}})
    assert store.load_draft(draft, max_idle=dt.timedelta(minutes=5)) == ("red-flags", {"red-flags": {"blocked": "no"}})
    assert store.load_draft(draft, max_idle=dt.timedelta(seconds=-1)) is None
    assert store.load_draft(draft, max_idle=dt.timedelta(days=1)) is None  # expired drafts are deleted
    store.dispose()


def test_migration_from_the_first_schema_keeps_the_data(url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "0001")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO ruleset_versions (key, ruleset_id, ruleset_hash, ruleset_text, questionnaires)"
                " VALUES ('v1', 'red-flags', 'h', 'kind: ruleset', '{}')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO results (id, created_at, version_key, answers) VALUES ('r1', :at, 'v1', '{\"x\": {}}')"
            ),
            {"at": dt.datetime(2026, 11, 1, 12, 0)},
        )
        conn.execute(sa.text("INSERT INTO counsellors (username, password_hash) VALUES ('sam', 'hash')"))
    engine.dispose()
    command.upgrade(config, "head")
    store = Store(url)
    stored = store.load_result("r1")
    assert stored is not None and stored.answers == {"x": {}} and stored.created_at == dt.datetime(2026, 11, 1, 12, 0)
    assert store.counsellor_hash("sam") == "hash"
    with store.engine.connect() as conn:
        created = conn.execute(sa.text("SELECT created_at FROM ruleset_versions WHERE key = 'v1'")).scalar_one()
    assert str(created).startswith("2026-01-01")
    store.dispose()


def test_concurrent_writes_to_sqlite_do_not_fail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    upgrade(url)
    code = (
        "import sys; from webapp.storage import Store; s = Store(sys.argv[1])\n"
        "for i in range(60):\n"
        "    s.save_result({'q': {'i': i}}, version_key='v', ruleset_id='r', ruleset_hash='h', ruleset_text='t', questionnaires={})\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [w.communicate()[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar_one() == 240
