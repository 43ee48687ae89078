"""When storage fails, the page says exactly what was and was not kept, and a failed delete
offers to try again. Failures are real: the database itself refuses (a trigger raising the
error a full disk gives, or a dropped table), on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.flow import complete, csrf_token
from tests.webapp.test_visits import rows_of, visit_of
from webapp import create_app

EARLIER_KEPT = "What you entered on this page was not saved. Your earlier answers are still here."


@pytest.fixture
def db_app(url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url})
    yield app
    app.extensions["rekindle"].store.dispose()


def refuse(app: Flask, table: str, when: str) -> None:
    """Make the database refuse `when` (INSERT, UPDATE, DELETE) on `table` as a full disk would."""
    engine = app.extensions["rekindle"].store.engine
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_{table}_{when.lower()} BEFORE {when} ON {table}"
                " BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                " RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';"
                " END $$"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_{table}_{when.lower()} BEFORE {when} ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION disk_full()"
            )


def allow(app: Flask, table: str, when: str) -> None:
    """Take a refusal made by `refuse` away again."""
    engine = app.extensions["rekindle"].store.engine
    on = "" if engine.dialect.name == "sqlite" else f" ON {table}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TRIGGER refuse_{table}_{when.lower()}{on}")


def post_first_page(client: FlaskClient, data: dict[str, str]) -> tuple[int, str]:
    page = client.get("/check/red-flags/1")
    response = client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), **data})
    return response.status_code, response.data.decode()


def test_a_failed_save_says_the_page_was_not_saved_and_earlier_answers_are_kept(
    db_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = db_app.test_client()
    post_first_page(client, {"q_blocked": "no"})
    refuse(db_app, "drafts", "UPDATE")
    with caplog.at_level(logging.ERROR):
        code, html = post_first_page(client, {"q_blocked": "yes", "q_court_order": "yes"})
    assert code == 503
    assert EARLIER_KEPT in html
    assert 'name="q_court_order" type="radio" value="yes" checked' in html  # shown again to try once more
    assert "saving a page failed:" in caplog.text and ("disk is full" in caplog.text or "No space left" in caplog.text)
    assert "court" not in caplog.text and "blocked" not in caplog.text  # the cause, never the answers
    allow(db_app, "drafts", "UPDATE")
    html = client.get("/check/red-flags/1").data.decode()  # what was said is true: the earlier answer is there
    assert 'name="q_blocked" type="radio" value="no" checked' in html
    assert 'name="q_court_order" type="radio" value="yes" checked' not in html


def test_a_failed_first_save_does_not_claim_earlier_answers(db_app: Flask) -> None:
    refuse(db_app, "drafts", "INSERT")
    code, html = post_first_page(db_app.test_client(), {"q_blocked": "yes"})
    assert code == 503
    assert "What you entered on this page was not saved. Please try again in a few minutes." in html
    assert "earlier answers" not in html


def test_a_failed_submit_keeps_the_answers_and_says_so(db_app: Flask) -> None:
    client = db_app.test_client()
    post_first_page(client, {"q_blocked": "yes"})
    refuse(db_app, "results", "INSERT")
    review = client.get("/check/red-flags/review")
    failed = client.post("/check/red-flags/review", data={"csrf_token": csrf_token(review.data), "submission": ""})
    assert failed.status_code == 503
    assert "Your result could not be stored just now, so it is not shown. Your answers are still here" in (
        failed.data.decode()
    )
    assert rows_of(db_app, visit_of(client))["drafts"] == 1
    allow(db_app, "results", "INSERT")
    done = client.post("/check/red-flags/review", data={"csrf_token": csrf_token(failed.data)})
    assert done.status_code == 302 and client.get(done.location).status_code == 200


def test_a_failed_delete_says_so_and_offers_to_try_again(db_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client = db_app.test_client()
    shown = complete(client, db_app.extensions["rekindle"].flows["red-flags"], {"red-flags": {"blocked": "yes"}})
    refuse(db_app, "results", "DELETE")
    with caplog.at_level(logging.ERROR):
        failed = client.post(f"{shown.request.path}/delete", data={"csrf_token": csrf_token(shown.data)})
    html = failed.data.decode()
    assert failed.status_code == 503
    assert "<h1>Your answers were not deleted</h1>" in html and "They are still stored" in html
    assert (
        f'<form method="post" action="{shown.request.path}/delete"' in html and ">Try deleting again</button>" in html
    )
    assert "have not been lost" not in html and "deleting a visit failed:" in caplog.text
    visit_id = visit_of(client)
    assert rows_of(db_app, visit_id)["results"] == 1  # nothing half-deleted
    allow(db_app, "results", "DELETE")
    again = client.post(f"{shown.request.path}/delete", data={"csrf_token": csrf_token(failed.data)})
    assert again.location == "/deleted" and rows_of(db_app, visit_id)["visits"] == 0


def test_a_missing_table_gives_an_honest_503_page(db_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client = db_app.test_client()
    post_first_page(client, {"q_blocked": "yes"})
    with db_app.extensions["rekindle"].store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE drafts")
    with caplog.at_level(logging.ERROR):
        response = client.get("/check/red-flags/1")
    html = response.data.decode()
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "Sorry, we cannot reach our storage just now" in html and "Nothing could be saved or shown." in html
    assert "GET /check/<flow_id>/<int:number> failed: ProgrammingError" in caplog.text or (
        "GET /check/<flow_id>/<int:number> failed: OperationalError" in caplog.text
    )
    assert "Traceback" not in html
    engine = db_app.extensions["rekindle"].store.engine
    with pytest.raises(sa.exc.SQLAlchemyError), engine.connect() as conn:  # the failure was real
        conn.exec_driver_sql("SELECT count(*) FROM drafts")
