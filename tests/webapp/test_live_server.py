"""Against a running gunicorn server (forked workers, one database: an SQLite file, and a fresh
PostgreSQL schema too when REKINDLE_TEST_DATABASE_URL is set): expiry purged while it runs, a
draft submitted many times at once gives one result, and sign-in guessing neither gets far nor
slows the public pages."""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.live import LiveClient, Server, live_server


def count(server: Server, table: str) -> int:
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def start_a_check(client: LiveClient, flow_id: str = "red-flags") -> str:
    """Answer the first page of a check; give the token of the check-your-answers form."""
    page = client.get(f"/check/{flow_id}/1")
    assert client.post(f"/check/{flow_id}/1", {"csrf_token": page.token, "q_blocked": "yes"}).status == 302
    return client.get(f"/check/{flow_id}/review").token


def test_drafts_and_results_are_purged_while_the_server_runs(tmp_path: Path, url: str) -> None:
    settings = {  # minutes and days, in fractions: a draft lasts 3 s, a result 8.6 s
        "REKINDLE_DATABASE_URL": url,
        "REKINDLE_DRAFT_MINUTES": "0.05",
        "REKINDLE_RETENTION_DAYS": "0.0001",
        "REKINDLE_PURGE_INTERVAL_SECONDS": "2",
    }
    with live_server(tmp_path / "purge", settings) as server:
        drafting, submitting = LiveClient(server.url), LiveClient(server.url)
        start_a_check(drafting)
        token = start_a_check(submitting)
        done = submitting.post("/check/red-flags/review", {"csrf_token": token})
        assert done.status == 302 and submitting.get(done.location).status == 200
        assert (count(server, "drafts"), count(server, "results")) == (1, 1)
        started = time.monotonic()
        # nobody reads them again: only the purge thread can delete them
        while time.monotonic() - started < 40 and count(server, "results") + count(server, "drafts"):
            time.sleep(0.5)
        took = time.monotonic() - started
        assert (count(server, "drafts"), count(server, "results")) == (0, 0), server.log
        assert took < 8.7 + 2 * 1.25 + 3, took  # retention, then at most one interval and a quarter late
        while time.monotonic() - started < 40 and count(server, "visits"):
            time.sleep(0.5)
        assert count(server, "visits") == 0
        assert server.process.poll() is None  # the same server, never restarted
        assert submitting.get(done.location).status == 404


def test_one_draft_submitted_eight_times_at_once_gives_one_result(tmp_path: Path, url: str) -> None:
    with live_server(tmp_path / "submit", {"REKINDLE_DATABASE_URL": url}) as server:
        client = LiveClient(server.url)
        token = start_a_check(client)
        review = client.get("/check/red-flags/review")
        submission = review.body.split('name="submission" value="', 1)[1].split('"', 1)[0]
        start = threading.Barrier(8)
        replies: list[str] = []

        def submit() -> None:
            start.wait()
            reply = client.post("/check/red-flags/review", {"csrf_token": token, "submission": submission})
            replies.append(f"{reply.status} {reply.location}")

        threads = [threading.Thread(target=submit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(replies) == 8 and len(set(replies)) == 1 and replies[0].startswith("302 /result/"), replies
        assert count(server, "results") == 1 and count(server, "drafts") == 0
        # and a replay long after goes to the same result, not a second one
        replay = client.post("/check/red-flags/review", {"csrf_token": token, "submission": submission})
        assert f"{replay.status} {replay.location}" == replies[0] and count(server, "results") == 1


# Run as a separate process, so its threads do not share the measuring thread's interpreter lock.
# Each guess comes from a new address (through a trusted proxy) for a new account: the distributed
# attack that throttling cannot stop, so only bounded password checks protect the public pages.
# Each guesser sends a guess every PACE seconds: six of them ask for 120 password checks a second,
# about eight seconds of hashing per second, which would keep every worker hashing without the bound.
GUESSER = """
import sys, threading, time, urllib.parse, urllib.request, urllib.error, http.cookiejar, re
base, seconds, pace = sys.argv[1], float(sys.argv[2]), float(sys.argv[4])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(base + "/counsellor/login").read().decode()
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
codes = {}
lock = threading.Lock()
def guess(worker):
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n += 1
        due = time.monotonic() + pace
        data = urllib.parse.urlencode({"csrf_token": token, "username": f"guess-{worker}-{n}", "password": "wrong"})
        request = urllib.request.Request(base + "/counsellor/login", data=data.encode(),
                                         headers={"X-Forwarded-For": f"10.{worker}.{n // 250}.{n % 250}"})
        try:
            code = opener.open(request, timeout=30).status
        except urllib.error.HTTPError as error:
            code = error.code
        with lock:
            codes[code] = codes.get(code, 0) + 1
        time.sleep(max(0.0, due - time.monotonic()))
threads = [threading.Thread(target=guess, args=(w,)) for w in range(int(sys.argv[3]))]
for t in threads: t.start()
for t in threads: t.join()
print(" ".join(f"{k}:{v}" for k, v in sorted(codes.items())))
"""


def public_page_times(url: str, seconds: float) -> list[float]:
    """Time GET / one after another for `seconds`; give each time taken."""
    import urllib.request

    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        with urllib.request.urlopen(url + "/", timeout=30) as response:
            assert response.status == 200
            response.read()
        times.append(time.perf_counter() - started)
        time.sleep(0.02)
    return times


@pytest.fixture
def guarded(tmp_path: Path, url: str) -> Iterator[Server]:
    with live_server(tmp_path / "login", {"REKINDLE_DATABASE_URL": url, "REKINDLE_PROXIES": "1"}) as server:
        subprocess.run(
            [sys.executable, "-m", "webapp.cli", "counsellor", "add", "sam", "--password-stdin"],
            input=b"a long enough password\n",
            env={
                "PATH": "/usr/bin:/bin",
                "REKINDLE_DATABASE_URL": server.database_url,
                "REKINDLE_INSTANCE": str(server.folder),
            },
            check=True,
            capture_output=True,
        )
        yield server


def test_guessing_passwords_gets_429_and_leaves_public_pages_fast(guarded: Server) -> None:
    client = LiveClient(guarded.url)
    codes = []
    for n in range(20):
        page = client.get("/counsellor/login")
        reply = client.post("/counsellor/login", {"csrf_token": page.token, "username": "sam", "password": f"no {n}"})
        codes.append(reply.status)
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}, codes
    assert "Too many attempts, try again in 15 minutes." in reply.body and int(reply.headers["Retry-After"]) > 0

    public_page_times(guarded.url, 1)  # warm both workers
    idle = statistics.median(public_page_times(guarded.url, 3))
    guessers = subprocess.Popen(
        [sys.executable, "-c", GUESSER, guarded.url, "5", "6", "0.05"], stdout=subprocess.PIPE, text=True
    )
    time.sleep(0.5)  # let the guessing get going
    busy = statistics.median(public_page_times(guarded.url, 4))
    answered, _ = guessers.communicate(timeout=60)
    print(f"public page p50 idle {idle * 1000:.1f} ms, during guessing {busy * 1000:.1f} ms; guesses: {answered}")
    assert "200:" in answered  # real password checks ran (and the rest were turned away at once)
    assert busy <= 3 * idle, (idle, busy, answered)
