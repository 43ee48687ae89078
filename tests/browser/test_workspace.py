"""Real Chromium, two counsellors and two app instances (gunicorn, forked workers) on one database
— PostgreSQL when REKINDLE_TEST_DATABASE_URL is set, else one SQLite file — following the
workspace's "done when": write a rule set over a bundled questionnaire, see a planted mistake at
its line, fix it, run its cases, read the semantic diff, submit; the reviewer approves; the other
instance offers it within 5 seconds; a second version changes an outcome and a rollback restores
it; every worker restarted while a draft is broken changes nothing for the public; the audit log
lists every step; axe finds nothing on any workspace page. One session, for speed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from assessments.library import BUNDLED
from tests.browser.helpers import complete
from tests.browser.test_journeys import _axe
from tests.live import Server, live_server

SUDDEN = {"red-flags": {"moving-on-reaction": ["sudden-declarations"]}}
PASSWORD = "a long enough password"
RULES = "/counsellor/library/ruleset/my-red-flags"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("REKINDLE_TEST_DATABASE_URL"):
        from tests.webapp.conftest import pg_schema_url

        yield from pg_schema_url()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('shared') / 'shared.sqlite'}"


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[tuple[Server, Server]]:
    settings = {"REKINDLE_DATABASE_URL": database, "REKINDLE_LIBRARY": "", "REKINDLE_PURGE_INTERVAL_SECONDS": "0"}
    env = {**os.environ, **settings, "REKINDLE_SECRET_KEY": "live-server-tests-" + "k" * 32}
    env["REKINDLE_INSTANCE"] = str(tmp_path_factory.mktemp("accounts"))
    for name, role in (("ann", "author"), ("rae", "admin")):
        subprocess.run(
            [sys.executable, "-m", "webapp.cli", "counsellor", "add", name, "--role", role, "--password-stdin"],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(live_server(tmp_path_factory.mktemp("first"), settings))
        second = stack.enter_context(live_server(tmp_path_factory.mktemp("second"), settings))
        yield first, second


def _sign_in(browser: Any, base: str, name: str) -> Any:
    page = browser.new_context(base_url=base).new_page()
    page.goto("/counsellor/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    return page


def _save(page: Any, replace: tuple[str, str], cases: tuple[str, str] | None = None) -> None:
    for field, change in (("#text_ruleset", replace), ("#text_scenarios", cases)):
        if change is not None:
            text = page.input_value(field)
            assert change[0] in text, change
            page.fill(field, text.replace(change[0], change[1], 1))
    page.click("text=Save as a draft")


def _outcome(browser: Any, base: str, answers: dict[str, Any]) -> str:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    complete(page, "my-red-flags", answers)
    title = str(page.locator("h1").inner_text())
    context.close()
    return title


def _until(check: Any, seconds: float) -> float:
    """Give how long `check` took to come true, polling; fail after `seconds`."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def _offers(server: Server) -> bool:
    try:
        with urllib.request.urlopen(server.url + "/", timeout=5) as response:
            return "/check/my-red-flags/" in response.read().decode()
    except OSError:  # restarted workers still building the app on a busy machine: not yet
        return False


def test_two_counsellors_publish_a_rule_set_that_a_second_instance_serves(browser: Any, instances: Any) -> None:
    first, second = instances
    ann = _sign_in(browser, first.url, "ann")
    ann.goto("/counsellor/library/")
    ann.select_option("#upload-kind", "ruleset")
    ann.set_input_files("#upload-file", str(BUNDLED / "rules" / "red-flags.yaml"))
    ann.click("text=Upload as a new draft")  # a rule set whose id is taken: refused, nothing stored
    assert "rule set 'red-flags' exists already" in ann.locator("#refusal").inner_text()
    _axe(ann)  # the library page as it always is, and the refusal above it
    ann.select_option("#questionnaire", "red-flags")
    ann.fill("#ruleset_id", "my-red-flags")
    ann.click("text=Start from the starter")
    assert ann.url.endswith(RULES + "/edit")
    assert ann.locator("#problems h2").inner_text() == "Ready to publish"
    _axe(ann)

    # a planted mistake: saved as a draft, shown at its line with the CLI's words
    _save(ann, ("force: take-care-first", "force: take-car-first"))
    problem = ann.locator("tr.problem-line", has_text="force:")
    assert "force: take-car-first" in problem.locator("mark").inner_text()
    assert (
        "rules/my-red-flags.yaml:" in problem.inner_text()
        and "unknown outcome 'take-car-first'" in problem.inner_text()
    )
    assert ann.locator("#problems h2").inner_text() == "Publishing would be refused"
    _axe(ann)

    # another tab saves first: this one is refused with what changed, and keeps its text
    other = ann.context.new_page()
    other.goto(RULES + "/edit")
    _save(ann, ("force: take-car-first", "force: take-care-first"))  # fixed
    _save(other, ('because: "Say what you noticed."', 'because: "Say what you saw."'))
    assert "changed since you opened it" in other.locator("#stale").inner_text()
    _axe(other)
    other.close()
    assert ann.locator("#problems h2").inner_text() == "Ready to publish"
    assert ann.locator("table", has_text="Scenario cases").locator("td", has_text="Passed").count() == 2

    ann.click("text=What would change: the semantic diff")
    assert "What changes for people" in ann.content() and "Scenario cases:" in ann.content()
    _axe(ann)
    ann.goto(RULES + "/try")
    _axe(ann)
    ann.goto(RULES)
    ann.click("text=Submit for review")
    assert "in review" in ann.locator("dl.facts").inner_text()
    _axe(ann)

    rae = _sign_in(browser, first.url, "rae")
    rae.goto("/counsellor/library/")
    rae.click(f"a[href='{RULES}']")
    rae.fill("#comment", "Reads well.")
    _axe(rae)  # the reviewer's view: approve or send back, with a comment
    rae.click("text=Approve and publish")
    published_at = time.monotonic()
    assert "v3, by ann" in rae.locator("dl.facts").inner_text()
    waited = _until(lambda: _offers(second), 5)  # the other instance, without a restart
    print(
        f"second instance offered it {time.monotonic() - published_at:.2f} s after publishing (polled {waited:.2f} s)"
    )
    assert _outcome(browser, second.url, SUDDEN) == "Take care of yourself first"

    # a second version changes that outcome; then the reviewer rolls back to the first
    ann.goto(RULES + "/edit")
    _save(ann, ("force: take-care-first", "force: go-slowly"), ("outcome: take-care-first", "outcome: go-slowly"))
    ann.goto(RULES)
    ann.click("text=Submit for review")
    rae.goto(RULES)
    rae.click("text=Approve and publish")
    time.sleep(1.5)  # each instance looks at the library generation at most once a second
    assert _outcome(browser, second.url, SUDDEN) == "Go slowly"
    rae.click("text=Roll back to v3")
    assert "v5, by rae" in rae.locator("dl.facts").inner_text()
    _axe(rae)
    time.sleep(1.5)
    assert _outcome(browser, second.url, SUDDEN) == "Take care of yourself first"

    # every worker of the second instance restarted while a draft is broken: nothing changes for the public
    ann.goto(RULES + "/edit")
    _save(ann, ("kind: ruleset", "kind: ruleset\n  broken: [\n"))
    assert ann.locator("tr.problem-line").count() >= 1
    ann.set_input_files("#upload-file", str(BUNDLED / "questionnaires" / "red-flags.yaml"))
    ann.click("button:text-is('Upload')")  # a questionnaire where a rule set goes: refused, nothing stored
    assert "but it was put where a rule set goes" in ann.locator("#refusal").inner_text()
    _axe(ann)
    ann.goto(RULES)
    ann.click("text=Submit for review")  # refused while the draft does not load
    assert "Not submitted: fix these first" in ann.locator("#alert").inner_text()
    _axe(ann)
    second.process.send_signal(signal.SIGHUP)  # gunicorn starts new workers, which build the app afresh
    time.sleep(2)
    _until(lambda: _offers(second), 30)
    assert _outcome(browser, second.url, SUDDEN) == "Take care of yourself first"

    # the audit log lists every step, with who and when
    rae.goto("/counsellor/admin/audit")
    _axe(rae)
    log = rae.locator("table").inner_text()
    for who, what, version in [
        ("ann", "saved", "v1"),
        ("ann", "saved", "v2"),
        ("ann", "saved", "v3"),
        ("ann", "submitted", "v3"),
        ("rae", "approved", "v3"),
        ("rae", "published", "v3"),
        ("ann", "submitted", "v4"),
        ("rae", "published", "v4"),
        ("rae", "rolled back", "v5"),
        ("ann", "saved", "v6"),
    ]:
        assert any(
            f"\t{who}\t{what}\truleset my-red-flags\t{version}\t" in line and line[:4].isdigit()
            for line in log.splitlines()
        ), (who, what, version)
    rae.goto("/counsellor/admin/")
    _axe(rae)
    rae.goto("/counsellor/")
    _axe(rae)
