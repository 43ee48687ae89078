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


def _accounts(tmp_path: Path):  # type: ignore[no-untyped-def]
    from webapp.accounts import Accounts
    from webapp.schema import make_engine, upgrade

    url = _env(tmp_path)["REKINDLE_DATABASE_URL"]
    upgrade(url)
    return Accounts(make_engine(url))


def test_counsellor_add_stores_a_hashed_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["counsellor", "add", "sam", "--password-stdin"], input="a long enough password\n", env=_env(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert "counsellor 'sam' (author) can now sign in at /counsellor/login" in result.output
    stored = _accounts(tmp_path).password_hash("sam")
    assert stored and "a long enough password" not in stored and stored.startswith("scrypt:")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "use a password of at least 12 characters"),
        ("password1234", "that password is too common or easy to guess (This is a very common password)"),
        ("qwertyuiopasdf", "that password is too common or easy to guess"),
        ("aaaaaaaaaaaaaaaa", "that password is too common or easy to guess"),
        ("samsamsamsam12", "that password is too common or easy to guess"),
    ],
)
def test_counsellor_add_refuses_a_short_or_common_password(tmp_path: Path, password: str, message: str) -> None:
    result = CliRunner().invoke(
        main, ["counsellor", "add", "sam", "--password-stdin"], input=f"{password}\n", env=_env(tmp_path)
    )
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert _accounts(tmp_path).password_hash("sam") is None


def test_counsellor_add_asks_for_the_password_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["tangerine pivot ocean", "tangerine pivot oceans"])
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:  # the terminal is the one thing a test cannot type into
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    result = CliRunner().invoke(main, ["counsellor", "add", "sam"], env=_env(tmp_path))
    assert asked == ["Password: ", "Password again: "]
    assert result.exit_code == 2 and "the two passwords differ; nothing was changed" in result.output
    assert _accounts(tmp_path).password_hash("sam") is None


def test_counsellor_remove_deletes_the_account_and_its_sessions(tmp_path: Path) -> None:
    env = _env(tmp_path)
    CliRunner().invoke(
        main, ["counsellor", "add", "sam", "--password-stdin"], input="a long enough password\n", env=env
    )
    accounts = _accounts(tmp_path)
    token = accounts.start_session("sam")
    assert accounts.session_user(token, max_idle=dt.timedelta(minutes=5)) == "sam"
    result = CliRunner().invoke(main, ["counsellor", "remove", "sam"], env=env)
    assert result.exit_code == 0 and "counsellor 'sam' is removed and signed out everywhere" in result.output
    assert accounts.session_user(token, max_idle=dt.timedelta(minutes=5)) is None
    assert accounts.password_hash("sam") is None
    again = CliRunner().invoke(main, ["counsellor", "remove", "sam"], env=env)
    assert again.exit_code == 1 and "there is no counsellor 'sam'" in again.output


def test_purge_deletes_expired_results(tmp_path: Path) -> None:
    from webapp.schema import results
    from webapp.storage import RulesetVersion, Store, upgrade

    url = _env(tmp_path)["REKINDLE_DATABASE_URL"]
    upgrade(url)
    store = Store(url)
    store.create_visit("v")
    version = RulesetVersion("k", "r", "h", "t", {})
    store.save_result("v", "old", submission="s", sealed=b"x", version=version)
    with store.engine.begin() as conn:
        conn.execute(results.update().values(created_at=dt.datetime(2020, 1, 1)))
    result = CliRunner().invoke(main, ["purge"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "deleted 0 result(s) and 0 draft(s)"  # start-up purge got it first
    assert store.load_result("v", "old", retention=dt.timedelta(days=9999)) is None


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
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/check/red-flags/2?review=1", timeout=5) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(10)
    log = process.stdout.read() if process.stdout else ""
    process.stdout.close() if process.stdout else None
    # the access log names the area, the method and the status: no size, address, check, page or query
    assert '"GET /" 200\n' in log and '"GET /check/…" 200\n' in log, log
    assert "red-flags" not in log and "review" not in log and "127.0.0.1 " not in log, log


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
