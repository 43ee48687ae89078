"""This server's own pool of PDF renders, for one machine without Redis (and whenever Redis is away).

Each serving process keeps a short queue and as many threads as the machine has render slots;
a thread takes a job, forks a render process for it (reports/worker.py: hard time limit,
lower CPU priority) and waits for it without holding Python's lock, so the process's request
threads keep serving pages. A request only puts the job in the queue, which takes microseconds.

At most REKINDLE_PDF_RENDERS renders run at once on the machine, whichever worker processes
hold them: each render holds one of that many lock files in the instance folder (the way
webapp/throttle.py bounds password checks), and a render that finds them all taken waits for
one. So however many web workers there are, PDFs never take more cores than that, and one
worker alone can use them all.

When a worker process stops (gunicorn restarts it, or the server stops) the render under way
is let finish — gunicorn gives a stopping worker its --timeout, which `rekindle serve` keeps
above REKINDLE_PDF_TIMEOUT — and the jobs still waiting are marked failed, so the person is
offered to try again at once instead of waiting for a job that will not run.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from webapp.pdfjobs import Renderer, RenderJob

log = logging.getLogger(__name__)

WAITING = 200  # jobs one process keeps waiting; past that a request is told to try again shortly


class LocalPool:
    """A queue of render jobs in this process, run by a thread per slot, within the machine's slots."""

    def __init__(self, make_renderer: Callable[[], Renderer], folder: Path, slots: int) -> None:
        self.make_renderer = make_renderer
        self.paths = [folder / f".pdf-render-{i}.lock" for i in range(max(1, slots))]
        self._lock = threading.Lock()
        self._warming = threading.Lock()
        self._pid = 0
        self._jobs: queue.Queue[RenderJob | None] = queue.Queue(WAITING)
        self._renderer: Renderer | None = None
        self._threads: list[threading.Thread] = []

    def submit(self, job: RenderJob) -> bool:
        """Put a job in the queue; give False when the queue is full."""
        self._ensure_running()
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            return False
        return True

    def _ensure_running(self) -> None:
        # a forked gunicorn worker starts its own threads (its parent's are not running in it)
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._jobs = queue.Queue(WAITING)
            self._renderer = self.make_renderer()
            self._threads = [
                threading.Thread(target=self._work, name=f"rekindle-pdf-{n}", daemon=True)
                for n in range(len(self.paths))
            ]
            for thread in self._threads:
                thread.start()
            self._pid = os.getpid()
            atexit.register(self._stop)

    def _work(self) -> None:
        from reports.render import warm_up

        with self._warming:  # once per process (the first thread): every render forked from it then starts warm
            warm_up()
        renderer = self._renderer
        assert renderer is not None
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._slot():
                renderer.run(job)

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """Hold one of the machine's render slots for the block, waiting for one when all are taken."""
        opened = [os.open(path, os.O_CREAT | os.O_RDWR, 0o600) for path in self.paths]
        try:
            held = next((fd for fd in opened if _try_lock(fd)), None)
            if held is None:  # all taken: wait on one (each process on its own, so they spread out)
                held = opened[os.getpid() % len(opened)]
                fcntl.flock(held, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(held, fcntl.LOCK_UN)
        finally:
            for fd in opened:
                os.close(fd)

    def _stop(self) -> None:
        """At exit: mark the waiting jobs failed (so the person may retry now) and let the current render finish."""
        if self._pid != os.getpid() or not self._threads:
            return
        renderer = self._renderer
        waiting = []
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                waiting.append(job)
        for job in waiting:
            try:
                assert renderer is not None
                renderer.book.fail(job.result_id, job.version_key, "restart")
            except Exception as error:
                log.error("could not mark a waiting PDF summary as failed: %s", type(error).__name__)
        for _ in self._threads:
            self._jobs.put(None)
        deadline = time.monotonic() + (renderer.pdf_timeout + 1 if renderer else 1)
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
