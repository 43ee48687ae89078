"""Error pages in the site's layout; no traceback ever reaches a browser."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: (
        "Something was wrong with that request",
        "Please go back and try again. If you were filling in a page, your earlier answers are kept.",
    ),
    403: ("You cannot see this page", "You may need to sign in."),
    404: ("Page not found", "The page may have been deleted or the address may be wrong."),
    405: ("Page not found", "The page may have been deleted or the address may be wrong."),
    413: ("That was too much to send", "Please go back and shorten your answer."),
    503: (
        "The summary could not be made just now",
        "Your result is safe. Please try downloading it again in a moment.",
    ),
    500: ("Sorry, something went wrong on our side", "Your answers have not been lost. Please try again in a moment."),
}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int]:
    """Give a 4xx/5xx page in the site's layout."""
    code = error.code or 500
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if error.description == "pdf-not-available":
        title, text = (
            "PDF summaries are not available here yet",
            "Your result page has everything the summary will hold.",
        )
    return render_template("errors/error.html", title=title, text=text, code=code), code


@bp.app_errorhandler(Exception)
def unexpected(error: Exception) -> tuple[str, int]:
    """Give the 500 page for anything unexpected (Flask logs it; the person sees no traceback)."""
    if isinstance(error, HTTPException):
        return http_error(error)
    if current_app.testing:
        raise error  # let a test see the real failure
    current_app.logger.error("unexpected error: %s", type(error).__name__)  # never the request's answers
    return http_error(InternalServerError())
