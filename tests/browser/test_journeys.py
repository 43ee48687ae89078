"""Real Chromium: every scenario case through the pages, going back, no JavaScript, the exit, axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessments import load_library
from tests.browser.helpers import answer_page, complete

LIBRARY = load_library()
CASES = [pytest.param(s.ruleset, c, id=f"{s.ruleset}: {c.name}") for s in LIBRARY.scenarios for c in s.cases]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.mark.parametrize(("ruleset_id", "case"), CASES)
def test_scenario_case_in_the_browser(page, ruleset_id, case) -> None:  # type: ignore[no-untyped-def]
    complete(page, ruleset_id, case.answers)
    expected = LIBRARY.ruleset(ruleset_id).outcome(case.expect.outcome).title
    cli = LIBRARY.scorer(ruleset_id).score(case.answers).outcome.title
    assert page.locator("h1").inner_text() == expected == cli


def test_go_back_and_change_an_answer(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/check/red-flags/")
    answer_page(page, {"asked-no-contact": "yes"})
    page.click("text=Back")
    assert page.is_checked("input[name='q_asked_no_contact'][value='yes']")
    answer_page(page, {"asked-no-contact": "no"})
    page.goto("/check/red-flags/review")
    assert "Have they asked you not to contact them?" in page.content()
    assert page.locator(".summary-row").first.locator("dd").inner_text() == "No"


def test_a_whole_check_without_javascript(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    complete(page, "signs-they-want-you-back", {"signs-they-want-you-back": {"new-relationship": "yes"}})
    assert page.locator("h1").inner_text() == "Consider letting go"
    context.close()


def test_exit_replaces_the_page_and_back_shows_nothing(page) -> None:  # type: ignore[no-untyped-def]
    complete(page, "red-flags", {"red-flags": {"threats": "yes"}})
    assert page.locator("h1").inner_text() == "Put your safety first"
    page.click("#exit-this-page")
    page.wait_for_url("https://www.bbc.co.uk/weather")
    page.go_back()
    # the result page was replaced in the history, and the page before it finds no answers
    assert page.url.endswith("/") and "Thinking about getting back together?" in page.content()
    page.go_forward()
    assert page.url == "https://www.bbc.co.uk/weather"


def test_shift_three_times_exits(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/check/red-flags/")
    history = page.evaluate("history.length")
    # the server's /exit is tested above; here, that three Shift presses go to it
    page.route("**/exit", lambda route: route.fulfill(status=200, content_type="text/html", body="<p>left</p>"))
    with page.expect_navigation(url="**/exit"):
        for _ in range(3):
            page.keyboard.press("Shift")
    assert page.evaluate("history.length") == history  # replaced, not pushed


def _axe(page) -> None:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_axe_finds_nothing_on_any_page_type(page) -> None:  # type: ignore[no-untyped-def]
    for url in ["/", "/help", "/check/red-flags/", "/no-such-page"]:
        page.goto(url)
        _axe(page)
    page.goto("/check/motivation-check/3")
    page.fill("[name='q_weeks_since']", "999")
    page.click("form button[type=submit]")
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


def test_no_sideways_scrolling_on_a_phone(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": 320, "height": 640})
    page = context.new_page()
    for url in ["/", "/help", "/check/red-flags/", "/check/motivation-check/3"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    context.close()


def test_axe_finds_nothing_in_the_counsellors_area(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/counsellor/login")
    page.click("form button[type=submit]")
    assert "There is a problem" in page.content()
    _axe(page)
    page.fill("#username", "sam")
    page.fill("#password", "a long enough password")
    page.click("form button[type=submit]")
    assert "Questionnaires and rule sets" in page.content()
    _axe(page)


def test_a_counsellor_tries_a_rule_set_and_reads_the_trace(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/counsellor/login")
    page.fill("#username", "sam")
    page.fill("#password", "a long enough password")
    page.click("form button[type=submit]")
    page.click("a[href='/counsellor/rulesets/motivation-check']")
    assert page.locator("h1").inner_text() == "Why do I want them back?"
    assert "Analysis" in page.content()
    _axe(page)
    page.click("text=Try it with your own answers")
    page.check("#a_motivation_check__q_self_harm_thoughts-first")  # "Yes"
    page.click("form button[type=submit]")
    trace = page.locator("#trace-title").inner_text()
    assert trace.startswith("Outcome: Put your safety first")
    rules = page.locator("table", has_text="Why, or why not").inner_text()
    assert "self-harm-thoughts\tYes" in rules
    assert "own-part-unclear\tNo\town-part is not answered" in rules
    _axe(page)


def test_download_pdf_from_the_result_page(page) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    answers = {"red-flags": {"blocked": "no", "accountability": "often"}, "motivation-check": {"weeks-since": 12}}
    complete(page, "should-i-try", answers)
    title = page.locator("h1").inner_text()
    with page.expect_download() as download:
        page.click("text=Download PDF")
    saved = download.value
    assert re.fullmatch(r"summary-\d{4}-\d{2}-\d{2}\.pdf", saved.suggested_filename)
    data = Path(saved.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert " ".join(title.split()) in " ".join(text.split())
    assert "Page 1 of" in text


def test_the_shift_hint_is_shown_with_a_keyboard_and_not_on_touch_screens(browser, server) -> None:  # type: ignore[no-untyped-def]
    for touch, shown in ((False, True), (True, False)):
        context = browser.new_context(base_url=server, has_touch=touch, is_mobile=touch)
        page = context.new_page()
        page.goto("/")
        assert page.locator(".exit-hint").is_visible() is shown
        assert page.locator("#exit-this-page").is_visible()  # the button itself is always there
        context.close()
