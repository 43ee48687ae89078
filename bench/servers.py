"""Start and stop what a benchmark measures: app servers as `rekindle serve` runs them, a
`rekindle worker`, and the hello-world baseline under the same gunicorn settings."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Give a local TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Wait until `url` answers; raise with the log when the process ends or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (OSError, urllib.error.URLError):
            if process.poll() is not None:
                break
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start:\n{log.read_text()[-3000:]}")


class Servers:
    """The processes of one benchmark run, all in one temporary folder."""

    def __init__(
        self, folder: Path, *, database_url: str | None = None, workers: int | None = None, threads: int | None = None
    ) -> None:
        from webapp.serving import cores, sizes

        self.folder = folder
        self.database_url = database_url or f"sqlite:///{folder / 'bench.sqlite'}"
        self.workers, self.threads = sizes(cores(), workers, threads)
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.worker_log: Path | None = None
        self._hello: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "REKINDLE_SECRET_KEY": "bench-" + secrets.token_hex(24),
            "REKINDLE_INSTANCE": str(folder / "instance"),
            "REKINDLE_DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
        }

    def _spawn(self, argv: list[str], log_name: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / log_name
        with log.open("wb") as handle:
            process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=self.folder)
        self.processes.append((process, log))
        return process, log

    def hello(self) -> str:
        """Start the hello-world app with the same gunicorn settings; give its URL."""
        from webapp.serving import gunicorn_argv

        port = free_port()
        argv = gunicorn_argv(host="127.0.0.1", port=port, workers=self.workers, threads=self.threads, timeout=30)
        argv[-1] = "bench.hello_app:app"
        process, log = self._spawn([sys.executable, "-m", *_plain_logging(argv)], "hello.log", self.env)
        self._hello = process
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/", process, log)
        return url

    def stop_hello(self) -> None:
        """Stop the hello-world app."""
        if self._hello is not None:
            self._hello.terminate()
            self._hello.wait(30)

    def start(self, instances: int, *, redis_url: str | None, queue: str | None = None) -> list[str]:
        """Start `instances` app servers (and, with Redis, one worker on `queue`); give their URLs."""
        env = dict(self.env)
        if redis_url:
            env["REKINDLE_REDIS_URL"] = redis_url
            env["REKINDLE_PDF_QUEUE"] = queue or f"bench-{secrets.token_hex(4)}"  # apart from anyone else's jobs
            _, self.worker_log = self._spawn([sys.executable, "-m", "webapp.cli", "worker"], "worker.log", env)
            time.sleep(2)  # let it register, so the servers see a worker listening at start-up
        started = []
        for number in range(instances):  # all at once, as instances of a deployment start
            port = free_port()
            argv = [sys.executable, "-m", "webapp.cli", "serve", "--port", str(port)]
            argv += ["--workers", str(self.workers), "--threads", str(self.threads)]
            process, log = self._spawn(argv, f"server-{number}.log", env)
            started.append((f"http://127.0.0.1:{port}", process, log))
        for url, process, log in started:
            wait_until_up(url + "/healthz", process, log)
        return [url for url, _, _ in started]

    def logs(self) -> str:
        """Give every log of this run's processes, one after another."""
        return "\n".join(log.read_text(errors="replace") for _, log in self.processes)

    def pdfs_made_by_worker(self) -> int | None:
        """Give how many summaries the worker made (from its log), or None without a worker."""
        if self.worker_log is None:
            return None
        return self.worker_log.read_text().count("PDF summary done")

    def stop(self) -> None:
        """Stop every process this run started."""
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def _plain_logging(argv: list[str]) -> list[str]:
    """Give gunicorn arguments without the app's private access-log class (the hello app has none)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--logger-class":
            skip = True
            continue
        out.append(arg)
    return out
