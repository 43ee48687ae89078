"""Error pages in the site's layout; no traceback ever reaches a browser.

Every page says only what is true: a failed save says what was and was not kept, and a
failed delete says the answers are still there and offers to try again. The log names the
kind of failure and its cause, never what anyone answered.
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from flask import Blueprint, current_app, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

bp = Blueprint("errors", __name__)

# what a person is told when storage fails, each used only where it is true
NOT_SAVED = "What you entered on this page was not saved. Please try again in a few minutes."
NOT_SAVED_EARLIER_KEPT = (
    "What you entered on this page was not saved. Your earlier answers are still here."
    " Please try again in a few minutes."
)
RESULT_NOT_SAVED = (
    "Your result could not be stored just now, so it is not shown. Your answers are still here:"
    " press “See my result” again in a few minutes."
)
NOT_DELETED = (
    "Your answers could not be deleted just now. They are still stored, sealed with a key that"
    " only this browser holds, until you try again or they expire."
)

MESSAGES = {
    400: (
        "Something was wrong with that request",
        "Please go back and try again. Nothing was changed: what you entered on that page was not"
        " saved, and anything saved before is still there.",
    ),
    403: ("You cannot see this page", "You may need to sign in."),
    404: ("Page not found", "The page may have been deleted or the address may be wrong."),
    405: ("That cannot be done here", "Please go back and use the page's own links and buttons."),
    413: ("That was too much to send", "Please go back and shorten your answer."),
    503: (
        "The summary could not be made just now",
        "Your result is safe. Please try downloading it again in a moment.",
    ),
    500: ("Sorry, something went wrong on our side", "Please try again in a moment."),
}
STORAGE_DOWN = (
    "Sorry, we cannot reach our storage just now",
    "Nothing could be saved or shown. Please try again in a few minutes.",
)


def log_storage_failure(action: str, error: Exception) -> None:
    """Log that storage failed, naming the failure's class and the database's own words (never data)."""
    cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error
    first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    current_app.logger.error("%s failed: %s (%s: %s)", action, type(error).__name__, type(cause).__name__, first_line)


def _page(title: str, text: str, code: int, headers: dict[str, str] | None = None, **extra: object) -> Response:
    response = make_response(render_template("errors/error.html", title=title, text=text, code=code, **extra), code)
    response.headers.update(headers or {})
    return response


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """Give a 4xx/5xx page in the site's layout, with the exception's own headers (Allow, Retry-After)."""
    code = error.code or 500
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if error.description == "pdf-not-available":
        title, text = (
            "PDF summaries are not available here yet",
            "Your result page has everything the summary will hold.",
        )
    retry_after = getattr(error, "retry_after", None)
    if code == 429:
        minutes = max(1, math.ceil(int(retry_after or 60) / 60))
        title = "Too many attempts"
        text = f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}."
    if error.description == "password-checks-busy":
        title, text = ("Signing in is busy just now", "Please try again in a few seconds.")
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    return _page(title, text, code, headers)


@bp.app_errorhandler(sa.exc.SQLAlchemyError)
def storage_error(error: sa.exc.SQLAlchemyError) -> Response:
    """Give a 503 page when the database fails outside the places that say more precisely what was kept."""
    log_storage_failure(f"{request.method} {request.url_rule.rule if request.url_rule else 'request'}", error)
    return _page(*STORAGE_DOWN, 503, {"Retry-After": "60"})


def not_deleted_page() -> Response:
    """Give the page for a delete that failed: it says so and offers to try again."""
    return _page("Your answers were not deleted", NOT_DELETED, 503, retry=request.path)


@bp.app_errorhandler(Exception)
def unexpected(error: Exception) -> Response:
    """Give the 500 page for anything unexpected (Flask logs it; the person sees no traceback)."""
    if isinstance(error, HTTPException):
        return http_error(error)
    if current_app.testing:
        raise error  # let a test see the real failure
    current_app.logger.error("unexpected error: %s", type(error).__name__)  # never the request's answers
    return http_error(InternalServerError())
