"""The library's documents on real databases (SQLite always, PostgreSQL when configured): versions,
stale saves, racing publishes, one published version per document, the append-only audit log."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from webapp import audit
from webapp.documents import DRAFT, IN_REVIEW, SUPERSEDED, Documents, LostRace, Stale
from webapp.schema import PUBLISHED, audit_log, document_versions
from webapp.storage import Store, upgrade

TEXT = "kind: ruleset\nid: mine\n"


@pytest.fixture
def documents(url: str) -> Iterator[Documents]:
    upgrade(url)
    found = Documents(Store(url).engine)
    yield found
    found.engine.dispose()


def test_saves_make_versions_and_a_stale_save_is_refused_with_the_newer_version(documents: Documents) -> None:
    first = documents.save("ruleset", "mine", TEXT, author="ann", based_on=0, origin="saved")
    second = documents.save("ruleset", "mine", TEXT + "# more\n", author="bo", based_on=1, origin="saved")
    assert (first.number, second.number, second.status) == (1, 2, DRAFT)
    with pytest.raises(Stale) as refused:  # ann opened v1 and saves after bo saved v2
        documents.save("ruleset", "mine", TEXT + "# mine\n", author="ann", based_on=1, origin="saved")
    assert refused.value.latest is not None and refused.value.latest.author == "bo"
    assert [v.status for v in documents.versions("ruleset", "mine")] == [
        DRAFT,
        SUPERSEDED,
    ]  # only the newest is a draft
    assert documents.version("ruleset", "mine", 2).text == TEXT + "# more\n"  # exactly as written
    with pytest.raises(Stale):  # a new document can be started once
        documents.save("ruleset", "mine", TEXT, author="cy", based_on=0, origin="saved")


def test_of_two_racing_publishes_exactly_one_wins_and_the_other_is_told(documents: Documents) -> None:
    a = documents.save("ruleset", "a", TEXT, author="ann", based_on=0, origin="saved")
    b = documents.save("ruleset", "b", TEXT, author="bo", based_on=0, origin="saved")
    seen = documents.generation()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(version: object) -> None:
        start.wait()
        try:
            documents.publish([version], actor="rae", seen=seen)  # type: ignore[list-item]
            outcomes.append("won")
        except LostRace:
            outcomes.append("told")

    threads = [threading.Thread(target=publish, args=(v,)) for v in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["told", "won"]
    assert documents.generation() == seen + 1
    assert len(documents.published()[1]) == 1


def test_a_document_has_one_published_version_and_rollback_finds_what_was_published_beside_it(
    documents: Documents,
) -> None:
    v1 = documents.save("ruleset", "mine", TEXT, author="ann", based_on=0, origin="saved")
    c1 = documents.save("scenarios", "mine", "kind: scenarios\n", author="ann", based_on=0, origin="saved")
    g1 = documents.publish([v1, c1], actor="rae", seen=documents.generation())
    v2 = documents.save("ruleset", "mine", TEXT + "# 2\n", author="ann", based_on=1, origin="saved")
    documents.submit([v2], actor="ann")
    assert documents.latest("ruleset", "mine").status == IN_REVIEW
    documents.publish([documents.latest("ruleset", "mine")], actor="rae", seen=g1)
    assert [v.status for v in documents.versions("ruleset", "mine")] == [PUBLISHED, SUPERSEDED]
    assert documents.current_at("scenarios", "mine", g1).number == 1
    assert documents.current_at("ruleset", "mine", g1).number == 1
    with pytest.raises(sa.exc.IntegrityError), documents.engine.begin() as conn:  # the database refuses two
        conn.execute(document_versions.update().where(document_versions.c.number == 1).values(status=PUBLISHED))
    with pytest.raises(LostRace):  # checked against an old generation: refused, nothing changed
        documents.retire([documents.current("ruleset", "mine")], actor="rae", seen=g1)
    documents.retire([documents.current("ruleset", "mine")], actor="rae", seen=documents.generation())
    assert documents.current("ruleset", "mine") is None


def test_the_audit_log_cannot_be_changed_or_deleted(documents: Documents) -> None:
    documents.save("ruleset", "mine", TEXT, author="ann", based_on=0, origin="saved")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), documents.engine.begin() as conn:
        conn.execute(audit_log.update().values(actor="someone else"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), documents.engine.begin() as conn:
        conn.execute(audit_log.delete())
    assert [(e.actor, e.action, e.version) for e in audit.entries(documents.engine)] == [("ann", "saved", 1)]


def test_the_audit_csv_never_hands_a_spreadsheet_a_formula(documents: Documents) -> None:
    with documents.engine.begin() as conn:
        audit.record(conn, "=HYPERLINK(1)", "sent back", kind="ruleset", name="mine", version=2, detail="+1, fine")
    lines = audit.as_csv(documents.engine).splitlines()
    assert lines[0] == "at,actor,action,kind,name,version,detail"
    assert lines[1].endswith(",'=HYPERLINK(1),sent back,ruleset,mine,2,\"'+1, fine\"")


def test_migration_0005_makes_earlier_accounts_admins_and_can_be_undone(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from webapp.storage import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "0004")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO counsellors (username, password_hash, created_at) VALUES ('sam', 'hash', :at)"),
            {"at": "2026-01-01 00:00:00"},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT role FROM counsellors")).scalar_one() == "admin"
        assert conn.execute(sa.text("SELECT generation FROM library_state")).scalar_one() == 0
    command.downgrade(config, "0004")
    command.upgrade(config, "head")  # and again: the downgrade left nothing behind
    engine.dispose()
