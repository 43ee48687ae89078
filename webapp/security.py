"""Security headers on every response, and no caching of anything that shows answers."""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self';"
    " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Add the headers to every response."""

    https = bool(app.config["REKINDLE_HTTPS"])

    @app.after_request
    def _headers(response: Response) -> Response:
        if https:  # served over HTTPS: browsers must never fall back to plain HTTP, where cookies could be read
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if response.mimetype == "text/html" or response.mimetype == "application/pdf":
            # pages may show answers or results; after "Exit this page" the back button must show nothing
            response.headers["Cache-Control"] = "no-store"
        return response
