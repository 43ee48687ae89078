"""Publish-to-serve benchmark (not a test): how soon a second app instance offers a rule set that
was just published on the first.

Two gunicorn instances (forked workers each) share one database. Each round an author makes a
new rule set from the starter on the first instance and publishes it (the approvals setting is
0 here); the second instance's home page is then polled every 20 ms until it offers the rule
set. Half the rounds poll the second instance all along (its workers look at the library
generation at most once a second); the other half leave it idle for 3 s before publishing.
Prints name=value lines.

    python bench/publish.py [--database URL] [--rounds N] [--workers N]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "a long enough password"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str], workers: int, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "webapp.wsgi:app"],
        env={**env, "REKINDLE_INSTANCE": str(folder)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/help", timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the app did not start")


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return str(response.read().decode())

    def post(self, path: str, form_page: str, data: dict[str, str]) -> str:
        token = TOKEN.search(self.get(form_page))
        body = urllib.parse.urlencode({"csrf_token": token.group(1) if token else "", **data}).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:
            return str(response.read().decode())


def _offers(base: str, ruleset_id: str) -> bool:
    with urllib.request.urlopen(base + "/", timeout=10) as response:
        return f"/check/{ruleset_id}/" in response.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="SQLAlchemy URL (default: an SQLite file in a temporary folder)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rekindle-publish-"))
    url = args.database or f"sqlite:///{folder / 'shared.sqlite'}"
    env = {
        **os.environ,
        "REKINDLE_SECRET_KEY": "bench-" + "x" * 32,
        "REKINDLE_DATABASE_URL": url,
        "REKINDLE_LIBRARY": "",
        "PYTHONPATH": str(ROOT),
    }
    from werkzeug.security import generate_password_hash

    from webapp.accounts import Accounts
    from webapp.documents import APPROVALS_NEEDED, Documents
    from webapp.schema import make_engine, upgrade

    upgrade(url)
    engine = make_engine(url)
    Accounts(engine).add("bench-author", generate_password_hash(PASSWORD), "author")
    Documents(engine).set_setting(APPROVALS_NEEDED, "0", actor="bench")
    first, first_url = _serve(env, args.workers, folder / "first")
    second, second_url = _serve(env, args.workers, folder / "second")
    try:
        author = Browser(first_url)
        author.post("/counsellor/login", "/counsellor/login", {"username": "bench-author", "password": PASSWORD})
        polling = threading.Event()

        def keep_polling() -> None:  # other people using the second instance meanwhile
            while True:
                polling.wait()
                urllib.request.urlopen(second_url + "/help", timeout=10).close()
                time.sleep(0.05)

        threading.Thread(target=keep_polling, daemon=True).start()
        found: dict[str, list[float]] = {"busy": [], "idle": []}
        publish_times: list[float] = []
        for index in range(args.rounds):
            mode = "busy" if index % 2 == 0 else "idle"
            ruleset_id = f"bench-{index}"
            author.post(
                "/counsellor/library/new",
                "/counsellor/library/",
                {"questionnaire": "red-flags", "ruleset_id": ruleset_id},
            )
            (polling.set if mode == "busy" else polling.clear)()
            time.sleep(3)
            page = f"/counsellor/library/ruleset/{ruleset_id}"
            started = time.perf_counter()
            author.post(page + "/publish", page, {})
            published = time.perf_counter()
            publish_times.append(published - started)
            while not _offers(second_url, ruleset_id):
                if time.perf_counter() - published > 30:
                    raise RuntimeError("not served within 30 s")
                time.sleep(0.02)
            found[mode].append(time.perf_counter() - published)
        polling.clear()
        every = found["busy"] + found["idle"]
        print(f"database={url.split(':')[0]}")
        print(f"rounds={args.rounds}")
        print(f"publish_request_ms_median={statistics.median(publish_times) * 1000:.0f}")
        print(f"served_on_second_instance_ms_median={statistics.median(every) * 1000:.0f}")
        print(f"served_on_second_instance_ms_max={max(every) * 1000:.0f}")
        print(f"served_when_busy_ms_max={max(found['busy']) * 1000:.0f}")
        print(f"served_when_idle_ms_max={max(found['idle']) * 1000:.0f}")
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
