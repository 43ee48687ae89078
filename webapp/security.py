"""Security headers on every response, and no caching of anything that shows answers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()  # create_app sets it up; a view may be exempted with @csrf.exempt

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self';"
    " object-src 'none'; base-uri 'none'; form-action 'self'{exit}; frame-ancestors 'none'"
)


def content_security_policy(exit_url: str) -> str:
    """Give the policy; forms may post only here, and "Exit this page" may redirect to the neutral site.

    Browsers apply form-action to where a form's answer redirects too, so without the neutral
    site's origin the exit form (used without JavaScript) could not leave.
    """
    parts = urlsplit(exit_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    return CSP.format(exit=f" {origin}" if origin else "")


def init_app(app: Flask) -> None:
    """Add the headers to every response."""
    https = bool(app.config["REKINDLE_HTTPS"])
    csp = content_security_policy(str(app.config["REKINDLE_EXIT_URL"]))

    @app.after_request
    def _headers(response: Response) -> Response:
        if https:  # served over HTTPS: browsers must never fall back to plain HTTP, where cookies could be read
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if response.mimetype == "text/html" or response.mimetype == "application/pdf":
            # pages may show answers or results; after "Exit this page" the back button must show nothing
            response.headers["Cache-Control"] = "no-store"
        return response
