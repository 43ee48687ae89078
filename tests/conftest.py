"""Shared fixtures: the app built with create_app({"TESTING": True, ...}), as flaskr's tests do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite'}"})
    yield app
    app.extensions["rekindle"].store.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
