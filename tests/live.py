"""A real server for tests: gunicorn with forked workers on a free local port, its own instance
folder and database (an SQLite file there unless the settings name another); and a small
cookie-keeping HTTP client that does not follow redirects."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    """Give a local TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    folder: Path
    database_url: str
    process: subprocess.Popen[bytes]

    @property
    def log(self) -> str:
        return (self.folder / "server.log").read_text()


@contextlib.contextmanager
def live_server(folder: Path, settings: dict[str, str] | None = None, workers: int = 2) -> Iterator[Server]:
    """Run the app under gunicorn until the block ends; settings are REKINDLE_* environment variables
    (REKINDLE_DATABASE_URL among them to use another database than an SQLite file in `folder`)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "REKINDLE_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
        "REKINDLE_SECRET_KEY": "live-server-tests-" + "k" * 32,
        "REKINDLE_INSTANCE": str(folder),
        **(settings or {}),
    }
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "webapp.wsgi:app"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", folder, env["REKINDLE_DATABASE_URL"], process)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(server.url + "/help", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(server.log) from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            # gunicorn gives its workers up to 30 s (its graceful timeout) to finish; on a busy
            # machine a worker still building the app takes that long, and must not be left running
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        finally:
            log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Reply:
    status: int
    headers: Any
    data: bytes

    @property
    def body(self) -> str:
        return self.data.decode(errors="replace")

    @property
    def location(self) -> str:
        return str(self.headers.get("Location", ""))

    @property
    def token(self) -> str:
        found = TOKEN.search(self.body)
        assert found, self.body[:500]
        return found.group(1)


class LiveClient:
    """A browser without a browser: keeps cookies, sends forms, never follows redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.headers, error.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request(path, headers=headers)

    def post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
        return self.request(path, data=data, headers=headers)

    def cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == "session") or ""
