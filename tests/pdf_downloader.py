"""Keep one PDF summary being made, over and over, against a live server (run as a process of its
own, so its work does not share the measuring process's interpreter lock).

    python -m tests.pdf_downloader URL SQLITE_FILE SECONDS

It completes the combined check once (the largest summary), then for SECONDS: asks for the PDF
(which hands a render over), waits until the server has cached it and forgotten the job
(reading the server's SQLite file), deletes the cached copy so that the next request renders
again, and goes round. Prints how many PDFs were made.
"""

from __future__ import annotations

import sqlite3
import sys
import time

from bench.journey import answers, carry_on, submit_form
from tests.live import LiveClient


def complete_a_check(client: LiveClient) -> str:
    """Answer the combined check at random and submit it; give the result's path."""
    path = client.get("/check/should-i-try/").location
    while not path.endswith("/review"):
        page = client.get(path)
        if "/safety" in path:
            onward = carry_on(page.body)
            assert onward, page.body[:500]
            path = onward
            continue
        reply = client.post(path, dict(answers(page.body)))
        assert reply.status == 302, reply.body[:500]
        path = reply.location
    done = client.post(path, dict(submit_form(client.get(path).body)))
    assert done.location.startswith("/result/"), done.status
    return done.location


def main() -> None:
    base, database, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    client = LiveClient(base)
    result = complete_a_check(client)
    result_id = result.rsplit("/", 1)[1]
    db = sqlite3.connect(database, timeout=30)
    made = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        handed = client.get(f"{result}/summary.pdf")
        assert handed.status in (200, 303), handed.status
        while time.monotonic() < end + 30:
            cached = db.execute("SELECT count(*) FROM pdf_cache WHERE result_id = ?", (result_id,)).fetchone()[0]
            states = [row[0] for row in db.execute("SELECT state FROM pdf_jobs WHERE result_id = ?", (result_id,))]
            if "failed" in states:
                raise SystemExit("a summary failed to be made")
            if cached and not states:
                break
            time.sleep(0.02)
        made += 1
        with db:
            db.execute("DELETE FROM pdf_cache WHERE result_id = ?", (result_id,))
    print(made)


if __name__ == "__main__":
    main()
