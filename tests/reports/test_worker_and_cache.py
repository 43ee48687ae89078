"""Rendering in a worker with a hard time limit, and the PDF cache that never mixes results up."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from flask import Flask

from reports import RenderFailed, RenderTimeout, render_in_worker
from tests.reports.test_render import text_of
from tests.webapp.flow import complete, csrf_token, download_summary
from webapp import create_app


def test_a_render_past_the_limit_is_stopped_and_the_caller_is_free() -> None:
    start = time.perf_counter()
    with pytest.raises(RenderTimeout, match=r"rendering took more than 0\.5 s and was stopped"):
        render_in_worker(lambda: time.sleep(30) or b"", timeout=0.5)
    assert time.perf_counter() - start < 5


def test_a_failing_render_says_so() -> None:
    with pytest.raises(RenderFailed, match="rendering failed: ZeroDivisionError"):
        render_in_worker(lambda: bytes(1 // 0), timeout=5)


def test_a_render_gives_its_bytes() -> None:
    assert render_in_worker(lambda: b"%PDF-1.7 fake", timeout=5) == b"%PDF-1.7 fake"


def _result(app: Flask, answers: dict[str, dict[str, str]]):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = complete(client, app.extensions["rekindle"].flows["red-flags"], answers)
    return client, page, page.request.path


def _visit_key(client) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    import base64

    with client.session_transaction() as session:
        return session["visit"], base64.urlsafe_b64decode(session["visit_key"])


def test_a_second_download_comes_from_the_cache_sealed_with_the_visit_key(app: Flask) -> None:
    from webapp import crypto
    from webapp.schema import pdf_cache

    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    first = download_summary(client, url).data
    store = app.extensions["rekindle"].store
    visit_id, key = _visit_key(client)
    result_id = url.rsplit("/", 1)[1]
    stored = store.load_result(visit_id, result_id, retention=dt.timedelta(days=1))
    sealed = store.cached_pdf(stored.id, stored.version_key)
    assert sealed is not None and first not in sealed and b"%PDF" not in sealed
    context = f"pdf:{visit_id}:{result_id}:{stored.version_key}".encode()
    assert crypto.unseal(key, sealed, context) == first
    with store.engine.begin() as conn:
        conn.execute(pdf_cache.update().values(sealed=crypto.seal(key, b"%PDF-cached-marker", context)))
    assert client.get(f"{url}/summary.pdf").data == b"%PDF-cached-marker"
    with store.engine.begin() as conn:  # a value that does not open with the key is never served
        conn.execute(pdf_cache.update().values(sealed=crypto.seal(crypto.new_key(), b"%PDF-forged", context)))
    assert download_summary(client, url).data.startswith(b"%PDF-1.")


def test_one_persons_pdf_is_never_served_for_another_result(app: Flask) -> None:
    first_client, _, first_url = _result(app, {"red-flags": {"blocked": "yes"}})
    second_client, _, second_url = _result(app, {"red-flags": {"threats": "yes"}})
    assert "Respect their wish" in text_of(download_summary(first_client, first_url).data)
    second = text_of(download_summary(second_client, second_url).data)
    assert "Put your safety first" in second and "Respect their wish" not in second
    assert second_client.get(f"{first_url}/summary.pdf").status_code == 404


def test_deleting_or_purging_a_result_removes_its_cached_pdf(app: Flask) -> None:
    client, page, url = _result(app, {"red-flags": {"blocked": "yes"}})
    download_summary(client, url)
    store = app.extensions["rekindle"].store
    result_id = url.rsplit("/", 1)[1]
    visit_id, _ = _visit_key(client)
    version = store.load_result(visit_id, result_id, retention=dt.timedelta(days=1)).version_key
    assert store.cached_pdf(result_id, version) is not None
    client.post(f"{url}/delete", data={"csrf_token": csrf_token(page.data)})
    assert store.cached_pdf(result_id, version) is None

    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    download_summary(client, url)
    result_id = url.rsplit("/", 1)[1]
    assert store.cached_pdf(result_id, version) is not None
    with store.engine.begin() as conn:
        from webapp.schema import results

        conn.execute(results.update().values(created_at=dt.datetime(2020, 1, 1)))
    store.purge(retention=dt.timedelta(days=30), draft_idle=dt.timedelta(hours=1))
    assert store.cached_pdf(result_id, version) is None


def test_a_render_past_the_time_limit_is_stopped_and_the_person_offered_a_retry(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'slow.sqlite'}",
            "REKINDLE_PDF_TIMEOUT": 0.01,
        }
    )
    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    response = download_summary(client, url)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    page = response.data.decode()
    assert "Your summary could not be made just now" in page and "Making it took too long and was stopped." in page
    assert f'<a class="button" href="{url}/summary.pdf">Try again</a>' in page
    assert "http-equiv" not in page  # a failed summary stops the refreshing
    app.extensions["rekindle"].store.dispose()


def test_a_failed_summary_is_made_again_when_the_person_tries_again(app: Flask) -> None:
    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    result_id = url.rsplit("/", 1)[1]
    store = app.extensions["rekindle"].store
    visit_id, _ = _visit_key(client)
    version = store.load_result(visit_id, result_id, retention=dt.timedelta(days=1)).version_key
    book = app.extensions["rekindle_pdf"].book
    assert book.claim(result_id, version, "local")  # as if a render had been handed over, then failed
    book.fail(result_id, version, "failed")
    failed = client.get(f"{url}/summary")
    assert failed.status_code == 503 and "Something stopped it from being made." in failed.data.decode()
    again = download_summary(client, url)  # "Try again" is the download link
    assert again.status_code == 200 and again.data.startswith(b"%PDF-1.")
    assert book.status(result_id, version) is None  # the job is forgotten once its PDF is cached


def test_many_requests_for_one_summary_make_one_job(app: Flask) -> None:
    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    answers = [client.get(f"{url}/summary.pdf") for _ in range(5)]
    assert {(a.status_code, a.location) for a in answers} == {(303, f"{url}/summary")}
    assert download_summary(client, url).data.startswith(b"%PDF-1.")
    pool = app.extensions["rekindle_pdf"].pool
    assert pool._jobs.qsize() == 0


def test_the_waiting_page_refreshes_itself_and_the_ready_page_downloads(app: Flask) -> None:
    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    result_id = url.rsplit("/", 1)[1]
    visit_id, _ = _visit_key(client)
    store = app.extensions["rekindle"].store
    version = store.load_result(visit_id, result_id, retention=dt.timedelta(days=1)).version_key
    app.extensions["rekindle_pdf"].book.claim(result_id, version, "local")  # queued, never handed over
    waiting = client.get(f"{url}/summary")
    assert waiting.status_code == 200 and waiting.headers["Cache-Control"] == "no-store"
    # reloaded every second without JavaScript; with it, static/summary.js asks in the background
    assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in waiting.data.decode()
    assert re.search(r'<script src="/static/summary\.[0-9a-f]{12}\.js" defer>', waiting.data.decode())
    assert "Your summary is being made" in waiting.data.decode()
    app.extensions["rekindle_pdf"].book.finish(result_id, version)
    assert download_summary(client, url).status_code == 200
    ready = client.get(f"{url}/summary").data.decode()
    assert f'<meta http-equiv="refresh" content="0; url={url}/summary.pdf">' in ready
    assert "Your summary is ready" in ready


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("timeout", "Making it took too long and was stopped."),
        ("busy", "Many summaries are being made at the moment."),
        ("restart", "The server restarted before it was made."),
        ("failed", "Something stopped it from being made."),
    ],
)
def test_a_failed_summary_says_why_and_offers_to_try_again(app: Flask, reason: str, said: str) -> None:
    client, _, url = _result(app, {"red-flags": {"blocked": "yes"}})
    result_id = url.rsplit("/", 1)[1]
    visit_id, _ = _visit_key(client)
    version = (
        app.extensions["rekindle"].store.load_result(visit_id, result_id, retention=dt.timedelta(days=1)).version_key
    )
    book = app.extensions["rekindle_pdf"].book
    book.claim(result_id, version, "local")
    book.fail(result_id, version, reason)
    page = client.get(f"{url}/summary")
    assert page.status_code == 503 and said in page.data.decode() and "Your result is safe." in page.data.decode()
    assert f'<a class="button" href="{url}/summary.pdf">Try again</a>' in page.data.decode()
