"""scripts/setup.sh waits (bounded) for another apt to finish, and says who holds the lock."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAIT = ROOT / "scripts" / "wait_for_apt.py"


def wait_for(lock: Path, seconds: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REKINDLE_APT_LOCKS": str(lock), "REKINDLE_APT_WAIT": str(seconds)}
    return subprocess.run([sys.executable, str(WAIT)], env=env, text=True, capture_output=True, timeout=60)


def me() -> str:
    return f"{Path('/proc/self/comm').read_text().strip()} (pid {os.getpid()})"


def test_free_locks_need_no_waiting(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    lock.touch()
    done = wait_for(lock, 5)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_held_lock_is_waited_for_then_given_up_on_with_who_holds_it(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    with lock.open("w") as held:
        fcntl.lockf(held, fcntl.LOCK_EX)  # as apt and dpkg take it: a POSIX record lock
        done = wait_for(lock, 1)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Waiting for {me()} to release {lock} (another package manager is at work; up to 1 s, 0 s so far)",
        f"{me()} still holds {lock} after 1 s; another package manager is busy (often unattended upgrades)."
        " Wait for it to finish, then run this again.",
    ]


def test_the_wait_ends_when_the_other_apt_finishes(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    with lock.open("w") as held:
        fcntl.lockf(held, fcntl.LOCK_EX)
        threading.Timer(1.5, lambda: fcntl.lockf(held, fcntl.LOCK_UN)).start()
        started = time.monotonic()
        done = wait_for(lock, 30)
    assert done.returncode == 0
    assert 1.0 < time.monotonic() - started < 15
    assert done.stderr.startswith(f"Waiting for {me()} to release {lock}")


def test_setup_waits_before_it_runs_apt() -> None:
    script = (ROOT / "scripts" / "setup.sh").read_text()
    assert script.index('"$PY" scripts/wait_for_apt.py') < script.index('bash -c "${line//apt-get ')
