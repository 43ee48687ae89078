"""Counsellor accounts and their sessions, kept on the server so they can be ended.

The session cookie holds only a random token; the database keeps its SHA-256, so a copy of the
database is no way in. Signing out, resetting the password (`rekindle counsellor add` again)
and `rekindle counsellor remove` end every session of the account at once, and a session that
has been idle for longer than the configured time is refused and deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from webapp.schema import counsellor_sessions, counsellors, now

# last_seen_at is written at most this often per session: a page view is a read, not a write
_TOUCH_EVERY = dt.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Counsellor accounts and sessions over the app's database engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, username: str, password_hash: str) -> None:
        """Create an account, or reset its password; a reset ends every session it had."""
        with self.engine.begin() as conn:
            conn.execute(counsellor_sessions.delete().where(counsellor_sessions.c.username == username))
            conn.execute(counsellors.delete().where(counsellors.c.username == username))
            conn.execute(counsellors.insert().values(username=username, password_hash=password_hash, created_at=now()))

    def remove(self, username: str) -> bool:
        """Delete an account and every session it had; give whether it existed."""
        with self.engine.begin() as conn:
            conn.execute(counsellor_sessions.delete().where(counsellor_sessions.c.username == username))
            return bool(conn.execute(counsellors.delete().where(counsellors.c.username == username)).rowcount)

    def password_hash(self, username: str) -> str | None:
        """Give a counsellor's password hash, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(counsellors.c.password_hash).where(counsellors.c.username == username)).first()
        return None if row is None else str(row.password_hash)

    def any(self) -> bool:
        """Give whether any counsellor account exists (the area is off otherwise)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(counsellors.c.username).limit(1)).first() is not None

    # sessions -----------------------------------------------------------------------------
    def start_session(self, username: str) -> str:
        """Start a session for an account; give the token for its cookie."""
        token = secrets.token_urlsafe(32)
        at = now()
        with self.engine.begin() as conn:
            conn.execute(
                counsellor_sessions.insert().values(
                    token_hash=_hash(token), username=username, created_at=at, last_seen_at=at
                )
            )
        return token

    def session_user(self, token: str, *, max_idle: dt.timedelta) -> str | None:
        """Give the account of a live session, or None (an idle one is ended)."""
        key = _hash(token)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(counsellor_sessions.c.username, counsellor_sessions.c.last_seen_at).where(
                    counsellor_sessions.c.token_hash == key
                )
            ).first()
        if row is None:
            return None
        at = now()
        if row.last_seen_at < at - max_idle:
            with self.engine.begin() as conn:
                conn.execute(counsellor_sessions.delete().where(counsellor_sessions.c.token_hash == key))
            return None
        if row.last_seen_at < at - _TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(
                    counsellor_sessions.update().where(counsellor_sessions.c.token_hash == key).values(last_seen_at=at)
                )
        return str(row.username)

    def end_sessions(self, username: str) -> int:
        """End every session of an account; give how many there were."""
        with self.engine.begin() as conn:
            return int(
                conn.execute(counsellor_sessions.delete().where(counsellor_sessions.c.username == username)).rowcount
            )

    def purge(self, *, max_idle: dt.timedelta) -> int:
        """Delete sessions idle for longer than `max_idle`; give how many."""
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    counsellor_sessions.delete().where(counsellor_sessions.c.last_seen_at < now() - max_idle)
                ).rowcount
            )
