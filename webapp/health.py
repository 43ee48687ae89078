"""Health and readiness for load balancers and orchestrators: `/healthz` and `/readyz`.

`/healthz` says the process serves requests and checks nothing else, so a database outage
never makes a load balancer restart every instance at once. `/readyz` says whether this
instance can serve people: the database answers a query (else 503, take it out of rotation),
and, when REKINDLE_REDIS_URL is set, whether Redis answers. Redis being away does not make
an instance unready: sign-in counting needs it, but PDF summaries fall back to the server's
own pool, and every instance shares the same Redis, so failing them all would turn a
degraded service into none. The body names each check in plain text; never a URL or a
password.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, make_response
from werkzeug.wrappers import Response

from webapp.state import state

bp = Blueprint("health", __name__)


def _plain(lines: list[str], status: int) -> Response:
    response = make_response("\n".join(lines) + "\n", status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Give 200 while the process serves requests."""
    return _plain(["ok"], 200)


@bp.get("/readyz")
def readyz() -> Response:
    """Give 200 when the database answers (503 when it does not), with Redis's state when it is used."""
    lines = []
    try:
        with state().store.engine.connect() as conn:
            conn.execute(sa.select(1))
        database = "ok"
    except sa.exc.SQLAlchemyError as error:
        database = f"unreachable ({type(error).__name__})"
    lines.append(f"database: {database}")
    redis_queue = current_app.extensions["rekindle_pdf"].redis_queue
    if redis_queue is not None:
        redis = redis_queue.check()
        lines.append(f"redis: {redis}" + ("" if redis == "ok" else " - PDF summaries are made by this server"))
    return _plain(lines, 200 if database == "ok" else 503)
