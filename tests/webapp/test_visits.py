"""A visit is the unit of privacy: its rows go together, only its cookie opens them, and what is
stored is sealed — checked on SQLite files and PostgreSQL pages, not only through the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.flow import complete, csrf_token, download_summary
from webapp import create_app
from webapp.schema import drafts, pdf_cache, results, visits

MARKER = "MARKER-7f3a9c-my-private-note"


@pytest.fixture
def db_app(url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url})
    yield app
    app.extensions["rekindle"].store.dispose()


def visit_of(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        found: str = session["visit"]
    return found


def rows_of(app: Flask, visit_id: str) -> dict[str, int]:
    """Count every row that belongs to a visit, table by table."""
    engine = app.extensions["rekindle"].store.engine
    mine = sa.select(results.c.id).where(results.c.visit_id == visit_id)
    counts = {}
    with engine.connect() as conn:
        for name, table, where in [
            ("visits", visits, visits.c.id == visit_id),
            ("drafts", drafts, drafts.c.visit_id == visit_id),
            ("results", results, results.c.visit_id == visit_id),
            ("pdf_cache", pdf_cache, pdf_cache.c.result_id.in_(mine)),
        ]:
            counts[name] = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
    return counts


def answer_first_page(client: FlaskClient, flow_id: str, data: dict[str, str]) -> Any:
    page = client.get(f"/check/{flow_id}/1")
    return client.post(f"/check/{flow_id}/1", data={"csrf_token": csrf_token(page.data), **data})


def test_a_visit_with_eight_results_deletes_all_of_them_with_its_drafts_and_pdfs(db_app: Flask) -> None:
    client = db_app.test_client()
    flows = db_app.extensions["rekindle"].flows
    urls = [complete(client, flows["red-flags"], {"red-flags": {"blocked": "yes"}}).request.path for _ in range(8)]
    assert len(set(urls)) == 8
    assert download_summary(client, urls[0]).status_code == 200  # a cached PDF too
    answer_first_page(client, "motivation-check", {})  # and a draft of another check in progress
    visit_id = visit_of(client)
    assert rows_of(db_app, visit_id) == {"visits": 1, "drafts": 1, "results": 8, "pdf_cache": 1}
    page = client.get(urls[3])
    assert client.post(f"{urls[3]}/delete", data={"csrf_token": csrf_token(page.data)}).location == "/deleted"
    assert rows_of(db_app, visit_id) == {"visits": 0, "drafts": 0, "results": 0, "pdf_cache": 0}
    assert all(client.get(url).status_code == 404 for url in urls)


def test_starting_a_second_check_keeps_the_first(db_app: Flask) -> None:
    client = db_app.test_client()
    answer_first_page(client, "red-flags", {"q_blocked": "yes"})
    answer_first_page(client, "motivation-check", {})
    html = client.get("/check/red-flags/1").data.decode()
    assert 'name="q_blocked" type="radio" value="yes" checked' in html
    assert "Check your answers" in client.get("/check/red-flags/review").data.decode()


def test_exit_deletes_every_row_and_a_copied_cookie_then_opens_nothing(db_app: Flask) -> None:
    client = db_app.test_client()
    flows = db_app.extensions["rekindle"].flows
    url = complete(client, flows["red-flags"], {"red-flags": {"blocked": "yes"}}).request.path
    answer_first_page(client, "red-flags", {"q_blocked": "yes"})
    copy = db_app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy.set_cookie("session", cookie.value)
    assert copy.get(url).status_code == 200  # the copy works while the visit lasts
    visit_id = visit_of(client)
    client.post("/exit", data={"csrf_token": csrf_token(client.get("/").data)})
    assert rows_of(db_app, visit_id) == {"visits": 0, "drafts": 0, "results": 0, "pdf_cache": 0}
    assert copy.get(url).status_code == 404
    assert copy.get("/check/red-flags/review").location == "/"
    assert " checked" not in copy.get("/check/red-flags/1").data.decode()
    # saving with the copied cookie starts a new visit with a new key; the old one does not come back
    answer_first_page(copy, "red-flags", {"q_blocked": "no"})
    assert visit_of(copy) != visit_id and rows_of(db_app, visit_id)["visits"] == 0


def test_delete_my_answers_leaves_a_copied_cookie_nothing(db_app: Flask) -> None:
    client = db_app.test_client()
    response = complete(client, db_app.extensions["rekindle"].flows["red-flags"], {"red-flags": {"blocked": "yes"}})
    copy = db_app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    client.post(f"{response.request.path}/delete", data={"csrf_token": csrf_token(response.data)})
    assert copy.get(response.request.path).status_code == 404
    assert copy.get(f"{response.request.path}/summary.pdf").status_code == 404


def test_exit_by_link_or_from_another_site_deletes_nothing_but_forgets_the_key(db_app: Flask) -> None:
    client = db_app.test_client()
    answer_first_page(client, "red-flags", {"q_blocked": "yes"})
    visit_id = visit_of(client)
    link = client.get("/exit")
    assert link.status_code == 303 and link.location == "https://www.bbc.co.uk/weather"
    assert rows_of(db_app, visit_id)["drafts"] == 1  # a GET (any site can link to it) deletes nothing
    assert " checked" not in client.get("/check/red-flags/1").data.decode()  # but the cookie's key is gone

    other = db_app.test_client()
    answer_first_page(other, "red-flags", {"q_blocked": "yes"})
    other_visit = visit_of(other)
    forged = other.post("/exit", data={"csrf_token": "made-up-elsewhere"})
    assert forged.status_code == 303 and rows_of(db_app, other_visit)["drafts"] == 1


def _raw_sqlite(path: Path) -> bytes:
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def _raw_postgres(app: Flask) -> bytes:
    """Every page of the app's tables and their TOAST tables, dead rows included, via pageinspect."""
    engine = app.extensions["rekindle"].store.engine
    with engine.begin() as conn:
        try:
            with conn.begin_nested():
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect WITH SCHEMA public"))
        except sa.exc.IntegrityError:
            pass  # another test created it at the same moment
        conn.execute(sa.text("CHECKPOINT"))
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        relations = conn.execute(
            sa.text(
                "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = :schema AND c.relkind = 'r'"
                " UNION SELECT t.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " JOIN pg_class t ON t.oid = c.reltoastrelid WHERE n.nspname = :schema"
            ),
            {"schema": schema},
        ).scalars()
        raw = b""
        for relation in relations:
            size = conn.execute(sa.text("SELECT pg_relation_size(CAST(:r AS regclass))"), {"r": relation}).scalar_one()
            for block in range(size // 8192):
                page = conn.execute(sa.text("SELECT public.get_raw_page(:r, :b)"), {"r": relation, "b": block})
                raw += bytes(page.scalar_one())
    return raw


def raw_database(app: Flask) -> bytes:
    """Give the database's bytes as they lie on disk (SQLite files) or in its table pages (PostgreSQL)."""
    url = app.config["REKINDLE_DATABASE_URL"]
    if url.startswith("sqlite"):
        return _raw_sqlite(Path(sa.engine.make_url(url).database or ""))
    return _raw_postgres(app)


def test_a_marker_answer_is_never_in_the_raw_database_stored_or_deleted(db_app: Flask) -> None:
    # a control, stored in clear on purpose, shows that the raw bytes read are the ones written
    control = "CONTROL-5d1e-visible-on-purpose"
    db_app.extensions["rekindle"].accounts.add(control, "not a real hash")
    client = db_app.test_client()
    flow = db_app.extensions["rekindle"].flows["red-flags"]
    index = next(i for i, p in enumerate(flow.pages) if any(q.id == "notes" for q in p.questions)) + 1
    page = client.get(f"/check/red-flags/{index}")
    client.post(f"/check/red-flags/{index}", data={"csrf_token": csrf_token(page.data), "q_notes": MARKER})
    raw = raw_database(db_app)
    assert control.encode() in raw
    assert MARKER.encode() not in raw  # the draft, sealed
    review = client.get("/check/red-flags/review")
    assert MARKER in review.data.decode()  # the visit itself can read it
    shown = client.get(client.post("/check/red-flags/review", data={"csrf_token": csrf_token(review.data)}).location)
    assert download_summary(client, shown.request.path).status_code == 200
    assert MARKER.encode() not in raw_database(db_app)  # the result and the cached PDF, sealed
    client.post(f"{shown.request.path}/delete", data={"csrf_token": csrf_token(shown.data)})
    raw = raw_database(db_app)
    assert control.encode() in raw and MARKER.encode() not in raw  # and after deletion


def test_sqlite_files_and_the_instance_folder_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REKINDLE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REKINDLE_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    client = app.test_client()
    answer_first_page(client, "red-flags", {"q_blocked": "yes"})
    database = Path(app.instance_path) / "rekindle.sqlite"
    found = {p.name: p.stat().st_mode & 0o777 for p in Path(app.instance_path).glob("rekindle.sqlite*")}
    assert found == {"rekindle.sqlite": 0o600, "rekindle.sqlite-wal": 0o600, "rekindle.sqlite-shm": 0o600}
    assert Path(app.instance_path).stat().st_mode & 0o777 == 0o700
    with app.extensions["rekindle"].store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
    assert database.exists()
    app.extensions["rekindle"].store.dispose()


def test_an_expired_draft_or_result_is_never_shown_and_is_deleted_when_asked_for(db_app: Flask) -> None:
    import datetime as dt

    client = db_app.test_client()
    flows = db_app.extensions["rekindle"].flows
    url = complete(client, flows["red-flags"], {"red-flags": {"blocked": "yes"}}).request.path
    answer_first_page(client, "red-flags", {"q_blocked": "yes"})
    visit_id = visit_of(client)
    long_ago = dt.datetime(2020, 1, 1)
    with db_app.extensions["rekindle"].store.engine.begin() as conn:
        conn.execute(results.update().where(results.c.visit_id == visit_id).values(created_at=long_ago))
        conn.execute(drafts.update().where(drafts.c.visit_id == visit_id).values(updated_at=long_ago))
    assert client.get(url).status_code == 404
    assert " checked" not in client.get("/check/red-flags/1").data.decode()
    assert rows_of(db_app, visit_id) == {"visits": 1, "drafts": 0, "results": 0, "pdf_cache": 0}
