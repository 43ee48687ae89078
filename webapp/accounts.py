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

from webapp import audit
from webapp.schema import counsellor_sessions, counsellors, now

# admin: accounts, settings and the audit log, and all a reviewer may; reviewer: approves or sends
# back other people's changes, rolls back and retires, and all an author may; author: writes
# drafts and submits them (and publishes them when no approval is needed)
AUTHOR, REVIEWER, ADMIN = "author", "reviewer", "admin"
ROLES = (AUTHOR, REVIEWER, ADMIN)
COMMAND_LINE = "command line"


def may(role: str | None, needed: str) -> bool:
    """Give whether a role includes another (admin includes reviewer, reviewer includes author)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


# last_seen_at is written at most this often per session: a page view is a read, not a write
_TOUCH_EVERY = dt.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Counsellor accounts and sessions over the app's database engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, username: str, password_hash: str, role: str | None = None, *, actor: str = COMMAND_LINE) -> str:
        """Create an account (as an author unless `role` says otherwise), or reset its password and
        keep its role unless `role` is given; a reset ends every session it had. Give its role."""
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role '{role}'; expected one of: {', '.join(ROLES)}")
        with self.engine.begin() as conn:
            before = conn.execute(sa.select(counsellors.c.role).where(counsellors.c.username == username)).scalar()
            role = role or before or AUTHOR
            conn.execute(counsellor_sessions.delete().where(counsellor_sessions.c.username == username))
            conn.execute(counsellors.delete().where(counsellors.c.username == username))
            conn.execute(
                counsellors.insert().values(username=username, password_hash=password_hash, created_at=now(), role=role)
            )
            what = "reset the password of" if before else "added"
            audit.record(conn, actor, "account", detail=f"{what} '{username}' ({role})")
        return role

    def remove(self, username: str, *, actor: str = COMMAND_LINE) -> bool:
        """Delete an account and every session it had; give whether it existed."""
        with self.engine.begin() as conn:
            conn.execute(counsellor_sessions.delete().where(counsellor_sessions.c.username == username))
            gone = bool(conn.execute(counsellors.delete().where(counsellors.c.username == username)).rowcount)
            if gone:
                audit.record(conn, actor, "account", detail=f"removed '{username}'")
            return gone

    def role(self, username: str) -> str | None:
        """Give an account's role, or None."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(counsellors.c.role).where(counsellors.c.username == username)).scalar()
        return None if found is None else str(found)

    def set_role(self, username: str, role: str, *, actor: str) -> None:
        """Change an account's role (its sessions go on, with the new role from the next request)."""
        if role not in ROLES:
            raise ValueError(f"unknown role '{role}'")
        with self.engine.begin() as conn:
            conn.execute(counsellors.update().where(counsellors.c.username == username).values(role=role))
            audit.record(conn, actor, "account", detail=f"'{username}' is now {role}")

    def listed(self) -> list[tuple[str, str, dt.datetime]]:
        """Give every account's name, role and when it was made, by name."""
        query = sa.select(counsellors.c.username, counsellors.c.role, counsellors.c.created_at)
        with self.engine.connect() as conn:
            return [
                (str(r.username), str(r.role), r.created_at)
                for r in conn.execute(query.order_by(counsellors.c.username))
            ]

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
