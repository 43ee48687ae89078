"""Load test (not a test in the suite's sense; the suite runs it once, short): people going
through a whole check and downloading the PDF, driven by Locust (headless, in this process).

Each simulated person starts a new visit (no cookies), opens the home page, picks a check at
random, answers every page at random (skipping some questions; carrying on past the safety
interruption when it comes), checks their answers, submits (every fourth one submits twice, as a
double click does), reads the result, and downloads the PDF the way a browser does: following
the page that refreshes itself every second until the summary is ready. Between pages they pause
for --think seconds on average (0.5x to 1.5x). After --seconds no journey starts; those under
way finish, then the run stops.

Then every journey's result is looked up in the database: `results_stored_once` is true when
each journey's visit has exactly one result row and it is the result that journey was shown
(results are sealed per visit, so rows are counted per visit, never read). The visit id is read
from the journey's own session cookie, which names it in clear.

By default the script starts what it measures — `rekindle serve` (SQLite in a temporary folder,
--workers/--threads as given or the defaults), with --redis also one `rekindle worker` and
REKINDLE_REDIS_URL; --instances N starts N app servers sharing the database and each request
goes to one of them at random, as a load balancer without sticky sessions would — and first
measures a hello-world Flask app under the same users and pauses, as the machine's baseline.
With --url (repeatable) it drives servers that are already running instead, and
--database-url names their database for the check.

    python bench/load.py [--users 50] [--seconds 60] [--think 1.0] [--redis] [--instances 1]
                         [--workers N] [--threads M] [--database-url URL] [--url URL ...]

Prints name=value lines: pages_p95_ms, pages_p99_ms, pdf_p95_ms, requests_per_second, errors,
results_stored_once, and the settings and baseline they were measured with.
"""

# isort: off
from locust import HttpUser, events, task  # first: Locust patches the standard library for gevent
from locust.env import Environment

# isort: on
import argparse
import base64
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import gevent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.journey import CHECKS, answers, carry_on, submit_form
from bench.servers import Servers


@dataclass
class Tally:
    """What the run saw: page and PDF times (seconds), errors, and each finished journey's (visit, result)."""

    pages: list[float] = field(default_factory=list)
    pdfs: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    journeys: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0
    active: int = 0
    stop_starting_at: float = float("inf")
    think: float = 1.0
    urls: list[str] = field(default_factory=list)


TALLY = Tally()


class JourneyFailed(Exception):
    """A step of a journey did not give what a person would expect."""


def visit_of(cookie: str) -> str:
    """Give the visit id a Flask session cookie names (its payload is signed, not encrypted)."""
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if cookie.startswith(".") else raw)
    return str(data["visit"])


class Person(HttpUser):
    """One person after another: a whole check and the PDF each time."""

    host = "http://127.0.0.1"

    def wait_time(self) -> float:
        return 0.0

    def on_start(self) -> None:
        self.journeys_done = 0

    def pause(self) -> None:
        gevent.sleep(TALLY.think * random.uniform(0.5, 1.5))

    def url(self, path: str) -> str:
        return random.choice(TALLY.urls) + path

    def page(self, method: str, path: str, data: list[tuple[str, str]] | None = None, expect: int = 200) -> str:
        """Request a page; give its HTML (or its Location for a redirect); fail the journey on anything else."""
        started = time.perf_counter()
        response = self.client.request(
            method, self.url(path), data=data, allow_redirects=False, name="page", timeout=60
        )
        TALLY.pages.append(time.perf_counter() - started)
        if response.status_code != expect:
            raise JourneyFailed(f"{method} {path.split('/')[1]}: {response.status_code} (expected {expect})")
        return str(response.headers.get("Location", "")) if expect in (302, 303) else response.text

    @task
    def one_journey(self) -> None:
        if time.monotonic() >= TALLY.stop_starting_at:
            gevent.sleep(1)
            return
        TALLY.active += 1
        try:
            self.journey()
        except JourneyFailed as failure:
            TALLY.errors[str(failure)] = TALLY.errors.get(str(failure), 0) + 1
        except Exception as error:  # a dropped connection, a timeout
            key = f"{type(error).__name__}"
            TALLY.errors[key] = TALLY.errors.get(key, 0) + 1
        finally:
            TALLY.active -= 1

    def journey(self) -> None:
        self.client.cookies.clear()  # a new person: a new visit
        home = self.page("GET", "/")
        check = random.choice(CHECKS.findall(home))
        self.pause()
        path = self.page("GET", f"/check/{check}/", expect=302)
        for _ in range(60):
            if path.endswith("/review"):
                break
            html = self.page("GET", path)
            if "/safety" in path:  # the interruption page: carry on with the questions
                onward = carry_on(html)
                if onward is None:
                    raise JourneyFailed("interruption without a way on")
                path = onward
                continue
            self.pause()
            path = self.page("POST", path, answers(html), expect=302)
        else:
            raise JourneyFailed("a check that never reached its review")
        hidden = submit_form(self.page("GET", path))
        self.pause()
        result = self.page("POST", path, hidden, expect=302)
        if not result.startswith("/result/"):
            raise JourneyFailed(f"submit went to {result.split('/')[1]}")
        if random.random() < 0.25:  # a double submit finds the same result
            again = self.page("POST", path, hidden, expect=302)
            if again != result:
                raise JourneyFailed("a second submit gave another result")
        self.page("GET", result)
        self.pause()
        self.download(result)
        visit = visit_of(self.client.cookies.get("session", ""))
        TALLY.journeys.append((visit, result.rsplit("/", 1)[1]))

    def download(self, result: str) -> None:
        """Download the PDF as a browser does, following the refreshing page; time the whole wait."""
        started = time.perf_counter()
        begin = time.perf_counter()
        response = self.client.get(self.url(f"{result}/summary.pdf"), allow_redirects=False, name="pdf", timeout=60)
        for _ in range(120):
            if response.status_code == 200 and response.headers.get("Content-Type") == "application/pdf":
                if not response.content.startswith(b"%PDF-"):
                    raise JourneyFailed("a PDF that is not a PDF")
                TALLY.pdfs.append(time.perf_counter() - started)
                return
            if response.status_code != 303:
                raise JourneyFailed(f"summary.pdf: {response.status_code}")
            TALLY.pages.append(time.perf_counter() - begin)  # the hand-over is a page request too
            waiting = self.page("GET", f"{result}/summary")
            while 'content="1"' in waiting:  # the page refreshes itself every second
                gevent.sleep(1)
                waiting = self.page("GET", f"{result}/summary")
            if 'http-equiv="refresh" content="0;' not in waiting:
                said = re.search(r"<h1>.*?</h1>\s*<p>(.*?)</p>", waiting, re.DOTALL)
                raise JourneyFailed(f"the summary could not be made: {said.group(1) if said else waiting[:200]}")
            begin = time.perf_counter()
            response = self.client.get(self.url(f"{result}/summary.pdf"), allow_redirects=False, name="pdf", timeout=60)
        raise JourneyFailed("the summary never came")


class Hello(HttpUser):
    """The baseline: the same people and pauses against a hello-world route."""

    host = "http://127.0.0.1"

    def wait_time(self) -> float:
        return TALLY.think * random.uniform(0.5, 1.5)

    @task
    def hello(self) -> None:
        started = time.perf_counter()
        response = self.client.get(self.url_base + "/", name="hello", timeout=60)
        TALLY.pages.append(time.perf_counter() - started)
        if response.status_code != 200:
            TALLY.errors["hello"] = TALLY.errors.get("hello", 0) + 1

    url_base = ""


@events.request.add_listener
def _count(**_: object) -> None:
    TALLY.requests += 1


def run(user: type[HttpUser], users: int, seconds: float, settle: float = 120) -> float:
    """Run `users` of a kind for `seconds`, then let journeys under way finish; give the time measured."""
    environment = Environment(user_classes=[user], events=events)
    runner = environment.create_local_runner()
    started = time.monotonic()
    TALLY.stop_starting_at = started + seconds
    runner.start(users, spawn_rate=max(1, users / 5))
    gevent.sleep(seconds)
    deadline = time.monotonic() + settle
    while TALLY.active and time.monotonic() < deadline:
        gevent.sleep(0.2)
    took = time.monotonic() - started
    runner.quit()
    return took


def percentile(values: list[float], share: float) -> float:
    """Give a percentile (nearest rank) in milliseconds, 0 when there are no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] * 1000


def stored_once(database_url: str, journeys: list[tuple[str, str]]) -> bool:
    """Give whether every journey's visit has exactly one result, the one it was shown."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            for visit, result in journeys:
                rows = conn.execute(sa.text("SELECT id FROM results WHERE visit_id = :v"), {"v": visit}).all()
                if [row.id for row in rows] != [result]:
                    print(f"visit has results {len(rows)} instead of its one", file=sys.stderr)
                    return False
    finally:
        engine.dispose()
    return bool(journeys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="how long journeys keep starting")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages, in seconds")
    parser.add_argument("--redis", action="store_true", help="PDFs through Redis and one `rekindle worker`")
    parser.add_argument("--redis-url", default=os.environ.get("REKINDLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--instances", type=int, default=1, help="app servers sharing the database")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes per server")
    parser.add_argument("--threads", type=int, help="threads per worker process")
    parser.add_argument("--database-url", help="the database (default: SQLite in a temporary folder)")
    parser.add_argument("--url", action="append", default=[], help="drive this running server instead (repeatable)")
    parser.add_argument("--baseline-seconds", type=float, default=10, help="hello-world baseline; 0 to skip")
    args = parser.parse_args()
    TALLY.think = args.think

    load_before = os.getloadavg()[0]
    client_cpu = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(Path(folder), database_url=args.database_url, workers=args.workers, threads=args.threads)
        try:
            baseline = None
            if args.baseline_seconds and not args.url:
                Hello.url_base = servers.hello()
                run(Hello, args.users, args.baseline_seconds, settle=0)
                baseline = (percentile(TALLY.pages, 0.50), percentile(TALLY.pages, 0.95))
                servers.stop_hello()
                TALLY.pages.clear()
                TALLY.requests = 0
            if args.url:
                TALLY.urls = list(args.url)
            else:
                TALLY.urls = servers.start(args.instances, redis_url=args.redis_url if args.redis else None)
            took = run(Person, args.users, args.seconds)
            database_url = args.database_url or servers.database_url
            once = stored_once(database_url, TALLY.journeys) if database_url else None
            made_by_worker = servers.pdfs_made_by_worker()
            if TALLY.errors:  # what the servers said about it, before their folder goes
                for line in servers.logs().splitlines():
                    if any(word in line for word in ("ERROR", "WARNING", "Traceback", "Error")):
                        print(f"server_log: {line}", file=sys.stderr)
        finally:
            servers.stop()
    client_cpu = time.process_time() - client_cpu
    # every server process has been waited for, and each waited for its own (workers, renders)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)

    database = "postgresql" if (args.database_url or "").startswith("postgresql") else "sqlite"
    settings = {"users": args.users, "seconds": f"{args.seconds:g}", "think_s": f"{args.think:g}"}
    settings |= {"instances": len(TALLY.urls), "database": database}
    if not args.url:  # what this run started (servers given by --url are as they were started)
        settings |= {"redis": "yes" if args.redis else "no", "workers": servers.workers, "threads": servers.threads}
    for name, value in settings.items():
        print(f"{name}={value}")
    if baseline:
        print(f"baseline_hello_p50_ms={baseline[0]:.1f}")
        print(f"baseline_hello_p95_ms={baseline[1]:.1f}")
    print(f"pages_p50_ms={percentile(TALLY.pages, 0.50):.1f}")
    print(f"pages_p95_ms={percentile(TALLY.pages, 0.95):.1f}")
    print(f"pages_p99_ms={percentile(TALLY.pages, 0.99):.1f}")
    print(f"pdf_p50_ms={percentile(TALLY.pdfs, 0.50):.0f}")
    print(f"pdf_p95_ms={percentile(TALLY.pdfs, 0.95):.0f}")
    print(f"requests_per_second={TALLY.requests / took:.1f}")
    print(f"journeys={len(TALLY.journeys)}")
    print(f"pdfs={len(TALLY.pdfs)}")
    if made_by_worker is not None:
        print(f"pdfs_made_by_worker={made_by_worker}")
    if not args.url:
        print(f"server_cpu_s={used.ru_utime + used.ru_stime:.1f}")  # start-up included
    print(f"load_generator_cpu_s={client_cpu:.1f}")
    print(f"machine_load_before={load_before:.1f}")  # the 1-minute load average: other work on the machine
    print(f"machine_load_after={os.getloadavg()[0]:.1f}")
    print(f"cores={os.cpu_count()}")
    print(f"errors={sum(TALLY.errors.values())}")
    for kind, count in sorted(TALLY.errors.items()):
        print(f"error_seen={count}x {kind}")
    print(f"results_stored_once={'true' if once else 'false' if once is not None else 'unknown'}")


if __name__ == "__main__":
    main()
