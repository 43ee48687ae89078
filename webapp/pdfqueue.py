"""PDF render jobs through Redis (RQ), for servers that share the work with `rekindle worker` processes.

A job in Redis holds one value: the render job (ids and the visit's key) sealed with AES-GCM
under a key derived from the app's secret (HKDF), so what sits in Redis — its memory, an RDB
or AOF file, a replica — opens nothing without the secret, and never holds an answer. The job
is deleted from Redis as soon as it ends: results are not kept (result_ttl=0), the job
function never raises (a failure is written in the database, webapp/pdfjobs.py, where the
person's page finds it), and a job nobody picked up expires after QUEUE_PATIENCE. Redis is a
place work passes through, never where answers live.

The app hands a job to the queue only when Redis answers and at least one worker listens on
the queue, checked at most every few seconds; otherwise it says so in its log and the job goes
to the server's own pool (webapp/renderpool.py), so the person still gets the PDF.
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from webapp import crypto
from webapp.pdfjobs import QUEUE_PATIENCE, Renderer, RenderJob

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "rekindle-pdf"
CHECK_EVERY = 5.0  # seconds between looks at whether Redis answers and a worker listens
_JOB_CONTEXT = b"rekindle-pdf-job"


def job_key(secret: str) -> bytes:
    """Give the key that seals render jobs in Redis, derived from the app's secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rekindle pdf job").derive(secret.encode())


def seal_job(job: RenderJob, secret: str) -> bytes:
    """Give a render job sealed for Redis."""
    plain = {
        "visit": job.visit_id,
        "key": base64.b64encode(job.key).decode(),
        "result": job.result_id,
        "version": job.version_key,
    }
    return crypto.seal_json(job_key(secret), plain, _JOB_CONTEXT)


def open_job(sealed: bytes, secret: str) -> RenderJob:
    """Give the render job in a sealed value (raises crypto.Unreadable for a wrong secret or altered bytes)."""
    plain = crypto.unseal_json(job_key(secret), sealed, _JOB_CONTEXT)
    return RenderJob(plain["visit"], base64.b64decode(plain["key"]), plain["result"], plain["version"])


def shown_url(url: str) -> str:
    """Give a Redis URL fit for a log line: any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisQueue:
    """The app's side of the queue: hand jobs over while Redis answers and a worker listens."""

    def __init__(self, url: str, secret: str, *, name: str, pdf_timeout: float) -> None:
        from redis import Redis
        from rq import Queue

        self.url = url
        self.secret = secret
        self.pdf_timeout = pdf_timeout
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        self.queue = Queue(name, connection=self.redis)
        self._checked_at = -CHECK_EVERY
        self._ready = False
        self._said = ""

    def ready(self) -> bool:
        """Give whether jobs should go to Redis now (looked at again every CHECK_EVERY seconds)."""
        if time.monotonic() - self._checked_at >= CHECK_EVERY:
            self._look()
        return self._ready

    def _look(self) -> None:
        from redis.exceptions import RedisError
        from rq import Worker

        self._checked_at = time.monotonic()
        try:
            self.redis.ping()
            workers = Worker.count(connection=self.redis, queue=self.queue)
        except RedisError as error:
            self._ready = False
            self._say(
                f"Redis at {shown_url(self.url)} is not reachable ({type(error).__name__}: {error}):"
                " PDF summaries are made by this server's own pool until it is"
            )
            return
        self._ready = workers > 0
        if self._ready:
            self._say(f"PDF summaries go to the Redis queue '{self.queue.name}' ({workers} worker(s) listening)")
        else:
            self._say(
                f"no `rekindle worker` listens on the Redis queue '{self.queue.name}': PDF summaries are made"
                " by this server's own pool until one does"
            )

    def _say(self, message: str) -> None:
        if message != self._said:  # once per change, not once per request
            (log.info if self._ready else log.warning)(message)
            self._said = message

    def submit(self, job: RenderJob) -> bool:
        """Put a job on the queue; give False (and stop using Redis for a while) when Redis fails."""
        from redis.exceptions import RedisError

        try:
            self.queue.enqueue(
                "webapp.pdfqueue.perform",
                seal_job(job, self.secret),
                description="PDF summary",  # RQ logs this, never the arguments
                job_timeout=int(self.pdf_timeout) + 60,  # the render itself is stopped at pdf_timeout
                result_ttl=0,
                failure_ttl=60,
                ttl=int(QUEUE_PATIENCE.total_seconds()),
            )
        except RedisError as error:
            self._ready = False
            self._checked_at = time.monotonic()
            self._say(
                f"Redis at {shown_url(self.url)} failed ({type(error).__name__}: {error}):"
                " PDF summaries are made by this server's own pool until it answers again"
            )
            return False
        return True

    def check(self) -> str:
        """Give "ok" when Redis answers, or what failed (for /readyz)."""
        from redis.exceptions import RedisError

        try:
            self.redis.ping()
        except RedisError as error:
            return f"unreachable ({type(error).__name__})"
        return "ok"


# --- the worker's side ------------------------------------------------------------------------

_renderer: tuple[int, Renderer, str] | None = None  # (pid, renderer, secret) of this worker process


def worker_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Give what a worker needs from the environment: the app's settings, database and secret."""
    from webapp.config import DEFAULTS, from_environment, instance_folder, secret_key_file

    settings = {**DEFAULTS, **from_environment(environ)}
    instance = instance_folder(environ)
    if not settings["REKINDLE_DATABASE_URL"]:
        settings["REKINDLE_DATABASE_URL"] = f"sqlite:///{instance / 'rekindle.sqlite'}"
    secret = settings.get("REKINDLE_SECRET_KEY")
    if not secret and secret_key_file(instance).exists():  # `rekindle serve` made one on this machine
        secret = secret_key_file(instance).read_text().strip()
    if not secret:
        raise RuntimeError(
            "REKINDLE_SECRET_KEY is not set: a worker needs the same secret as the app servers to open their jobs"
        )
    settings["REKINDLE_SECRET_KEY"] = secret
    return settings


def _make_renderer(settings: Mapping[str, Any]) -> Renderer:
    import datetime as dt

    from webapp.storage import Store

    return Renderer(
        Store(settings["REKINDLE_DATABASE_URL"]),
        pdf_timeout=float(settings["REKINDLE_PDF_TIMEOUT"]),
        retention=dt.timedelta(days=float(settings["REKINDLE_RETENTION_DAYS"])),
    )


def _this_workers_renderer() -> tuple[Renderer, str]:
    global _renderer
    if _renderer is None or _renderer[0] != os.getpid():  # e.g. under a plain `rq worker`
        settings = worker_settings(os.environ)
        _renderer = (os.getpid(), _make_renderer(settings), settings["REKINDLE_SECRET_KEY"])
    return _renderer[1], _renderer[2]


def perform(sealed: bytes) -> str:
    """The RQ job: open the sealed job and make the summary; never raises, so RQ keeps nothing."""
    try:
        renderer, secret = _this_workers_renderer()
        job = open_job(sealed, secret)
    except Exception as error:  # a job sealed with another secret, or a worker without its settings
        log.error("a PDF job could not be opened: %s", type(error).__name__)
        return "refused"
    return renderer.run(job)


def run_worker(environ: Mapping[str, str], *, burst: bool = False) -> None:
    """Run one RQ worker on the PDF queue until stopped (or, with burst, until the queue is empty)."""
    import click
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue, SimpleWorker

    from reports.render import warm_up
    from webapp.config import instance_folder
    from webapp.startup import startup_lock
    from webapp.storage import upgrade

    url = environ.get("REKINDLE_REDIS_URL")
    if not url:
        raise click.UsageError("REKINDLE_REDIS_URL is not set: a worker takes its jobs from Redis")
    try:
        settings = worker_settings(environ)
    except RuntimeError as error:
        raise click.UsageError(str(error)) from None
    redis = Redis.from_url(url)
    try:
        redis.ping()
    except RedisError as error:
        raise click.ClickException(f"Redis at {shown_url(url)} is not reachable: {error}") from None
    global _renderer
    with startup_lock(settings["REKINDLE_DATABASE_URL"], instance_folder(environ)):
        upgrade(settings["REKINDLE_DATABASE_URL"])  # a worker may start before any app server has
    _renderer = (os.getpid(), _make_renderer(settings), settings["REKINDLE_SECRET_KEY"])
    warm_up()  # once: every render forked from this process then starts warm
    name = environ.get("REKINDLE_PDF_QUEUE") or DEFAULT_QUEUE
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("weasyprint", "fontTools"):  # their progress lines say nothing a deployment needs
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # SimpleWorker runs each job in this process, which forks the render itself with the same
    # hard time limit as the web app's pool; RQ's own fork per job would only add a second one
    worker = SimpleWorker([Queue(name, connection=redis)], connection=redis)
    worker.work(burst=burst, logging_level="INFO", with_scheduler=False)
