"""Wait, for a bounded time, until no other apt or dpkg holds the package locks; say who does.

scripts/setup.sh runs this before apt-get, so `make run` on a fresh machine where unattended
upgrades (or another apt) is busy waits instead of failing at once. apt and dpkg take POSIX
record locks (fcntl), so a lock is tested by trying one without blocking; the holder is found in
/proc/locks by the file's inode. Exit 0 when the locks are free, 1 when the time ran out.

    REKINDLE_APT_WAIT   seconds to wait at most (default 300)
    REKINDLE_APT_LOCKS  the lock files, separated by ':' (default: dpkg's and apt's)

Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time

LOCKS = "/var/lib/dpkg/lock-frontend:/var/lib/dpkg/lock:/var/lib/apt/lists/lock:/var/cache/apt/archives/lock"


def holder(path: str) -> int | None:
    """Give the pid holding a POSIX lock on the file, 0 if held by an unknown process, None if free."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None  # no such lock file (or not ours to lock): nothing to wait for
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return _pid_from_proc_locks(os.fstat(fd))
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _pid_from_proc_locks(stat: os.stat_result) -> int:
    wanted = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    try:
        with open("/proc/locks") as locks:
            for line in locks:
                fields = line.split()
                if len(fields) > 5 and fields[5] == wanted and fields[1] == "POSIX":
                    return int(fields[4])
    except OSError:
        pass
    return 0


def describe(pid: int) -> str:
    """Give 'apt-get (pid 1234)', or what can be said without a name."""
    if pid <= 0:
        return "another process"
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return f"{comm.read().strip()} (pid {pid})"
    except OSError:
        return f"pid {pid}"


def main() -> int:
    """Wait until every lock is free, or the time is up; give the exit status."""
    limit = float(os.environ.get("REKINDLE_APT_WAIT", "300"))
    locks = [p for p in os.environ.get("REKINDLE_APT_LOCKS", LOCKS).split(":") if p]
    start = time.monotonic()
    told = 0.0
    while True:
        busy = [(path, pid) for path in locks if (pid := holder(path)) is not None]
        if not busy:
            return 0
        waited = time.monotonic() - start
        path, pid = busy[0]
        if waited >= limit:
            print(
                f"{describe(pid)} still holds {path} after {waited:.0f} s; another package manager is busy"
                " (often unattended upgrades). Wait for it to finish, then run this again.",
                file=sys.stderr,
            )
            return 1
        if told == 0 or waited - told >= 30:
            print(
                f"Waiting for {describe(pid)} to release {path} (another package manager is at work; up to"
                f" {limit:.0f} s, {waited:.0f} s so far)",
                file=sys.stderr,
                flush=True,
            )
            told = max(waited, 0.001)
        time.sleep(min(1.0, max(limit - waited, 0.05)))


if __name__ == "__main__":
    sys.exit(main())
