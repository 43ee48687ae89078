"""Counsellor sessions live on the server and can be ended; failed sign-ins are throttled per
account and per address, in the database or in Redis; password checks are bounded."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from werkzeug.security import generate_password_hash

from tests.webapp.flow import COUNSELLOR_PASSWORD, csrf_token, sign_in_counsellor
from webapp import create_app
from webapp.schema import counsellor_sessions, login_attempts


@pytest.fixture
def db_app(url: str) -> Iterator[Flask]:
    # a secret of its own, so throttle keys (keyed hashes) never meet another test's
    app = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32)})
    yield app
    app.extensions["rekindle"].store.dispose()


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Give another client holding a copy of this client's session cookie."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def sign_in(app: Flask, client: FlaskClient, name: str = "sam", password: str = COUNSELLOR_PASSWORD) -> Any:
    page = client.get("/counsellor/login")
    return client.post(
        "/counsellor/login", data={"csrf_token": csrf_token(page.data), "username": name, "password": password}
    )


def test_signing_out_ends_every_session_of_the_account(db_app: Flask) -> None:
    first = sign_in_counsellor(db_app)
    copied = copy_of(db_app, first)
    second = db_app.test_client()
    assert sign_in(db_app, second).location == "/counsellor/"
    assert copied.get("/counsellor/").status_code == 200
    first.post("/counsellor/logout", data={"csrf_token": csrf_token(first.get("/counsellor/").data)})
    for client in (first, copied, second):
        assert client.get("/counsellor/").location == "/counsellor/login"


def test_a_password_reset_ends_every_session(db_app: Flask) -> None:
    client = sign_in_counsellor(db_app)
    copied = copy_of(db_app, client)
    db_app.extensions["rekindle"].accounts.add("sam", generate_password_hash("a new long passphrase here"))
    assert client.get("/counsellor/").location == "/counsellor/login"
    assert copied.get("/counsellor/").location == "/counsellor/login"


def test_an_idle_session_ends(db_app: Flask) -> None:
    client = sign_in_counsellor(db_app)
    engine = db_app.extensions["rekindle"].store.engine
    with engine.begin() as conn:
        conn.execute(counsellor_sessions.update().values(last_seen_at=dt.datetime(2020, 1, 1)))
    assert client.get("/counsellor/").location == "/counsellor/login"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(counsellor_sessions)).scalar_one() == 0


def test_the_cookie_holds_a_random_token_and_the_database_only_its_hash(db_app: Flask) -> None:
    client = sign_in_counsellor(db_app)
    serializer = db_app.session_interface.get_signing_serializer(db_app)  # type: ignore[attr-defined]
    session = serializer.loads(client.get_cookie("session").value)  # type: ignore[union-attr]
    assert "sam" not in str(session) and set(session) <= {"counsellor_session", "csrf_token"}
    with db_app.extensions["rekindle"].store.engine.connect() as conn:
        stored = conn.execute(sa.select(counsellor_sessions.c.token_hash)).scalar_one()
    assert stored != session["counsellor_session"] and len(stored) == 64


def test_wrong_passwords_lead_to_429_with_retry_after_even_for_the_right_one(db_app: Flask) -> None:
    db_app.extensions["rekindle"].accounts.add("sam", generate_password_hash(COUNSELLOR_PASSWORD))
    client = db_app.test_client()
    codes = [sign_in(db_app, client, password=f"wrong {n}").status_code for n in range(20)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429] * 15
    refused = sign_in(db_app, client)  # the right password is refused too while the account waits
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    html = refused.data.decode()
    assert "Too many attempts, try again in 15 minutes." in html and "<h1>Too many attempts</h1>" in html


def test_one_address_trying_many_accounts_is_throttled_too(db_app: Flask) -> None:
    client = db_app.test_client()
    db_app.extensions["rekindle"].accounts.add("sam", generate_password_hash(COUNSELLOR_PASSWORD))
    codes = [sign_in(db_app, client, name=f"guess-{n}", password="wrong").status_code for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    assert sign_in(db_app, client).status_code == 429  # a known account from the same address waits as well


def test_a_right_password_clears_the_account_count(db_app: Flask) -> None:
    db_app.extensions["rekindle"].accounts.add("sam", generate_password_hash(COUNSELLOR_PASSWORD))
    client = db_app.test_client()
    for _ in range(4):
        sign_in(db_app, client, password="wrong")
    assert sign_in(db_app, client).location == "/counsellor/"
    other = db_app.test_client()
    assert [sign_in(db_app, other, password="wrong").status_code for _ in range(5)] == [200] * 5


def test_sign_in_counts_live_in_redis_when_it_is_set(tmp_path: Any, redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    redis.ping()  # a Redis the variable names but that does not answer fails the test, as in CI it must
    app = create_app(
        {
            "TESTING": True,
            "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite'}",
            "REKINDLE_REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_hex(32),
        }
    )
    app.extensions["rekindle"].accounts.add("sam", generate_password_hash(COUNSELLOR_PASSWORD))
    before = set(redis.scan_iter("LIMITS*login-account*"))
    client = app.test_client()
    codes = [sign_in(app, client, password="wrong").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    made = set(redis.scan_iter("LIMITS*login-account*")) - before
    assert len(made) == 1 and int(redis.get(next(iter(made)))) == 5
    assert 0 < redis.ttl(next(iter(made))) <= 15 * 60
    with app.extensions["rekindle"].store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_attempts)).scalar_one() == 0
    for key in made | (set(redis.scan_iter("LIMITS*login-address*")) - before):
        redis.delete(key)
    app.extensions["rekindle"].store.dispose()


def test_when_every_password_check_slot_is_taken_sign_in_answers_503_at_once(db_app: Flask) -> None:
    db_app.extensions["rekindle"].accounts.add("sam", generate_password_hash(COUNSELLOR_PASSWORD))
    client = db_app.test_client()
    with db_app.extensions["rekindle"].password_checks.slot() as held:
        assert held
        busy = sign_in(db_app, client)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert "Signing in is busy just now" in busy.data.decode()
    assert sign_in(db_app, client).location == "/counsellor/"  # free again
