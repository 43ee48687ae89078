"""Counsellor sign-in: failed attempts throttled per account and per client address, and password
checks that cannot starve the public pages.

Counting uses the `limits` library (what Flask-Limiter is built on) with its fixed-window
strategy. Its Redis storage is used when REKINDLE_REDIS_URL is set; otherwise failures are
counted in the app's own database through `SQLStorage` below, a `limits` storage of a few
queries, because `limits` has no SQL storage and a database every worker and instance already
shares needs no extra service. Flask-Limiter itself is not used: it limits requests to a
route, and here only *failed* passwords count and two keys are checked before any password is
hashed, which reads more plainly as a few calls in the login view.

Hashing a password (scrypt) takes a core for tens of milliseconds. `PasswordChecks` lets only
REKINDLE_PASSWORD_CHECKS of them run at once on a machine, across every worker process, with
a non-blocking file lock per slot: a sign-in that finds every slot taken is answered 503 at
once, so workers stay free for the public pages however many sign-ins arrive. The hash itself
runs on a thread of the lowest CPU priority (nice 19), so when the machine is busy the public
pages get the cores first and a sign-in waits a little longer instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import math
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlalchemy as sa
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.security import check_password_hash

from webapp.schema import login_attempts


class SQLStorage(Storage):
    """A `limits` storage in the app's database (table login_attempts): counters with an expiry."""

    STORAGE_SCHEME = None  # made directly with an engine, never from a URI

    def __init__(self, engine: sa.Engine) -> None:
        super().__init__()
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to a counter, starting a new window when it has expired; give the new count."""
        table = login_attempts
        for _ in range(3):  # a concurrent first insert of the same key makes us go round once more
            at = time.time()
            try:
                with self.engine.begin() as conn:
                    live = (table.c.key == key, table.c.expires_at > at)
                    if not conn.execute(table.update().where(*live).values(count=table.c.count + amount)).rowcount:
                        fresh = {"count": amount, "expires_at": at + expiry}
                        if not conn.execute(table.update().where(table.c.key == key).values(**fresh)).rowcount:
                            conn.execute(table.insert().values(key=key, **fresh))
                    return int(conn.execute(sa.select(table.c.count).where(table.c.key == key)).scalar_one())
            except sa.exc.IntegrityError:
                continue
        raise RuntimeError("could not count a failed sign-in")

    def get(self, key: str) -> int:
        """Give a counter's value in its current window (0 when none)."""
        query = sa.select(login_attempts.c.count).where(
            login_attempts.c.key == key, login_attempts.c.expires_at > time.time()
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def get_expiry(self, key: str) -> float:
        """Give when a counter's window ends (seconds since the epoch)."""
        query = sa.select(login_attempts.c.expires_at).where(login_attempts.c.key == key)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return float(found) if found is not None else time.time()

    def check(self) -> bool:
        """Give whether the database answers."""
        with self.engine.connect() as conn:
            conn.execute(sa.select(1))
        return True

    def reset(self) -> int | None:
        """Forget every counter; give how many there were."""
        with self.engine.begin() as conn:
            return int(conn.execute(login_attempts.delete()).rowcount)

    def clear(self, key: str) -> None:
        """Forget one counter."""
        with self.engine.begin() as conn:
            conn.execute(login_attempts.delete().where(login_attempts.c.key == key))

    def purge(self) -> int:
        """Delete counters whose window has ended; give how many."""
        with self.engine.begin() as conn:
            return int(conn.execute(login_attempts.delete().where(login_attempts.c.expires_at <= time.time())).rowcount)


class Throttle:
    """Failed sign-ins per account and per client address, in the database or in Redis."""

    def __init__(self, storage: Storage, *, per_account: str, per_address: str, secret: bytes) -> None:
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(storage)
        self.per_account: RateLimitItem = parse(per_account)
        self.per_address: RateLimitItem = parse(per_address)
        self._secret = secret  # names and addresses are kept only as keyed hashes

    @classmethod
    def for_app(cls, engine: sa.Engine, config: dict[str, object], secret: bytes) -> Throttle:
        """Give the throttle the settings ask for: Redis when REKINDLE_REDIS_URL is set, else the database."""
        redis_url = config.get("REKINDLE_REDIS_URL")
        storage = storage_from_string(str(redis_url)) if redis_url else SQLStorage(engine)
        if not isinstance(storage, Storage):
            raise RuntimeError("REKINDLE_REDIS_URL must be a redis:// URL (not an async storage)")
        return cls(
            storage,
            per_account=str(config["REKINDLE_LOGIN_LIMIT_ACCOUNT"]),
            per_address=str(config["REKINDLE_LOGIN_LIMIT_ADDRESS"]),
            secret=secret,
        )

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
        def hashed(kind: str, value: str) -> str:
            return hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

        return [
            (self.per_account, "login-account", hashed("account", username.strip().lower())),
            (self.per_address, "login-address", hashed("address", address)),
        ]

    def wait(self, username: str, address: str) -> int:
        """Give the seconds before this account may be tried from this address again (0: now)."""
        waits = [
            math.ceil(self.limiter.get_window_stats(item, kind, key).reset_time - time.time())
            for item, kind, key in self._keys(username, address)
            if not self.limiter.test(item, kind, key)
        ]
        return max([1, *waits]) if waits else 0

    def failed(self, username: str, address: str) -> None:
        """Count a wrong name or password against the account and the address."""
        for item, kind, key in self._keys(username, address):
            self.limiter.hit(item, kind, key)

    def succeeded(self, username: str, address: str) -> None:
        """Forget the account's failures once its password is given (the address keeps its count)."""
        item, kind, key = self._keys(username, address)[0]
        self.limiter.clear(item, kind, key)

    def purge(self) -> int:
        """Delete ended windows from the database (Redis expires its own keys)."""
        return self.storage.purge() if isinstance(self.storage, SQLStorage) else 0


def _lowest_priority() -> None:
    # on Linux a thread is a task of its own: this lowers this thread only, never the worker; a
    # platform without per-thread priorities hashes at normal priority
    with suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class PasswordChecks:
    """At most `slots` password checks at once on this machine, whichever worker process runs them."""

    def __init__(self, folder: Path, slots: int) -> None:
        self.paths = [folder / f".password-check-{i}.lock" for i in range(max(1, slots))]
        self._hasher: ThreadPoolExecutor | None = None
        self._hasher_pid = 0

    def matches(self, stored_hash: str, password: str) -> bool:
        """Give whether the password matches the hash, worked out at the lowest CPU priority."""
        if self._hasher is None or self._hasher_pid != os.getpid():  # a forked worker makes its own thread
            self._hasher = ThreadPoolExecutor(1, thread_name_prefix="password-check", initializer=_lowest_priority)
            self._hasher_pid = os.getpid()
        return self._hasher.submit(check_password_hash, stored_hash, password).result()

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Hold a free slot for the block and give True, or give False at once when all are taken."""
        for path in self.paths:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        yield False
