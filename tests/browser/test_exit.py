"""Real Chromium: after "Exit this page" — the button, Shift three times, or the button without
JavaScript — Back, Forward and reload show no answer on a question page, check-your-answers or
the result, and the database holds no row of the visit.

It runs on the browser tests' SQLite server and, when REKINDLE_TEST_DATABASE_URL is set, on a
server of its own over a fresh PostgreSQL schema, since forgetting the visit is the database's
work. The other browser tests stay on SQLite only, to keep CI short."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.browser.conftest import ARGS, CHROMIUM, NEUTRAL, SECRET_KEY, server_settings
from tests.browser.helpers import answer_page
from tests.live import live_server
from tests.webapp.conftest import PG_URL, pg_schema_url

MARKER = "marker-note-4c1d"
ROUTES = ["button", "shift", "no-javascript"]


def session_of(page: Any) -> dict[str, Any]:
    """Read the browser's session cookie as the server would ({} when there is none)."""
    cookie = next((c["value"] for c in page.context.cookies() if c["name"] == "session"), None)
    if cookie is None:
        return {}
    app = Flask("read-cookie")
    app.secret_key = SECRET_KEY
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    found: dict[str, Any] = serializer.loads(cookie)
    return found


def rows_of(database_url: str, visit: str) -> int:
    """Count the rows of `visit` in the server's own database: its visit, drafts, results and PDFs."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "SELECT (SELECT count(*) FROM visits WHERE id = :v) + (SELECT count(*) FROM drafts"
                        " WHERE visit_id = :v) + (SELECT count(*) FROM results WHERE visit_id = :v)"
                        " + (SELECT count(*) FROM pdf_cache WHERE result_id IN"
                        " (SELECT id FROM results WHERE visit_id = :v))"
                    ),
                    {"v": visit},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def settled(page: Any) -> None:
    """Wait until the page has loaded, including any redirect or reload it leads to.

    A page the back/forward cache restores fires no load event, so the document is asked.
    """
    from playwright.sync_api import Error

    for _ in range(400):
        try:
            if page.evaluate("document.readyState") == "complete":
                time.sleep(0.05)
                if page.evaluate("document.readyState") == "complete":
                    return
        except Error:  # the context went with a navigation (a redirect, or the reload exit.js asks for)
            pass
        time.sleep(0.025)
    raise AssertionError(f"{page.url} did not finish loading")


def no_answer_shown(page: Any, where: str) -> None:
    """Fail if the page shows a chosen option, typed text, a summary of answers or a result."""
    settled(page)
    assert page.locator("input:checked:visible").count() == 0, f"{where}: a chosen option at {page.url}"
    typed = page.eval_on_selector_all(
        "input[type=text], textarea",
        "els => els.filter(e => e.checkVisibility({visibilityProperty: true})).map(e => e.value).join('')",
    )
    assert typed == "", f"{where}: typed text at {page.url}"
    assert MARKER not in page.inner_text("body"), f"{where}: {page.url}"
    assert page.locator(".summary-row:visible, .outcome-panel:visible").count() == 0, f"{where}: {page.url}"


def on_question_page(page: Any) -> None:
    """Answer the first page, come back to it, and choose more without saving: answers on screen."""
    page.goto("/check/red-flags/")
    answer_page(page, {"asked-no-contact": "yes"})
    page.click("text=Back")
    page.check("input[name='q_blocked'][value='yes']")
    assert page.locator("input:checked").count() == 2


def on_review(page: Any) -> None:
    """Type a note and reach check-your-answers, which lists it."""
    notes_page = next(
        n for n in range(1, 9) if page.goto(f"/check/red-flags/{n}") and page.locator("[name='q_notes']").count()
    )
    assert notes_page
    page.fill("[name='q_notes']", MARKER)
    page.click("main form button[type=submit]")
    page.goto("/check/red-flags/review")
    assert MARKER in page.content()


def on_result(page: Any) -> None:
    """Submit answers and be on the result page."""
    on_review(page)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/result/*")
    assert page.locator(".outcome-panel").count() == 1


def leave(page: Any, route: str) -> None:
    """Exit this page by one route and land on the neutral site (replacing the page, with JavaScript)."""
    history = page.evaluate("history.length") if route != "no-javascript" else None
    if route == "shift":
        page.locator("body").focus()
        for _ in range(3):
            page.keyboard.press("Shift")
    else:
        page.click("#exit-this-page")
    page.wait_for_url(NEUTRAL)
    if history is not None:
        assert page.evaluate("history.length") == history  # replaced, not pushed


@pytest.fixture(scope="module")
def real_back_button() -> Iterator[Any]:
    """Chromium with its back/forward cache on, as people have it (Playwright switches it off by default)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, ignore_default_args=["--disable-back-forward-cache"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Give a server's address and its database's URL: the shared SQLite server, or one started
    here over a fresh PostgreSQL schema (dropped, with the server stopped, after this module)."""
    if request.param == "sqlite":
        folder = request.getfixturevalue("server_folder")
        yield request.getfixturevalue("server"), f"sqlite:///{folder / 'browser.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("REKINDLE_TEST_DATABASE_URL is not set: PostgreSQL browser test skipped")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(contextlib.contextmanager(pg_schema_url)())
        running = stack.enter_context(live_server(tmp_path_factory.mktemp("exit-postgresql"), server_settings(url)))
        yield running.url, url


@pytest.mark.parametrize("route", ROUTES)
def test_after_exit_back_forward_and_reload_show_no_answers(real_back_button, served, route) -> None:  # type: ignore[no-untyped-def]
    server, database_url = served
    context = real_back_button.new_context(base_url=server, java_script_enabled=route != "no-javascript")
    context.route(
        "https://www.bbc.co.uk/**",
        lambda r: r.fulfill(status=200, content_type="text/html", body="<title>Weather</title><p>Weather</p>"),
    )
    page = context.new_page()
    for where, prepare in [
        ("question page", on_question_page),
        ("check your answers", on_review),
        ("result", on_result),
    ]:
        prepare(page)
        visit = session_of(page)["visit"]
        assert rows_of(database_url, visit) > 0
        leave(page, route)
        assert rows_of(database_url, visit) == 0, f"{route} from the {where} left rows behind"
        assert "visit" not in session_of(page)  # and the key is gone from the browser
        for step in range(3):
            page.go_back(wait_until="commit")  # a page from the back/forward cache fires no load event
            no_answer_shown(page, f"{route}, {where}, back {step + 1}")
            page.reload()
            no_answer_shown(page, f"{route}, {where}, back {step + 1} and reload")
        for step in range(3):
            page.go_forward(wait_until="commit")
            no_answer_shown(page, f"{route}, {where}, forward {step + 1}")
    context.close()
