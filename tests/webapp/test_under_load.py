"""The server under load, as `rekindle serve` runs it: a page stays quick while four PDFs render
at once, and two app instances with one `rekindle worker` share a load test without an error."""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.servers import Servers

ROOT = Path(__file__).resolve().parents[2]


def render_processes(server_pid: int) -> int:
    """Give how many render processes the server's workers have forked and not yet reaped."""
    count = 0
    for worker in _children(server_pid):
        count += len(_children(worker))
    return count


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        pass
    return found


def sample_renders(server_pid: int, seen: list[int], stop: threading.Event) -> None:
    """Note how many renders run, every 10 ms, until `stop` is set."""
    while not stop.is_set():
        seen.append(render_processes(server_pid))
        time.sleep(0.01)


def page_times(port: int, seconds: float) -> list[float]:
    """Time GET of a question page, one after another on one connection, for `seconds`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        connection.request("GET", "/check/red-flags/1")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        times.append(time.perf_counter() - started)
        time.sleep(0.01)
    connection.close()
    return times


def test_a_page_stays_within_twice_its_idle_time_while_four_pdfs_render_at_once(tmp_path: Path) -> None:
    servers = Servers(tmp_path, workers=2, threads=4)
    servers.env["REKINDLE_PDF_RENDERS"] = "4"  # let four render at once on this machine, whatever its cores
    try:
        [url] = servers.start(1, redis_url=None)
        port = int(url.rsplit(":", 1)[1])
        server_pid = servers.processes[0][0].pid  # `rekindle serve` execs gunicorn in the same process
        database = servers.database_url.removeprefix("sqlite:///")
        page_times(port, 1)  # warm every worker and thread
        idle: list[float] = []
        busy: list[float] = []
        most = 0
        for _ in range(2):  # idle and busy in turn, so a change in the machine's other load hits both
            idle += page_times(port, 1.5)
            downloaders = [
                subprocess.Popen(
                    [sys.executable, "-m", "tests.pdf_downloader", url, database, "3.5"],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(4)
            ]
            seen: list[int] = []
            sampling = threading.Event()
            sampler = threading.Thread(target=sample_renders, args=(server_pid, seen, sampling))
            deadline = time.monotonic() + 30
            while render_processes(server_pid) < 4 and time.monotonic() < deadline:  # the check is done
                time.sleep(0.01)
            sampler.start()
            busy += page_times(port, 2.5)
            sampling.set()
            sampler.join()
            outputs = [d.communicate(timeout=60)[0] for d in downloaders]
            assert all(d.returncode == 0 for d in downloaders), outputs
            most = max(most, *seen)
            made = sum(int(out.strip()) for out in outputs)
            assert made >= 8, outputs  # each of the four made two or more
        idle_ms, busy_ms = statistics.median(idle) * 1000, statistics.median(busy) * 1000
        print(f"page p50 idle {idle_ms:.1f} ms, while four PDFs render {busy_ms:.1f} ms; renders at once: up to {most}")
        assert most == 4  # four did render at once, and never more than the four slots
        assert busy_ms <= 2 * idle_ms, (idle_ms, busy_ms)
    finally:
        servers.stop()


def test_two_app_instances_and_one_worker_share_a_load_test_without_errors(
    tmp_path: Path, pg_url: str, redis_url: str, queue_name: str
) -> None:
    servers = Servers(tmp_path, database_url=pg_url, workers=1, threads=4)
    try:
        urls = servers.start(2, redis_url=redis_url, queue=queue_name)
        load = subprocess.run(
            [sys.executable, "bench/load.py", "--users", "10", "--seconds", "12", "--think", "0.3"]
            + ["--baseline-seconds", "0", "--database-url", pg_url]
            + [arg for url in urls for arg in ("--url", url)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        figures = dict(re.findall(r"^(\w+)=(\S+)$", load.stdout, re.MULTILINE))
        print(load.stdout)
        assert load.returncode == 0, load.stdout + load.stderr[-3000:]
        assert figures["errors"] == "0", load.stdout
        assert figures["results_stored_once"] == "true", load.stdout
        assert int(figures["journeys"]) >= 10 and figures["instances"] == "2"
        logs = servers.logs()
        assert logs.count("PDF summary done") == int(figures["pdfs"])  # every PDF made by the worker
        assert "own pool" not in logs  # no instance ever fell back
    finally:
        servers.stop()


def test_a_stopping_server_finishes_the_render_under_way_and_fails_the_waiting_ones(tmp_path: Path) -> None:
    import sqlite3

    from tests.live import LiveClient
    from tests.pdf_downloader import complete_a_check

    servers = Servers(tmp_path, workers=1, threads=4)
    servers.env["REKINDLE_PDF_RENDERS"] = "1"  # one render at a time: the others wait in the queue
    try:
        [url] = servers.start(1, redis_url=None)
        people = [LiveClient(url) for _ in range(5)]
        results = [complete_a_check(person) for person in people]
        for person, result in zip(people, results, strict=True):
            assert person.get(f"{result}/summary.pdf").status == 303  # handed over, one after another
        db = sqlite3.connect(servers.database_url.removeprefix("sqlite:///"), timeout=30)
        deadline = time.monotonic() + 60
        while not db.execute("SELECT count(*) FROM pdf_jobs WHERE state = 'rendering'").fetchone()[0]:
            assert time.monotonic() < deadline, "no render started"
            time.sleep(0.01)
    finally:
        servers.stop()  # SIGTERM while a render is under way, as a restart or a deploy does
    made = db.execute("SELECT count(*) FROM pdf_cache").fetchone()[0]
    jobs = db.execute("SELECT state, reason FROM pdf_jobs").fetchall()
    db.close()
    assert made >= 1  # the render under way was let finish
    assert made + len(jobs) == 5 and set(jobs) <= {("failed", "restart")}, (made, jobs)
    assert jobs, "every summary was made before the server stopped: nothing was left waiting"
