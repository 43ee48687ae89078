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
