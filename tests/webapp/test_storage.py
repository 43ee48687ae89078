"""Storage against real databases: SQLite files always, PostgreSQL when REKINDLE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from webapp import create_app
from webapp.schema import drafts, pdf_cache, results, visits
from webapp.storage import MIGRATIONS, RulesetVersion, Store, new_id, upgrade

VERSION = RulesetVersion(
    key="v1",
    ruleset_id="red-flags",
    ruleset_hash="h" * 64,
    ruleset_text="kind: ruleset\n",
    questionnaires={"red-flags": {"hash": "q" * 64, "text": "kind: questionnaire\n"}},
)
LONG = dt.timedelta(days=30)


def _visit(store: Store) -> str:
    visit_id = new_id()
    store.create_visit(visit_id)
    return visit_id


def _save(store: Store, visit_id: str, sealed: bytes = b"sealed answers", submission: str | None = None) -> str:
    found = store.save_result(visit_id, new_id(), submission=submission or new_id(), sealed=sealed, version=VERSION)
    assert found is not None
    return found


def _rows(store: Store, visit_id: str) -> int:
    with store.engine.connect() as conn:
        mine = sa.select(results.c.id).where(results.c.visit_id == visit_id)
        return sum(
            conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
            for table, where in [
                (visits, visits.c.id == visit_id),
                (drafts, drafts.c.visit_id == visit_id),
                (results, results.c.visit_id == visit_id),
                (pdf_cache, pdf_cache.c.result_id.in_(mine)),
            ]
        )


def test_results_round_trip_only_for_their_visit(url: str) -> None:
    upgrade(url)
    store = Store(url)
    mine, other = _visit(store), _visit(store)
    result_id = _save(store, mine, b"\x01opaque")
    stored = store.load_result(mine, result_id, retention=LONG)
    assert stored is not None and stored.sealed == b"\x01opaque"
    assert stored.ruleset_text == "kind: ruleset\n" and stored.questionnaires["red-flags"]["hash"] == "q" * 64
    assert store.load_result(other, result_id, retention=LONG) is None
    store.dispose()


def test_deleting_a_visit_deletes_all_its_results_drafts_and_pdfs_and_nothing_else(url: str) -> None:
    upgrade(url)
    store = Store(url)
    mine, other = _visit(store), _visit(store)
    ids = [_save(store, mine) for _ in range(8)]
    for result_id in ids:
        store.cache_pdf(result_id, "v1", b"sealed pdf")
    assert store.save_draft(mine, "slot-a", b"a") and store.save_draft(mine, "slot-b", b"b")
    kept = _save(store, other)
    assert _rows(store, mine) == 1 + 2 + 8 + 8
    assert store.delete_visit(mine) == 19
    assert _rows(store, mine) == 0
    assert store.load_result(other, kept, retention=LONG) is not None
    assert store.save_draft(mine, "slot-a", b"again") is False  # a deleted visit cannot be written to again
    store.dispose()


def test_the_same_submission_stored_twice_at_once_gives_one_result(url: str) -> None:
    upgrade(url)
    stores = [Store(url) for _ in range(6)]
    visit_id = _visit(stores[0])
    assert stores[0].save_draft(visit_id, "slot", b"draft")
    start = threading.Barrier(len(stores))
    found: list[str | None] = []

    def submit(store: Store) -> None:
        start.wait()
        found.append(
            store.save_result(visit_id, new_id(), submission="token-1", sealed=b"r", version=VERSION, draft_slot="slot")
        )

    threads = [threading.Thread(target=submit, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 6 and len(set(found)) == 1 and found[0] is not None
    with stores[0].engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(results)).scalar_one() == 1
    assert stores[0].load_draft(visit_id, "slot", max_idle=LONG) is None  # the draft went with the submit
    for store in stores:
        store.dispose()


def test_a_result_survives_an_app_restart(url: str) -> None:
    first = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url})
    store = first.extensions["rekindle"].store
    visit_id = _visit(store)
    result_id = _save(store, visit_id)
    store.dispose()
    second = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url})
    assert second.extensions["rekindle"].store.load_result(visit_id, result_id, retention=LONG) is not None
    second.extensions["rekindle"].store.dispose()


def test_a_result_written_by_another_process_is_read_here(url: str) -> None:
    upgrade(url)
    code = (
        "import sys; from webapp.storage import Store, RulesetVersion; s = Store(sys.argv[1]); s.create_visit('v');"
        "print(s.save_result('v', 'r1', submission='t', sealed=b'x', version=RulesetVersion('k', 'r', 'h', 't', {})))"
    )
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    store = Store(url)
    stored = store.load_result("v", out.stdout.strip(), retention=LONG)
    assert stored is not None and stored.sealed == b"x"
    store.dispose()


def _age(store: Store, table: sa.Table, column: str, where: sa.ColumnElement[bool], at: dt.datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(table.update().where(where).values({column: at}))


def test_purge_removes_expired_results_idle_drafts_and_ended_visits_only(url: str) -> None:
    upgrade(url)
    store = Store(url)
    visit_id, idle_visit = _visit(store), _visit(store)
    old, new = _save(store, visit_id), _save(store, visit_id)
    store.cache_pdf(old, "v1", b"pdf")
    store.save_draft(visit_id, "old-slot", b"x")
    store.save_draft(visit_id, "new-slot", b"y")
    long_ago = dt.datetime(2020, 1, 1)
    _age(store, results, "created_at", results.c.id == old, long_ago)
    _age(store, drafts, "updated_at", drafts.c.slot == "old-slot", long_ago)
    _age(store, visits, "last_seen_at", visits.c.id == idle_visit, long_ago)
    purged = store.purge(retention=dt.timedelta(days=30), draft_idle=dt.timedelta(hours=1))
    assert (purged.results, purged.drafts, purged.visits) == (1, 1, 1)
    assert store.load_result(visit_id, old, retention=LONG) is None
    assert store.load_result(visit_id, new, retention=LONG) is not None
    assert store.load_draft(visit_id, "new-slot", max_idle=dt.timedelta(hours=1)) == b"y"
    assert not store.visit_exists(idle_visit) and store.visit_exists(visit_id)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(pdf_cache)).scalar_one() == 0
    store.dispose()


def test_expiry_is_enforced_on_every_read(url: str) -> None:
    upgrade(url)
    store = Store(url)
    visit_id = _visit(store)
    store.save_draft(visit_id, "slot", b"draft")
    result_id = _save(store, visit_id)
    assert store.load_draft(visit_id, "slot", max_idle=dt.timedelta(minutes=5)) == b"draft"
    assert store.load_draft(visit_id, "slot", max_idle=dt.timedelta(seconds=-1)) is None
    assert store.load_draft(visit_id, "slot", max_idle=LONG) is None  # the expired draft was deleted
    assert store.load_result(visit_id, result_id, retention=dt.timedelta(seconds=-1)) is None
    assert store.load_result(visit_id, result_id, retention=LONG) is None  # and so was the result
    store.dispose()


def test_a_periodic_job_is_claimed_by_one_of_many_at_once(url: str) -> None:
    upgrade(url)
    stores = [Store(url) for _ in range(6)]
    start = threading.Barrier(len(stores))
    claimed: list[bool] = []

    def claim(store: Store) -> None:
        start.wait()
        claimed.append(store.claim("purge", dt.timedelta(minutes=5)))

    threads = [threading.Thread(target=claim, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [False] * 5 + [True]
    assert stores[0].claim("purge", dt.timedelta(minutes=5)) is False  # not due again yet
    assert stores[0].claim("another-job", dt.timedelta(minutes=5)) is True  # a job with no row yet
    for store in stores:
        store.dispose()


def test_migration_to_visits_keeps_rule_set_versions_and_accounts_and_drops_clear_answers(url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "0003")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO ruleset_versions (key, ruleset_id, ruleset_hash, ruleset_text, questionnaires, created_at)"
                " VALUES ('v1', 'red-flags', 'h', 'kind: ruleset', '{}', :at)"
            ),
            {"at": dt.datetime(2026, 1, 1)},
        )
        conn.execute(
            sa.text("INSERT INTO results (id, created_at, version_key, answers) VALUES ('r1', :at, 'v1', :answers)"),
            {"at": dt.datetime(2026, 11, 1, 12, 0), "answers": '{"x": {"notes": "in clear"}}'},
        )
        conn.execute(
            sa.text("INSERT INTO drafts (id, flow, answers, updated_at) VALUES ('d1', 'red-flags', '{}', :at)"),
            {"at": dt.datetime(2026, 11, 1, 12, 0)},
        )
        conn.execute(
            sa.text("INSERT INTO counsellors (username, password_hash, created_at) VALUES ('sam', 'hash', :at)"),
            {"at": dt.datetime(2026, 1, 1)},
        )
    engine.dispose()
    command.upgrade(config, "head")
    store = Store(url)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM drafts")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT ruleset_id FROM ruleset_versions")).scalar_one() == "red-flags"
        assert conn.execute(sa.text("SELECT password_hash FROM counsellors")).scalar_one() == "hash"
    store.dispose()


def test_concurrent_writes_to_sqlite_do_not_fail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    upgrade(url)
    code = (
        "import sys; from webapp.storage import Store, RulesetVersion, new_id; s = Store(sys.argv[1])\n"
        "v = new_id(); s.create_visit(v); version = RulesetVersion('k', 'r', 'h', 't', {})\n"
        "for i in range(60):\n"
        "    s.save_result(v, new_id(), submission=new_id(), sealed=b'x', version=version)\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [w.communicate()[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar_one() == 240
