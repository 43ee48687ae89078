"""Static files under content-hashed names, cached by browsers and proxies for a year.

`url_for('static', filename='site.css')` gives `/static/site.3f9c2b1d04a7.css`: the name
carries the first 12 hex digits of the file's SHA-256, worked out once at start-up, so a
changed file gets a new name and a cached old copy is never used. Those names are served
with `Cache-Control: public, max-age=31536000, immutable`; a name with a stale hash is not
found. Plain names (`/static/site.css`, and `/favicon.ico`-style files nothing links to with
a hash) still work with the default short caching. Pages stay `no-store` (webapp/security.py).
Every instance of the same release computes the same names from the same files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask
from werkzeug.wrappers import Response

YEAR = 365 * 24 * 3600


def hashed_names(folder: Path) -> dict[str, str]:
    """Give {plain name: hashed name} for every file in the static folder (subfolders too)."""
    names = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        plain = path.relative_to(folder).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        stem, dot, suffix = plain.rpartition(".")
        names[plain] = f"{stem}.{digest}.{suffix}" if dot else f"{plain}.{digest}"
    return names


def init_app(app: Flask) -> None:
    """Make `url_for('static', ...)` give hashed names and serve them with long-lived cache headers."""
    if not app.static_folder:
        return
    hashed = hashed_names(Path(app.static_folder))
    plain = {name: original for original, name in hashed.items()}
    serve_plain = app.view_functions["static"]

    @app.url_defaults
    def _hashed_name(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static" and values.get("filename") in hashed:
            values["filename"] = hashed[values["filename"]]

    def static(filename: str) -> Response:
        original = plain.get(filename)
        if original is None:
            response: Response = serve_plain(filename=filename)
            return response
        response = app.send_static_file(original)
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        return response

    app.view_functions["static"] = static
