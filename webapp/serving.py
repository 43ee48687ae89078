"""How `rekindle serve` runs gunicorn: worker processes and threads sized for the machine.

A page takes a few milliseconds of Python, a little of it waiting on the database; a PDF
summary is never made on a request (webapp/pdfjobs.py). So the server needs about one
process per core to use the cores (Python runs one thread at a time per process), and a few
threads in each so that a request waiting on the database or on a slow client does not hold
up the next. bench/load.py measured the defaults (README, "Performance").
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from webapp.accesslog import FORMAT
from webapp.config import DEFAULTS

MIN_WORKERS = 2  # one process can restart (max-requests, a crash) while the other serves
DEFAULT_THREADS = 4
# An idle kept-alive connection costs a threaded worker nothing but a socket in its poller. Closing
# it sooner than the client (a load balancer keeps its connections for 60 s) races the client's
# next request on it: the request meets a closed socket and fails. So the server waits longer.
KEEP_ALIVE = 75


def sizes(cores: int, workers: int | None, threads: int | None) -> tuple[int, int]:
    """Give (worker processes, threads per process): the ones asked for, or the defaults for `cores`."""
    return (workers or max(MIN_WORKERS, cores), threads or DEFAULT_THREADS)


def pdf_timeout_problem(environ: Mapping[str, str], timeout: int) -> str | None:
    """Give why REKINDLE_PDF_TIMEOUT does not fit the server's timeout, or None when it does.

    A PDF is never made on a request, but it is made inside a web worker's process when there
    is no Redis; when gunicorn stops a worker (a restart, a deploy) it gives it `timeout`
    seconds to finish, and the summary being made must be able to finish within them.
    """
    raw = environ.get("REKINDLE_PDF_TIMEOUT", str(DEFAULTS["REKINDLE_PDF_TIMEOUT"]))
    try:
        pdf_timeout = float(raw)
    except ValueError:
        return f"REKINDLE_PDF_TIMEOUT must be a number of seconds, not {raw!r}"
    if not 0 < pdf_timeout < timeout:
        return (
            f"REKINDLE_PDF_TIMEOUT ({pdf_timeout:g} s) must be above 0 and below the web server's timeout"
            f" ({timeout} s): raise --timeout or lower REKINDLE_PDF_TIMEOUT"
        )
    return None


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int, timeout: int) -> list[str]:
    """Give the arguments after `python -m` that start gunicorn with these sizes."""
    return [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        str(timeout),
        "--keep-alive",
        str(KEEP_ALIVE),
        "--access-logfile",
        "-",
        # no sizes, addresses or full paths: they tell which options were chosen (webapp/accesslog.py)
        "--logger-class",
        "webapp.accesslog.PrivateAccessLog",
        "--access-logformat",
        FORMAT,
        "webapp.wsgi:app",
    ]


def cores() -> int:
    """Give the cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
