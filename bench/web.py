"""Web benchmark (not a test): gunicorn on loopback, driven by a multi-process load client.

In one run: GET a question page against GET a hello-world Flask route on the same server
settings, then complete submissions (every page posted with its session and CSRF token, then
the result page) concurrently into the default SQLite database. Prints name=value lines.

    python bench/web.py [--seconds N] [--users N] [--workers N]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(target: str, workers: int, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {
        **os.environ,
        "REKINDLE_SECRET_KEY": "bench-" + "x" * 32,
        "REKINDLE_INSTANCE": str(folder),
        "REKINDLE_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), target],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def _get_loop(args: tuple[str, float]) -> tuple[int, int, list[float]]:
    url, seconds = args
    done = errors = 0
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            done += 1
        except (urllib.error.URLError, OSError) as exc:
            errors += 1
            if errors == 1:
                print(f"first_error={exc!r}", file=sys.stderr)
        latencies.append(time.perf_counter() - start)
    return done, errors, latencies


def _submission_loop(args: tuple[str, float]) -> tuple[int, int, list[float]]:
    """A virtual user: its own cookies (session) and CSRF token, submitting the signs check again and again."""
    base, seconds = args
    done = errors = 0
    latencies: list[float] = []
    answers = {
        "q_new_relationship": "no",
        "q_any_contact": "yes",
        "q_they_start_contact": "often",
        "q_shared_memories": "sometimes",
        "q_tone": "softer",
        "q_curious_about_you": "yes",
        "q_said_try_again": "yes",
        "q_open_to_meeting": "open",
        "q_own_part": "yes",
        "q_concerning": "none",
    }
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        start = time.perf_counter()
        try:
            url = base + "/check/signs-they-want-you-back/1"
            for _ in range(10):
                html = opener.open(url, timeout=10).read().decode()
                token = TOKEN.search(html)
                names = set(re.findall(r'name="(q_[a-z_]+)"', html))
                data = [("csrf_token", token.group(1) if token else "")] + [
                    (n, answers[n]) for n in names if n in answers
                ]
                response = opener.open(url, urllib.parse.urlencode(data).encode(), timeout=10)
                body = response.read().decode()
                url = response.geturl()
                if "/result/" in url:
                    break
            ok = "/result/" in url and "There are real signs of interest" in body
            done += ok
            errors += not ok
        except (urllib.error.URLError, OSError):
            errors += 1
        latencies.append(time.perf_counter() - start)
    return done, errors, latencies


def _load(func, url: str, users: int, seconds: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with multiprocessing.Pool(users) as pool:
        parts = pool.map(func, [(url, seconds)] * users)
    done = sum(p[0] for p in parts)
    errors = sum(p[1] for p in parts)
    latencies = sorted(x for p in parts for x in p[2])
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return {
        "rps": done / seconds,
        "errors": errors,
        "p99_ms": p99 * 1000,
        "median_ms": statistics.median(latencies) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, app_url = _serve("webapp.wsgi:app", args.workers, Path(tmp))
        hello, hello_url = _serve("bench.hello_app:app", args.workers, Path(tmp))
        try:
            hello_stats = _load(_get_loop, hello_url + "/", args.users, args.seconds)
            page_stats = _load(_get_loop, app_url + "/check/red-flags/1", args.users, args.seconds)
            submit_stats = _load(_submission_loop, app_url, args.users, args.seconds)
        finally:
            app.terminate()
            hello.terminate()
            app.wait()
            hello.wait()
    print(f"hello_rps={hello_stats['rps']:.0f}")
    print(f"page_rps={page_stats['rps']:.0f}")
    print(f"page_vs_hello_ratio={page_stats['rps'] / hello_stats['rps']:.2f}")
    print(f"page_p99_ms={page_stats['p99_ms']:.1f}")
    print(f"submissions_per_second={submit_stats['rps']:.1f}")
    print(f"submission_p99_ms={submit_stats['p99_ms']:.1f}")
    print(f"errors={int(hello_stats['errors'] + page_stats['errors'] + submit_stats['errors'])}")


if __name__ == "__main__":
    main()
