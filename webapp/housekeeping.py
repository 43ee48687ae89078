"""Deleting what has expired while the server runs, not only at start-up.

Each serving process starts one daemon thread, on its first request (so a forked gunicorn
worker starts its own, and commands such as `rekindle purge` start none). The thread wakes
several times per REKINDLE_PURGE_INTERVAL_SECONDS and asks the database whether the purge is
due; a conditional UPDATE on one row (`Store.claim`) lets exactly one process, of all workers
on all machines sharing the database, run it each interval.

Reads enforce expiry on their own (an expired draft or result is never shown); this keeps
rows nobody asks for from lingering.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time

import sqlalchemy as sa
from flask import Flask

from webapp import counsellor_idle, draft_idle, retention
from webapp.state import AppState

log = logging.getLogger(__name__)

_starting = threading.Lock()


def purge_now(app: Flask) -> tuple[int, int]:
    """Delete every expired row now; give (results, drafts) deleted."""
    current: AppState = app.extensions["rekindle"]
    purged = current.store.purge(retention=retention(app), draft_idle=draft_idle(app))
    current.accounts.purge(max_idle=counsellor_idle(app))
    current.throttle.purge()
    return purged.results, purged.drafts


def purge_if_due(app: Flask) -> bool:
    """Purge if no other process has in this interval; give whether this one did."""
    interval = dt.timedelta(seconds=int(app.config["REKINDLE_PURGE_INTERVAL_SECONDS"]))
    current: AppState = app.extensions["rekindle"]
    if not current.store.claim("purge", interval):
        return False
    results, drafts = purge_now(app)
    if results or drafts:
        log.info("purge: deleted %d expired result(s) and %d idle draft(s)", results, drafts)
    return True


def _loop(app: Flask, interval: int) -> None:
    # wake four times per interval, so the purge runs at most a quarter interval late
    pause = max(0.5, interval / 4)
    while True:
        time.sleep(pause)
        try:
            purge_if_due(app)
        except Exception as error:  # keep purging later; say what failed, never what was stored
            cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error
            log.error("purge failed: %s: %s", type(error).__name__, str(cause).splitlines()[0] if str(cause) else "")


def ensure_running(app: Flask) -> None:
    """Start this process's purge thread once (again in a forked child, whose parent's thread is gone)."""
    pid = os.getpid()
    if app.extensions.get("rekindle_purge_pid") == pid:
        return
    with _starting:
        if app.extensions.get("rekindle_purge_pid") == pid:
            return
        interval = int(app.config["REKINDLE_PURGE_INTERVAL_SECONDS"])
        threading.Thread(target=_loop, args=(app, interval), name="rekindle-purge", daemon=True).start()
        app.extensions["rekindle_purge_pid"] = pid


def init_app(app: Flask) -> None:
    """Start the purge thread with the first request, unless switched off (0) or under the test client."""
    if int(app.config["REKINDLE_PURGE_INTERVAL_SECONDS"]) <= 0 or app.testing:
        return

    @app.before_request
    def _purge_thread() -> None:
        ensure_running(app)
