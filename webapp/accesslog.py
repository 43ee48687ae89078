"""gunicorn's access log, kept from telling anything about a person or their answers.

Response sizes differ with the options chosen and the outcome shown; the pages a check visits
differ with the answers (a conditional page is asked or skipped), and result ids and client
addresses point at one person; even the time taken grows with what a result holds. The format
`rekindle serve` gives logs the method, the first part of the path and the status, and this
logger blanks the address, full path, query and sizes whatever format string is given.
`rekindle serve` uses it (`--logger-class webapp.accesslog.PrivateAccessLog`).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

FORMAT = '"%(m)s %(U)s" %(s)s'


def area(path: str) -> str:
    """Give the first segment of a path, with "/…" when more followed (/check/red-flags/3 -> /check/…)."""
    first, _, rest = path.lstrip("/").partition("/")
    return f"/{first}/…" if rest else f"/{first}"


class PrivateAccessLog(Logger):  # type: ignore[misc]
    """A gunicorn logger whose access lines name no page, size, address, referrer or header."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        shown = area(environ.get("PATH_INFO") or "/")
        kept = {key: found[key] for key in ("t", "s", "m", "H", "T", "D", "M", "L", "p")}
        return {**kept, "U": shown, "r": f"{found['m']} {shown} {found['H']}", "h": "-", "q": "", "b": "-", "B": "-"}
