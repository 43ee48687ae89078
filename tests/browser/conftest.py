"""A live server (gunicorn, forked workers, its own SQLite file) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
NEUTRAL = "https://www.bbc.co.uk/weather"
SECRET_KEY = "browser-tests-" + "x" * 32


def server_settings(database_url: str) -> dict[str, str]:
    """Give the browser tests' server settings, on the database at `database_url`."""
    return {
        "REKINDLE_DATABASE_URL": database_url,
        "REKINDLE_SECRET_KEY": SECRET_KEY,
        "REKINDLE_EXIT_URL": NEUTRAL,
        # one render slot, whatever the machine: a test holds its lock file to see the waiting page
        "REKINDLE_PDF_RENDERS": "1",
    }


@pytest.fixture(scope="session")
def server_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Give the live server's instance folder (its SQLite file is browser.sqlite there)."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="session")
def server(server_folder: Path) -> Iterator[str]:
    folder = server_folder
    chosen = server_settings(f"sqlite:///{folder / 'browser.sqlite'}")
    subprocess.run(  # an account, so the counsellors' area is on and axe can check it
        [sys.executable, "-m", "webapp.cli", "counsellor", "add", "sam", "--password-stdin"],
        input="a long enough password\n",
        text=True,
        env={**os.environ, **chosen, "REKINDLE_INSTANCE": str(folder)},
        check=True,
        capture_output=True,
    )
    with live_server(folder, chosen) as running:
        yield running.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server)
    # the neutral site is offline here: answer it locally so the exit can be followed
    context.route(
        re.compile(r"^https://www\.bbc\.co\.uk/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><p>Weather</p>"),
    )
    page = context.new_page()
    yield page
    context.close()
