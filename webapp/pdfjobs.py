"""PDF summaries are made off the request path.

"Download PDF" on a result gives the summary at once when it is cached; otherwise the request
hands a render job over — to the Redis queue that `rekindle worker` processes read
(webapp/pdfqueue.py) when REKINDLE_REDIS_URL is set and a worker listens, else to this
server's own small pool (webapp/renderpool.py) — and answers with a page that says the
summary is being made and refreshes itself until it is ready (webapp/results.py).

Whatever runs a job does the same thing (`Renderer.run`): it opens the stored answers with
the visit's key, which the job carries only in memory (and, on the Redis path, sealed with a
key derived from the app's secret), renders in a forked process stopped at
REKINDLE_PDF_TIMEOUT with the same no-fetch fetcher as everywhere, and stores the PDF in the
cache sealed with the visit's key like every answer.

Which summaries are being made is kept in the database (`pdf_jobs`), the one thing every web
worker, app instance and render worker shares, so a refresh that lands on another worker or
machine knows, and one request of many hands a job over. A row holds ids, a state and times:
no answers and no key. It goes with its result (ON DELETE CASCADE), so a job whose result was
deleted meanwhile finds no row and is dropped without rendering.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp import crypto
from webapp.schema import now, pdf_cache, pdf_jobs
from webapp.storage import Store, StoredResult

log = logging.getLogger(__name__)

QUEUED, RENDERING, FAILED = "queued", "rendering", "failed"
LOCAL, REDIS = "local", "redis"
RENDER_NICENESS = 10  # a render process yields the cores to page requests when both want them
QUEUE_PATIENCE = dt.timedelta(minutes=3)  # a job queued longer was lost (a worker restarted, Redis emptied)
RENDER_GRACE = dt.timedelta(seconds=30)  # beyond the time limit, before a rendering job counts as lost


@dataclass(frozen=True)
class RenderJob:
    """What a render needs: ids, and the visit's key (in memory only; never logged)."""

    visit_id: str
    key: bytes = field(repr=False)
    result_id: str
    version_key: str


@dataclass(frozen=True)
class JobState:
    """Where a summary's job stands."""

    state: str
    reason: str | None
    via: str | None
    updated_at: dt.datetime

    def lost(self, pdf_timeout: float) -> bool:
        """Give whether the job will never finish: queued or rendering for far too long."""
        age = now() - self.updated_at
        if self.state == QUEUED:
            return age > QUEUE_PATIENCE
        return self.state == RENDERING and age > dt.timedelta(seconds=pdf_timeout) + RENDER_GRACE

    def needs_retry(self, pdf_timeout: float) -> bool:
        """Give whether the person should be offered to try again."""
        return self.state == FAILED or self.lost(pdf_timeout)


class JobBook:
    """The `pdf_jobs` table: which summaries are wanted, being made, or failed."""

    def __init__(self, engine: sa.Engine, pdf_timeout: float) -> None:
        self.engine = engine
        self.pdf_timeout = pdf_timeout

    def _where(self, result_id: str, version_key: str) -> tuple[sa.ColumnElement[bool], ...]:
        return (pdf_jobs.c.result_id == result_id, pdf_jobs.c.version_key == version_key)

    def claim(self, result_id: str, version_key: str, via: str) -> bool:
        """Record a job as queued; give True to the one caller that should hand it over.

        A job that failed or was lost is queued again (a retry); one queued or rendering is left
        alone, so many requests for the same summary make one job.
        """
        at = now()
        retry = sa.or_(
            pdf_jobs.c.state == FAILED,
            sa.and_(pdf_jobs.c.state == QUEUED, pdf_jobs.c.updated_at < at - QUEUE_PATIENCE),
            sa.and_(
                pdf_jobs.c.state == RENDERING,
                pdf_jobs.c.updated_at < at - dt.timedelta(seconds=self.pdf_timeout) - RENDER_GRACE,
            ),
        )
        values = {"state": QUEUED, "reason": None, "via": via, "updated_at": at}
        with self.engine.begin() as conn:
            if conn.execute(
                pdf_jobs.update().where(*self._where(result_id, version_key), retry).values(**values)
            ).rowcount:
                return True
            if conn.execute(sa.select(pdf_jobs.c.state).where(*self._where(result_id, version_key))).first():
                return False
        try:
            with self.engine.begin() as conn:
                conn.execute(pdf_jobs.insert().values(result_id=result_id, version_key=version_key, **values))
        except sa.exc.IntegrityError:
            return False  # another request queued it first, or the result was deleted meanwhile
        return True

    def handed(self, result_id: str, version_key: str, via: str) -> None:
        """Note where a queued job went (after falling back from Redis to this server's pool)."""
        with self.engine.begin() as conn:
            conn.execute(
                pdf_jobs.update()
                .where(*self._where(result_id, version_key), pdf_jobs.c.state == QUEUED)
                .values(via=via)
            )

    def start(self, result_id: str, version_key: str) -> bool:
        """Mark a job as rendering; give False when it is no longer wanted (its result is gone)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                pdf_jobs.update()
                .where(*self._where(result_id, version_key), pdf_jobs.c.state != RENDERING)
                .values(state=RENDERING, reason=None, updated_at=now())
            )
        return bool(done.rowcount)

    def fail(self, result_id: str, version_key: str, reason: str) -> None:
        """Mark a job as failed, so the person is offered to try again."""
        with self.engine.begin() as conn:
            conn.execute(
                pdf_jobs.update()
                .where(*self._where(result_id, version_key))
                .values(state=FAILED, reason=reason, updated_at=now())
            )

    def finish(self, result_id: str, version_key: str) -> None:
        """Forget a job: its PDF is in the cache, or its result is gone."""
        with self.engine.begin() as conn:
            conn.execute(pdf_jobs.delete().where(*self._where(result_id, version_key)))

    def status(self, result_id: str, version_key: str) -> JobState | None:
        """Give where a summary's job stands, or None when there is none."""
        query = sa.select(pdf_jobs.c.state, pdf_jobs.c.reason, pdf_jobs.c.via, pdf_jobs.c.updated_at).where(
            *self._where(result_id, version_key)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else JobState(row.state, row.reason, row.via, row.updated_at)


def scorer_for(stored: StoredResult, cache: dict[str, Any]) -> Any:
    """Give the Scorer for the exact rule-set version a result used, built once per version."""
    from assessments import Questionnaire, RuleSet, Scorer, read_source

    scorer = cache.get(stored.version_key)
    if scorer is None:
        ruleset = read_source(stored.ruleset_text.encode(), Path(f"{stored.ruleset_id}.yaml")).model
        questionnaires = [
            read_source(item["text"].encode(), Path(f"{qid}.yaml")).model for qid, item in stored.questionnaires.items()
        ]
        assert isinstance(ruleset, RuleSet) and all(isinstance(q, Questionnaire) for q in questionnaires)
        scorer = Scorer(
            ruleset,
            questionnaires,  # type: ignore[arg-type]
            ruleset_hash=stored.ruleset_hash,
            questionnaire_hashes={qid: item["hash"] for qid, item in stored.questionnaires.items()},
        )
        cache[stored.version_key] = scorer
    return scorer


class Renderer:
    """Runs render jobs against one database: a server's pool uses one, and so does each `rekindle worker`."""

    def __init__(self, store: Store, *, pdf_timeout: float, retention: dt.timedelta) -> None:
        self.store = store
        self.book = JobBook(store.engine, pdf_timeout)
        self.pdf_timeout = pdf_timeout
        self.retention = retention
        self.scorers: dict[str, Any] = {}

    def run(self, job: RenderJob) -> str:
        """Make one summary and cache it; give what happened: done, dropped, timeout or failed.

        Never raises: a failure is written down for the person (who is offered to try again)
        and logged by its kind only — never an id, an answer or the key.
        """
        started = time.perf_counter()
        try:
            outcome = self._run(job)
        except Exception as error:  # the database went away, or something unforeseen
            cause = getattr(error, "orig", None) or error
            log.error("PDF summary failed: %s (%s)", type(error).__name__, type(cause).__name__)
            try:
                self.book.fail(job.result_id, job.version_key, "failed")
            except Exception as again:
                log.error("PDF summary failure could not be recorded: %s", type(again).__name__)
            return "failed"
        log.info("PDF summary %s in %.2f s", outcome, time.perf_counter() - started)
        return outcome

    def _run(self, job: RenderJob) -> str:
        from reports import RenderFailed, RenderTimeout, render_in_worker, render_pdf
        from webapp.visits import pdf_context, result_context

        if not self.book.start(job.result_id, job.version_key):
            return "dropped"  # deleted meanwhile (exit, "Delete my answers", expiry) or already made
        stored = self.store.load_result(job.visit_id, job.result_id, retention=self.retention)
        if stored is None or stored.version_key != job.version_key:
            self.book.finish(job.result_id, job.version_key)
            return "dropped"
        try:
            answers = crypto.unseal_json(job.key, stored.sealed, result_context(job.visit_id, job.result_id))
        except crypto.Unreadable:
            self.book.finish(job.result_id, job.version_key)
            return "dropped"
        scorer = scorer_for(stored, self.scorers)
        result = scorer.score(answers)
        questionnaires = list(scorer.questionnaires)
        try:
            body = render_in_worker(
                lambda: render_pdf(result, scorer.ruleset, questionnaires, generated_at=stored.created_at),
                timeout=self.pdf_timeout,
                niceness=RENDER_NICENESS,
            )
        except RenderTimeout:
            log.warning("PDF summary stopped at the time limit (%g s)", self.pdf_timeout)
            self.book.fail(job.result_id, job.version_key, "timeout")
            return "timeout"
        except RenderFailed as error:
            log.error("PDF summary failed in its render process: %s", error)  # the exception's class only
            self.book.fail(job.result_id, job.version_key, "failed")
            return "failed"
        sealed = crypto.seal(job.key, body, pdf_context(job.visit_id, job.result_id, job.version_key))
        with self.store.engine.begin() as conn:  # a cached copy that did not open with the key is replaced
            conn.execute(
                pdf_cache.delete().where(
                    pdf_cache.c.result_id == job.result_id, pdf_cache.c.version_key == job.version_key
                )
            )
        self.store.cache_pdf(job.result_id, job.version_key, sealed)  # a result deleted meanwhile refuses it
        self.book.finish(job.result_id, job.version_key)
        return "done"


class Summaries:
    """The app's way to get summaries made: claim a job once, hand it to Redis or to this server's pool."""

    def __init__(self, book: JobBook, pool: Any, redis_queue: Any | None) -> None:
        self.book = book
        self.pool = pool  # webapp.renderpool.LocalPool
        self.redis_queue = redis_queue  # webapp.pdfqueue.RedisQueue, when REKINDLE_REDIS_URL is set

    def request(self, job: RenderJob) -> None:
        """Get a summary made unless it is already queued or being made."""
        via = REDIS if self.redis_queue is not None and self.redis_queue.ready() else LOCAL
        if not self.book.claim(job.result_id, job.version_key, via):
            return
        self._hand_over(job, via)

    def _hand_over(self, job: RenderJob, via: str) -> None:
        if via == REDIS and self.redis_queue is not None:
            if self.redis_queue.submit(job):
                return
            self.book.handed(job.result_id, job.version_key, LOCAL)  # Redis failed: this server makes it
        if not self.pool.submit(job):
            self.book.fail(job.result_id, job.version_key, "busy")

    def status(self, job: RenderJob) -> JobState | None:
        """Give where a summary's job stands; a job waiting in Redis while Redis is away is made here instead."""
        found = self.book.status(job.result_id, job.version_key)
        if (
            found is not None
            and found.state == QUEUED
            and found.via == REDIS
            and self.redis_queue is not None
            and not self.redis_queue.ready()
        ):
            self.book.handed(job.result_id, job.version_key, LOCAL)
            self._hand_over(job, LOCAL)
            found = self.book.status(job.result_id, job.version_key)
        return found


def init_app(app: Any) -> None:
    """Set up the app's summaries: this server's pool, and the Redis queue when REKINDLE_REDIS_URL is set."""
    from webapp import retention
    from webapp.renderpool import LocalPool
    from webapp.serving import cores

    store: Store = app.extensions["rekindle"].store
    pdf_timeout = float(app.config["REKINDLE_PDF_TIMEOUT"])
    keep = retention(app)
    # renders run at a lower CPU priority, so a slot per core costs pages little (CFS weighs a
    # nice-10 process at about a tenth of a page's) and keeps summaries coming on a busy machine
    slots = int(app.config["REKINDLE_PDF_RENDERS"] or cores())
    pool = LocalPool(lambda: Renderer(store, pdf_timeout=pdf_timeout, retention=keep), Path(app.instance_path), slots)
    redis_queue = None
    if app.config["REKINDLE_REDIS_URL"]:
        from webapp.pdfqueue import RedisQueue

        redis_queue = RedisQueue(
            str(app.config["REKINDLE_REDIS_URL"]),
            str(app.config["SECRET_KEY"]),
            name=str(app.config["REKINDLE_PDF_QUEUE"]),
            pdf_timeout=pdf_timeout,
        )
        redis_queue.ready()  # says in the log at start-up whether Redis answers and a worker listens
    app.extensions["rekindle_pdf"] = Summaries(JobBook(store.engine, pdf_timeout), pool, redis_queue)
