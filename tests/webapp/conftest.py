"""Databases for storage tests: an SQLite file always, PostgreSQL when REKINDLE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("REKINDLE_TEST_DATABASE_URL")


def pg_schema_url() -> Iterator[str]:
    """Give a URL whose tables live in a fresh PostgreSQL schema, dropped afterwards."""
    assert PG_URL
    schema = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("REKINDLE_TEST_DATABASE_URL is not set: PostgreSQL storage tests skipped")
    yield from pg_schema_url()


REDIS_URL = os.environ.get("REKINDLE_TEST_REDIS_URL")


@pytest.fixture
def redis_url() -> str:
    """Give the Redis server for tests (REKINDLE_TEST_REDIS_URL; .ci/run sets it, so there a missing
    server fails the tests instead of skipping them)."""
    if not REDIS_URL:
        pytest.skip("REKINDLE_TEST_REDIS_URL is not set: Redis tests skipped")
    return REDIS_URL


@pytest.fixture
def queue_name() -> Iterator[str]:
    """Give a queue of this test's own, apart from other tests and anyone else's jobs on the same Redis;
    its keys are deleted afterwards."""
    name = "test-pdf-" + secrets.token_hex(6)
    yield name
    if REDIS_URL:
        from redis import Redis
        from redis.exceptions import RedisError

        try:
            redis = Redis.from_url(REDIS_URL)
            for key in redis.scan_iter(f"*{name}*"):
                redis.delete(key)
            redis.srem("rq:queues", f"rq:queue:{name}")
        except RedisError:
            pass  # the test itself says what is wrong with Redis


@pytest.fixture
def pg_url() -> Iterator[str]:
    """Give a fresh PostgreSQL schema's URL (REKINDLE_TEST_DATABASE_URL), or skip without one."""
    if not PG_URL:
        pytest.skip("REKINDLE_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    yield from pg_schema_url()
