"""Real Chromium: every scenario case through the pages, going back, no JavaScript, the exit, axe."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

from assessments import load_library
from tests.browser.helpers import answer_page, complete

LIBRARY = load_library()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _representative() -> list[tuple[str, Any]]:
    """One scenario case per outcome of the full check, and the first case of each other check.

    Every case runs through the pages with the test client (tests/webapp/test_pages.py); the
    browser walks these few, in one session, because a real browser is slow.
    """
    chosen: dict[tuple[str, str], Any] = {}
    for scenarios in LIBRARY.scenarios:
        for case in scenarios.cases:
            key = (scenarios.ruleset, case.expect.outcome if scenarios.ruleset == "should-i-try" else "")
            chosen.setdefault(key, case)
    return [(ruleset_id, case) for (ruleset_id, _), case in chosen.items()]


def _case(ruleset_id: str, name: str) -> Any:
    return next(c for f in LIBRARY.scenarios if f.ruleset == ruleset_id for c in f.cases if c.name == name)


def test_representative_cases_in_the_browser(page) -> None:  # type: ignore[no-untyped-def]
    walked = _representative()
    assert len({case.expect.outcome for r, case in walked if r == "should-i-try"}) == 8  # every outcome
    charted = False
    for ruleset_id, case in walked:
        complete(page, ruleset_id, case.answers)
        expected = LIBRARY.ruleset(ruleset_id).outcome(case.expect.outcome).title
        cli = LIBRARY.scorer(ruleset_id).score(case.answers).outcome.title
        assert page.locator("h1").inner_text() == expected == cli, case.name
        # one result decided by its scores: the chart, and the reasons that weighed elsewhere apart
        if not charted and page.locator("svg.chart").count() and "Other things you told us" in page.content():
            _axe(page)
            charted = True
    assert charted


def test_choked_once_interrupts_then_gives_a_high_risk_result_without_scores(page) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    page.goto("/check/should-i-try/")
    answer_page(page, {q: "no" for q in ("said-no", "asked-no-contact", "blocked", "court-order")})
    answer_page(page, {"strangled": "yes"})  # the first safety page
    assert page.url.endswith("/check/should-i-try/2/safety")  # before the next section
    assert page.locator("h1").inner_text() == "Before you go on"
    content = page.content()
    assert content.index("If you are in danger now") < content.index("National Domestic Abuse Helpline")
    _axe(page)
    page.click("text=See my result now")
    assert page.locator("h1").inner_text() == "Please talk to a specialist today"
    assert page.locator("svg.chart").count() == 0 and "Your scores" not in page.content()
    assert "Other things you told us" not in page.content() and "Pursue" not in page.content()
    lists = page.locator(".safety-panel ul.resources:not(.emergency)")
    for index in range(lists.count()):  # each service once in each country's list
        names = lists.nth(index).locator("li > strong").all_text_contents()
        assert names and len(names) == len(set(names)), names
    _axe(page)
    with page.expect_download() as download:
        page.click("text=Download PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages)
    assert "Please talk to a specialist today" in text
    assert "Your scores" not in text and "towards" not in text and "Signs of interest" not in text


def test_control_with_skipped_danger_questions_never_gives_pursue(page) -> None:  # type: ignore[no-untyped-def]
    case = _case("should-i-try", "Controlled your money and skipped the danger questions: never pursue")
    complete(page, "should-i-try", case.answers)
    assert page.locator("h1").inner_text() == "Consider letting go"
    content = page.content()
    assert "Signs of control" in content and "Pursue" not in content and "reach out" not in content


def test_own_behaviour_is_met_kindly_and_pointed_to_help(page) -> None:  # type: ignore[no-untyped-def]
    complete(
        page,
        "motivation-check",
        _case("motivation-check", "Your own behaviour (kept-messaging): take a step back, with help").answers,
    )
    assert page.locator("h1").inner_text() == "Take a step back"
    content = page.content()
    assert "It does not make you a bad person." in content and "Respect Phoneline" in content


def test_choosing_a_country_works_without_javascript(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/help")
    page.select_option("#country", "IE")
    page.click(".country-form button")
    assert page.url.endswith("/help")
    content = page.content()
    details = content.index("<details")
    assert content.index("Women's Aid 24hr National Freephone Helpline") < details
    assert not page.locator("details.other-countries").get_attribute("open")
    assert not page.locator("text=Live Fear Free").is_visible()  # other countries stay folded
    page.click("details.other-countries summary")
    assert page.locator("text=Live Fear Free").is_visible()

    # the interruption page and the result offer the same choice, and keep the one made for the visit
    page.goto("/check/red-flags/")
    answer_page(page, {})
    answer_page(page, {"strangled": "yes"})
    assert page.url.endswith("/check/red-flags/2/safety")
    _country_first(page, "Women's Aid 24hr National Freephone Helpline", "National Domestic Abuse Helpline")
    page.select_option("#country", "GB")
    page.click(".country-form button")
    assert page.url.endswith("/check/red-flags/2/safety")
    _country_first(page, "National Domestic Abuse Helpline", "Women's Aid 24hr National Freephone Helpline")
    page.click("text=See my result now")
    assert page.locator("h1").inner_text() == "Please talk to a specialist today"
    _country_first(page, "National Domestic Abuse Helpline", "Women's Aid 24hr National Freephone Helpline")
    page.select_option("#country", "AU")
    page.click(".country-form button")
    assert "/result/" in page.url
    _country_first(page, "1800RESPECT", "National Domestic Abuse Helpline")
    context.close()

    # kept in that browser's session only: another starts from its own language (en-US here), not from AU
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/help")
    assert page.input_value("#country") == "US"
    _country_first(page, "National Domestic Violence Hotline", "1800RESPECT")
    context.close()


def _country_first(page, mine: str, elsewhere: str) -> None:  # type: ignore[no-untyped-def]
    """Fail unless `mine` is shown and `elsewhere` is folded away in the other countries' disclosure."""
    assert page.locator(f"text={mine}").first.is_visible()
    assert not page.locator("details.other-countries").get_attribute("open")
    assert not page.locator(f"text={elsewhere}").first.is_visible()
    assert page.locator("details.other-countries", has_text=elsewhere).count() == 1


def test_go_back_and_change_an_answer(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/check/red-flags/")
    answer_page(page, {"said-no": "yes"})
    page.click("text=Back")
    assert page.is_checked("input[name='q_said_no'][value='yes']")
    answer_page(page, {"said-no": "no"})
    page.goto("/check/red-flags/review")
    assert "Have they told you they do not want to get back together?" in page.content()
    assert page.locator(".summary-row").first.locator("dd").inner_text() == "No"


def test_a_whole_check_without_javascript(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    complete(page, "signs-they-want-you-back", {"signs-they-want-you-back": {"new-relationship": "yes"}})
    assert page.locator("h1").inner_text() == "Consider letting go"
    context.close()


def _axe(page) -> None:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_axe_finds_nothing_on_any_page_type(page) -> None:  # type: ignore[no-untyped-def]
    for url in ["/", "/help", "/how-it-works", "/check/red-flags/", "/no-such-page"]:
        page.goto(url)
        _axe(page)
    page.goto("/check/motivation-check/3")
    page.fill("[name='q_weeks_since']", "999")
    page.click("main form button[type=submit]")
    assert "There is a problem" in page.content()
    _axe(page)
    page.goto("/check/red-flags/")
    answer_page(page, {"blocked": "no"})
    page.goto("/check/red-flags/review")
    assert "Check your answers" in page.content()
    _axe(page)
    complete(page, "should-i-try", {"red-flags": {"afraid": "yes"}, "motivation-check": {"weeks-since": 3}})
    assert page.locator("h1").inner_text() == "Put your safety first"
    _axe(page)
    page.goto("/help")  # a country chosen, and the other countries' services unfolded
    page.select_option("#country", "IE")
    page.click(".country-form button")
    page.click("details.other-countries summary")
    assert page.locator("details.other-countries").get_attribute("open") is not None
    _axe(page)


def test_no_sideways_scrolling_on_a_phone(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": 320, "height": 640})
    page = context.new_page()
    for url in ["/", "/help", "/check/red-flags/", "/check/motivation-check/3"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    context.close()


def test_axe_finds_nothing_in_the_counsellors_area(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/counsellor/login")
    page.click("main form button[type=submit]")
    assert "There is a problem" in page.content()
    _axe(page)
    page.fill("#username", "sam")
    page.fill("#password", "a long enough password")
    page.click("main form button[type=submit]")
    assert "Questionnaires and rule sets" in page.content()
    _axe(page)


def test_a_counsellor_tries_a_rule_set_and_reads_the_trace(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/counsellor/login")
    page.fill("#username", "sam")
    page.fill("#password", "a long enough password")
    page.click("main form button[type=submit]")
    page.click("a[href='/counsellor/rulesets/motivation-check']")
    assert page.locator("h1").inner_text() == "Why do I want them back?"
    assert "Analysis" in page.content()
    _axe(page)
    page.click("text=Try it with your own answers")
    page.check("#a_motivation_check__q_self_harm_thoughts-first")  # "Yes"
    page.click("main form button[type=submit]")
    trace = page.locator("#trace-title").inner_text()
    assert trace.startswith("Outcome: Put your safety first")
    rules = page.locator("table", has_text="Why, or why not").inner_text()
    assert "self-harm-thoughts\tYes" in rules
    assert "own-part-unclear\tNo\town-part is not answered" in rules
    _axe(page)


@contextlib.contextmanager
def _render_slot_held(folder: Path) -> Iterator[None]:
    """Hold the live server's one render slot (webapp/renderpool.py): a summary asked for meanwhile waits."""
    slot = os.open(folder / ".pdf-render-0.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(slot, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(slot, fcntl.LOCK_UN)
        os.close(slot)


def test_download_pdf_from_the_result_page(page, server_folder) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    answers = {"red-flags": {"blocked": "no", "accountability": "often"}, "motivation-check": {"weeks-since": 12}}
    complete(page, "should-i-try", answers)
    title = page.locator("h1").inner_text()
    result = page.url
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    # while the render slot is held the summary cannot be made, so the page waits for it; once the
    # slot is let go the page, asking in the background, finds it made and starts the download
    with page.expect_download() as download, _render_slot_held(server_folder):
        page.click("text=Download PDF")
        assert page.url.endswith("/summary")
        assert page.locator("h1").inner_text() == "Your summary is being made"
        _axe(page)
        assert loads == [page.url]  # with JavaScript it is never reloaded under the reader
    saved = download.value
    assert re.fullmatch(r"summary-\d{4}-\d{2}-\d{2}\.pdf", saved.suggested_filename)
    data = Path(saved.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert " ".join(title.split()) in " ".join(text.split())
    assert "Page 1 of" in text
    page.goto(result)
    page.click("text=Delete my answers")
    assert page.url.endswith("/deleted")
    assert page.locator("h1").inner_text() == "Your answers have been deleted"
    _axe(page)


def test_the_shift_hint_is_shown_with_a_keyboard_and_not_on_touch_screens(browser, server) -> None:  # type: ignore[no-untyped-def]
    for touch, shown in ((False, True), (True, False)):
        context = browser.new_context(base_url=server, has_touch=touch, is_mobile=touch)
        page = context.new_page()
        page.goto("/")
        assert page.locator(".exit-hint").is_visible() is shown
        assert page.locator("#exit-this-page").is_visible()  # the button itself is always there
        context.close()
