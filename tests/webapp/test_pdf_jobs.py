"""Which summaries are being made, on SQLite and PostgreSQL: one job per summary however many ask,
a failed or lost job is queued again, and a job goes with its result."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from tests.webapp.test_storage import LONG, _save, _visit
from webapp.pdfjobs import FAILED, LOCAL, QUEUE_PATIENCE, QUEUED, RENDERING, JobBook
from webapp.schema import now, pdf_jobs, results
from webapp.storage import Store, upgrade


def _book(url: str) -> tuple[Store, JobBook]:
    upgrade(url)
    store = Store(url)
    return store, JobBook(store.engine, pdf_timeout=20)


def test_one_job_per_summary_however_many_ask_at_once(url: str) -> None:
    store, book = _book(url)
    result_id = _save(store, _visit(store))
    start = threading.Barrier(8)
    claimed: list[bool] = []

    def claim() -> None:
        start.wait()
        claimed.append(book.claim(result_id, "v1", LOCAL))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [False] * 7 + [True]
    status = book.status(result_id, "v1")
    assert status is not None and (status.state, status.via) == (QUEUED, LOCAL)
    store.dispose()


def test_a_failed_or_lost_job_is_queued_again_and_a_running_one_is_left_alone(url: str) -> None:
    store, book = _book(url)
    result_id = _save(store, _visit(store))
    assert book.claim(result_id, "v1", LOCAL)
    assert book.start(result_id, "v1") and not book.start(result_id, "v1")  # one render at a time
    assert not book.claim(result_id, "v1", LOCAL)  # being made: nothing to do
    book.fail(result_id, "v1", "timeout")
    status = book.status(result_id, "v1")
    assert status is not None and status.needs_retry(20) and status.reason == "timeout"
    assert book.claim(result_id, "v1", LOCAL)  # "Try again"
    with store.engine.begin() as conn:  # queued long ago, by a worker that has since stopped
        conn.execute(pdf_jobs.update().values(updated_at=now() - QUEUE_PATIENCE - dt.timedelta(seconds=1)))
    lost = book.status(result_id, "v1")
    assert lost is not None and lost.state == QUEUED and lost.lost(20) and lost.needs_retry(20)
    assert book.claim(result_id, "v1", LOCAL)
    assert book.start(result_id, "v1")
    with store.engine.begin() as conn:  # rendering for longer than the time limit and its grace
        conn.execute(pdf_jobs.update().values(updated_at=now() - dt.timedelta(seconds=51)))
    stuck = book.status(result_id, "v1")
    assert stuck is not None and stuck.state == RENDERING and stuck.lost(20)
    book.finish(result_id, "v1")
    assert book.status(result_id, "v1") is None
    store.dispose()


def test_a_job_goes_with_its_result(url: str) -> None:
    store, book = _book(url)
    visit_id, other = _visit(store), _visit(store)
    deleted, expired, kept = _save(store, visit_id), _save(store, other), _save(store, other)
    for result_id in (deleted, expired, kept):
        assert book.claim(result_id, "v1", LOCAL)
    store.delete_visit(visit_id)
    assert book.status(deleted, "v1") is None and not book.start(deleted, "v1")  # dropped, not rendered
    with store.engine.begin() as conn:
        conn.execute(results.update().where(results.c.id == expired).values(created_at=dt.datetime(2020, 1, 1)))
    store.purge(retention=LONG, draft_idle=dt.timedelta(hours=1))
    assert book.status(expired, "v1") is None
    assert book.status(kept, "v1") is not None
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(pdf_jobs)).scalar_one() == 1
    book.fail(kept, "v1", "failed")
    found = book.status(kept, "v1")
    assert found is not None and found.state == FAILED
    store.dispose()
