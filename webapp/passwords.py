"""What a counsellor's password must be: long, and not common or easy to guess.

Guessability is judged by zxcvbn (Dropbox's estimator, with its lists of common passwords,
names, words and keyboard patterns), with the account's name and this app's words counted
as known to an attacker. A score of 3 ("safely unguessable: moderate protection from offline
slow-hash attacks") or more is required, on top of at least 12 characters.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn's scale is 0 (too guessable) to 4 (very unguessable)
_CHECKED = 100  # zxcvbn slows down on very long input; its first 100 characters decide


def password_problem(password: str, username: str) -> str | None:
    """Give what is wrong with a new password for `username`, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return f"use a password of at least {MIN_LENGTH} characters"
    verdict = zxcvbn(password[:_CHECKED], user_inputs=[username, "rekindle", "counsellor", "counselor"])
    if verdict["score"] < MIN_SCORE:
        warning = verdict["feedback"].get("warning") or ""
        reason = f" ({warning.rstrip('.')})" if warning else ""
        return f"that password is too common or easy to guess{reason}; use several unrelated words"
    return None
