"""PDF summaries through Redis and `rekindle worker` (real Redis, real worker processes): a job
holds no answer and nothing of it stays in Redis; a job whose result was deleted is dropped; a
render past the time limit is stopped and offered again; Redis unreachable at start-up or going
away mid-run leaves the person with their PDF, made by the server's own pool."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from tests.tcpproxy import Proxy
from tests.webapp.flow import complete, csrf_token, download_summary
from webapp import create_app, crypto, retention
from webapp.pdfjobs import REDIS, RenderJob
from webapp.pdfqueue import open_job, perform, seal_job
from webapp.schema import pdf_cache

SECRET = "queue-tests-" + "s" * 32
MARKER = "marker-answer-8c1f"


def build(tmp_path: Path, redis: str, queue: str, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
            "REKINDLE_REDIS_URL": redis,
            "REKINDLE_PDF_QUEUE": queue,
            **extra,
        }
    )


@pytest.fixture
def queued_app(tmp_path: Path, redis_url: str, queue_name: str) -> Iterator[Flask]:
    app = build(tmp_path, redis_url, queue_name)
    yield app
    app.extensions["rekindle"].store.dispose()


def worker_env(app: Flask, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "REKINDLE_REDIS_URL": str(app.config["REKINDLE_REDIS_URL"]),
        "REKINDLE_PDF_QUEUE": str(app.config["REKINDLE_PDF_QUEUE"]),
        "REKINDLE_DATABASE_URL": str(app.config["REKINDLE_DATABASE_URL"]),
        "REKINDLE_SECRET_KEY": SECRET,
        "REKINDLE_INSTANCE": app.instance_path,
        **extra,
    }


def run_worker_once(app: Flask, **extra: str) -> str:
    """Run `rekindle worker --burst` (every job on the queue, then exit); give its log."""
    done = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "worker", "--burst"],
        env=worker_env(app, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def a_result(app: Flask) -> tuple[FlaskClient, str, RenderJob]:
    """Give a client whose visit has a result (with a marker among its answers), its path, and its render job."""
    client = app.test_client()
    answers = {"red-flags": {"blocked": "yes", "notes": MARKER}}
    path = complete(client, app.extensions["rekindle"].flows["red-flags"], answers).request.path
    with client.session_transaction() as session:
        visit_id, key = session["visit"], base64.urlsafe_b64decode(session["visit_key"])
    result_id = path.rsplit("/", 1)[1]
    stored = app.extensions["rekindle"].store.load_result(visit_id, result_id, retention=retention(app))
    return client, path, RenderJob(visit_id, key, result_id, stored.version_key)


def hand_to_redis(app: Flask, job: RenderJob) -> None:
    summaries = app.extensions["rekindle_pdf"]
    assert summaries.book.claim(job.result_id, job.version_key, REDIS)
    assert summaries.redis_queue.submit(job)


def everything_in(redis: Redis) -> bytes:
    """Give every key and value in this Redis database, whatever its type."""
    found = []
    for key in redis.scan_iter(count=1000):
        kind = redis.type(key)
        found.append(key)
        if kind == b"string":
            found.append(redis.get(key) or b"")
        elif kind == b"hash":
            found += [part for pair in redis.hgetall(key).items() for part in pair]
        elif kind == b"list":
            found += redis.lrange(key, 0, -1)
        elif kind == b"set":
            found += list(redis.smembers(key))
        elif kind == b"zset":
            found += redis.zrange(key, 0, -1)
        elif kind == b"stream":
            found += [repr(entry).encode() for entry in redis.xrange(key)]
    return b"\n".join(found)


def test_a_job_in_redis_holds_no_answer_and_nothing_of_it_stays(queued_app: Flask, redis_url: str) -> None:
    client, path, job = a_result(queued_app)
    hand_to_redis(queued_app, job)
    redis = Redis.from_url(redis_url)
    stored = everything_in(redis)
    mine = [
        key
        for key in redis.scan_iter("rq:job:*")
        if redis.hget(key, "origin") == queued_app.config["REKINDLE_PDF_QUEUE"].encode()
    ]
    assert len(mine) == 1  # the job is there, waiting
    for secret in (
        MARKER.encode(),
        job.key,
        base64.b64encode(job.key),
        base64.urlsafe_b64encode(job.key),
        job.visit_id.encode(),
        job.result_id.encode(),
    ):
        assert secret not in stored
    log = run_worker_once(queued_app)
    assert "PDF summary done" in log and MARKER not in log and job.result_id not in log
    assert not redis.exists(mine[0])  # deleted with its sealed payload as soon as it ended
    job_id = mine[0].decode().removeprefix("rq:job:")
    assert [key for key in redis.scan_iter(f"*{job_id}*")] == []  # no result, execution or registry entry
    pdf = download_summary(client, path)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-1.")


def test_a_job_whose_result_was_deleted_is_dropped_without_rendering(queued_app: Flask) -> None:
    client, path, job = a_result(queued_app)
    hand_to_redis(queued_app, job)
    page = client.get(path)
    assert client.post(f"{path}/delete", data={"csrf_token": csrf_token(page.data)}).status_code == 302
    log = run_worker_once(queued_app)
    assert "PDF summary dropped" in log and "PDF summary done" not in log
    with queued_app.extensions["rekindle"].store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(pdf_cache)).scalar_one() == 0


def test_a_render_past_the_time_limit_in_a_worker_is_stopped_and_offered_again(queued_app: Flask) -> None:
    client, path, job = a_result(queued_app)
    hand_to_redis(queued_app, job)
    log = run_worker_once(queued_app, REKINDLE_PDF_TIMEOUT="0.01")
    assert "PDF summary timeout" in log
    page = client.get(f"{path}/summary")
    assert page.status_code == 503 and "Making it took too long and was stopped." in page.data.decode()
    assert f'href="{path}/summary.pdf">Try again' in page.data.decode()


def test_jobs_open_only_with_the_apps_secret() -> None:
    job = RenderJob("visit", crypto.new_key(), "result", "version")
    sealed = seal_job(job, SECRET)
    assert open_job(sealed, SECRET) == job
    with pytest.raises(crypto.Unreadable):
        open_job(sealed, "another-secret-" + "x" * 32)
    assert perform(b"not a job") == "refused"  # a worker never raises, so RQ keeps nothing


def test_redis_unreachable_at_start_up_is_logged_and_the_pdf_made_here(
    tmp_path: Path, queue_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="webapp.pdfqueue"):
        app = build(tmp_path, "redis://:hunter2@127.0.0.1:9/0", queue_name)
    said = caplog.text
    assert "Redis at redis://:***@127.0.0.1:9/0 is not reachable" in said and "own pool" in said
    assert "hunter2" not in said
    client, path, _ = a_result(app)
    pdf = download_summary(client, path)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-1.")
    ready = client.get("/readyz")
    assert ready.status_code == 200 and "redis: unreachable" in ready.data.decode()
    app.extensions["rekindle"].store.dispose()


def test_redis_going_away_mid_run_is_logged_and_the_next_pdf_made_here(
    tmp_path: Path, redis_url: str, queue_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    upstream = Redis.from_url(redis_url).connection_pool.connection_kwargs
    proxy = Proxy(upstream.get("host", "127.0.0.1"), int(upstream.get("port", 6379)))
    db = upstream.get("db", 0)
    app = build(tmp_path, f"redis://127.0.0.1:{proxy.port}/{db}", queue_name)
    # a worker listens on the real server; the app reaches Redis through the proxy
    worker = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "worker"],
        env=worker_env(app, REKINDLE_REDIS_URL=redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        summaries = app.extensions["rekindle_pdf"]
        for _ in range(100):  # wait until the app sees the worker listening
            summaries.redis_queue._checked_at = -1e9
            if summaries.redis_queue.ready():
                break
            worker.poll()
            assert worker.returncode is None
            time.sleep(0.1)
        client, path, _ = a_result(app)
        assert download_summary(client, path).status_code == 200
        proxy.cut()  # Redis goes away between two PDFs
        with caplog.at_level(logging.WARNING, logger="webapp.pdfqueue"):
            client, path, _ = a_result(app)
            pdf = download_summary(client, path)
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-1.")
        # said when the job could not be queued, or (on a slow machine, once the periodic look is
        # due) when Redis was found unreachable before queueing
        assert "(ConnectionError" in caplog.text and "made by this server's own pool until it" in caplog.text
    finally:
        worker.terminate()
        log, _ = worker.communicate(timeout=30)
        app.extensions["rekindle"].store.dispose()
    assert log.count("PDF summary done") == 1  # the first by the worker, the second by the app's pool
