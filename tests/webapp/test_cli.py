"""The web app's commands: counsellor accounts, purge, serve."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from webapp.cli import main


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "REKINDLE_INSTANCE": str(tmp_path),
        "REKINDLE_LIBRARY": "",
    }


def test_counsellor_add_stores_a_hashed_password(tmp_path: Path) -> None:
    from webapp.storage import Store

    result = CliRunner().invoke(
        main, ["counsellor", "add", "sam", "--password-stdin"], input="a long enough password\n", env=_env(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert "counsellor 'sam' can now sign in at /counsellor/login" in result.output
    stored = Store(_env(tmp_path)["REKINDLE_DATABASE_URL"]).counsellor_hash("sam")
    assert stored and "a long enough password" not in stored and stored.startswith("scrypt:")


def test_counsellor_add_refuses_a_short_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["counsellor", "add", "sam", "--password-stdin"], input="short\n", env=_env(tmp_path)
    )
    assert result.exit_code == 2
    assert "use a password of at least 12 characters" in result.output


def test_purge_deletes_expired_results(tmp_path: Path) -> None:
    from webapp.storage import Store, results, upgrade

    url = _env(tmp_path)["REKINDLE_DATABASE_URL"]
    upgrade(url)
    store = Store(url)
    old = store.save_result({}, version_key="v", ruleset_id="r", ruleset_hash="h", ruleset_text="t", questionnaires={})
    with store.engine.begin() as conn:
        conn.execute(results.update().values(created_at=dt.datetime(2020, 1, 1)))
    result = CliRunner().invoke(main, ["purge"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "deleted 0 result(s) and 0 draft(s)"  # start-up purge got it first
    assert store.load_result(old) is None


def test_serve_starts_gunicorn_and_prints_the_address(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **_env(tmp_path)}
    env.pop("REKINDLE_SECRET_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert [process.stdout.readline().strip() for _ in range(3)] == [
            f"Rekindle is running at http://127.0.0.1:{port}/  (Ctrl+C to stop)",
            f"Instance folder: {tmp_path}",
            "No counsellor account yet: the counsellors' area is off; run 'rekindle counsellor add NAME'",
        ]
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    assert b"Thinking about getting back together?" in response.read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not answer")
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # generated, readable by the owner only
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close() if process.stdout else None


def test_one_instance_folder_whatever_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp import create_app
    from webapp.config import instance_folder

    monkeypatch.delenv("REKINDLE_INSTANCE", raising=False)
    found = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        found.append(instance_folder())
    assert found[0] == found[1] and not found[0].is_relative_to(tmp_path)
    app = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'i.db'}"})
    assert Path(app.instance_path) == found[0]
    app.extensions["rekindle"].store.dispose()
    monkeypatch.setenv("REKINDLE_INSTANCE", "relative/instance")  # an explicit choice, taken from here
    assert instance_folder() == tmp_path / "two" / "relative" / "instance"
