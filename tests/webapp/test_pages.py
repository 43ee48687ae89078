"""Every page through the Flask test client: the journey, results, deletion, help, exit, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from assessments import load_library
from assessments.presentation import present
from tests.webapp.flow import carry_on_url, complete, csrf_token, post_page

LIBRARY = load_library()
CASES = [pytest.param(s.ruleset, case, id=f"{s.ruleset}: {case.name}") for s in LIBRARY.scenarios for case in s.cases]


def flows(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["rekindle"].flows


def test_home_lists_every_check_with_its_minutes(client: FlaskClient) -> None:
    html = client.get("/").data.decode()
    assert "Should I try?" in html and "About 17 minutes · 15 sections" in html
    for title, minutes in [("Red flags check", 6), ("Why do I want them back?", 7), ("Signs they want you back", 4)]:
        assert f">{title}</a>" in html and f"About {minutes} minutes" in html


@pytest.mark.parametrize(("ruleset_id", "case"), CASES)
def test_every_scenario_case_completed_through_the_pages_gives_its_outcome(app: Flask, ruleset_id, case) -> None:  # type: ignore[no-untyped-def]
    response = complete(app.test_client(), flows(app)[ruleset_id], case.answers)
    assert response.status_code == 200
    html = response.data.decode()
    expected = LIBRARY.ruleset(ruleset_id).outcome(case.expect.outcome)
    assert f"<h1>{escape(expected.title)}</h1>" in html
    cli_result = LIBRARY.scorer(ruleset_id).score(case.answers)
    assert cli_result.outcome.id == case.expect.outcome
    shown = present(cli_result)
    for reason in (*shown.reasons, *shown.other_reasons):
        assert str(escape(reason)) in html
    if shown.safety_first:  # no scores and no reasons that weighed towards other outcomes
        assert "Your scores" not in html and "<svg" not in html
        for rule in cli_result.fired:
            if rule.because not in shown.reasons:
                assert str(escape(rule.because)) not in html


def test_a_page_shows_section_progress_fieldsets_and_no_preselected_answer(client: FlaskClient) -> None:
    html = client.get("/check/red-flags/1").data.decode()
    assert "Section 1 of " in html
    assert html.count("<fieldset") == html.count("<legend") == 4
    assert " checked" not in html
    assert '<a class="back-link" href="/">Back</a>' in html


def test_help_text_is_linked_by_aria_describedby(client: FlaskClient) -> None:
    html = client.get("/check/red-flags/1").data.decode()
    assert 'aria-describedby="q_asked_no_contact-hint"' in html
    assert 'id="q_asked_no_contact-hint"' in html


def test_going_back_keeps_answers(client: FlaskClient) -> None:
    page = client.get("/check/red-flags/1")
    client.post(
        "/check/red-flags/1", data={"csrf_token": csrf_token(page.data), "q_blocked": "no", "q_court_order": "yes"}
    )
    html = client.get("/check/red-flags/1").data.decode()
    assert re.search(r'name="q_court_order" type="radio" value="yes" checked', html)
    assert re.search(r'name="q_blocked" type="radio" value="no" checked', html)


def test_invalid_input_shows_an_error_summary_linked_to_the_field(client: FlaskClient) -> None:
    # find the page with the number question
    number_page = next(
        n for n in range(1, 8) if "q_weeks_since" in client.get(f"/check/motivation-check/{n}").data.decode()
    )
    page = client.get(f"/check/motivation-check/{number_page}")
    response = client.post(
        f"/check/motivation-check/{number_page}",
        data={"csrf_token": csrf_token(page.data), "q_weeks_since": "600"},
    )
    html = response.data.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<h2 class="error-summary-title" id="error-summary-title">There is a problem</h2>' in html
    assert '<a href="#q_weeks_since-first"><span class="error-summary-question">' in html
    assert "</span> Enter a whole number between 0 and 520 weeks</a>" in html
    assert 'id="q_weeks_since-first"' in html and 'value="600"' in html


def test_a_conditional_question_is_asked_only_when_its_condition_holds(app: Flask) -> None:
    flow = flows(app)["red-flags"]
    index = next(i for i, p in enumerate(flow.pages) if any(q.id == "reaction-ongoing" for q in p.questions))
    assert flow.visible_questions(flow.pages[index], {"red-flags": {"moving-on-reaction": ["none"]}}) == [
        q for q in flow.pages[index].questions if q.id == "notes"
    ]
    shown = flow.visible_questions(flow.pages[index], {"red-flags": {"moving-on-reaction": ["guilt"]}})
    assert [q.id for q in shown] == ["reaction-ongoing", "notes"]


def test_changing_an_earlier_answer_drops_answers_that_no_longer_apply(app: Flask) -> None:
    client = app.test_client()
    flow = flows(app)["red-flags"]
    answers = {"red-flags": {"moving-on-reaction": ["guilt"], "reaction-ongoing": "yes"}}
    complete(client, flow, answers)  # stores a result; a new draft starts below
    base = next(i for i, p in enumerate(flow.pages) if any(q.id == "moving-on-reaction" for q in p.questions)) + 1
    page = client.get(f"/check/red-flags/{base}")
    client.post(f"/check/red-flags/{base}", data={"csrf_token": csrf_token(page.data), "q_moving_on_reaction": "guilt"})
    page = client.get(f"/check/red-flags/{base + 1}")
    client.post(f"/check/red-flags/{base + 1}", data={"csrf_token": csrf_token(page.data), "q_reaction_ongoing": "yes"})
    page = client.get(f"/check/red-flags/{base}")
    client.post(f"/check/red-flags/{base}", data={"csrf_token": csrf_token(page.data), "q_moving_on_reaction": "none"})
    review = client.get("/check/red-flags/review").data.decode()
    assert "Is this still happening?" not in review


def test_check_your_answers_with_nothing_in_progress_goes_home(client: FlaskClient) -> None:
    assert client.get("/check/red-flags/review").location == "/"


def test_check_your_answers_shows_labels_and_change_links(client: FlaskClient) -> None:
    page = client.get("/check/red-flags/1")
    client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), "q_asked_no_contact": "no"})
    html = client.get("/check/red-flags/review").data.decode()
    assert "<h1>Check your answers</h1>" in html
    assert '<dd class="summary-value">No</dd>' in html
    assert 'href="/check/red-flags/1?review=1">Change' in html


def test_a_safety_result_shows_safety_first_why_and_advice_but_no_scores(app: Flask) -> None:
    client = app.test_client()
    response = complete(client, flows(app)["should-i-try"], {"red-flags": {"threats": "yes"}})
    html = response.data.decode()
    # the outcome's title first (one line), then the services before anything else
    assert (
        html.index("<h1>Put your safety first</h1>")
        < html.index("Your safety comes first")
        < html.index("<h2>Why</h2>")
    )
    assert html.index("If you are in danger now") < html.index("National Domestic Abuse Helpline")
    assert "not a risk assessment" in html
    assert "<h2>Why</h2>" in html and "<svg" not in html and "Your scores" not in html
    assert "Other things you told us" not in html  # nothing that weighed towards other outcomes
    assert "version 2.0" in html and "reflection aid, not professional advice" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "Delete my answers" in html


def test_a_result_not_decided_for_safety_shows_the_chart_with_the_rule_sets_own_notes(app: Flask) -> None:
    case = next(
        c for f in LIBRARY.scenarios if f.ruleset == "red-flags" for c in f.cases if c.expect.outcome == "few-concerns"
    )
    html = complete(app.test_client(), flows(app)["red-flags"], case.answers).data.decode()
    assert '<svg class="chart"' in html
    note = LIBRARY.ruleset("red-flags").scores[0].note
    assert note and str(escape(note)) in html


def _weighed_elsewhere_first() -> tuple[str, Any, list[str], list[str]]:
    """Give a bundled case decided by weights, not for safety, where a rule that weighed towards
    another outcome fired before one that supports the outcome (so the page has to reorder them),
    with the reasons for the outcome and those for others, in firing order."""
    for scenarios in LIBRARY.scenarios:
        for case in scenarios.cases:
            result = LIBRARY.scorer(scenarios.ruleset).score(case.answers)
            outcome = result.outcome.id
            if result.outcome.safety or result.safety or result.decided_by in ("forced", "missing"):
                continue
            towards = [r.because for r in result.fired if r.add.get(outcome, 0) > 0]
            elsewhere = [r.because for r in result.fired if r.add and r.add.get(outcome, 0) <= 0]
            fired = [r.because for r in result.fired]
            if towards and elsewhere and fired.index(elsewhere[0]) < fired.index(towards[-1]):
                return scenarios.ruleset, case, towards, elsewhere
    raise AssertionError("no bundled case weighs towards another outcome before one for its own")


def test_a_result_decided_by_weights_gives_its_own_reasons_first_and_the_others_apart(app: Flask) -> None:
    from tests.reports.test_render import text_of
    from tests.webapp.flow import download_summary

    ruleset_id, case, towards, elsewhere = _weighed_elsewhere_first()
    client = app.test_client()
    response = complete(client, flows(app)[ruleset_id], case.answers)
    html = response.data.decode()
    title = LIBRARY.ruleset(ruleset_id).outcome(case.expect.outcome).title
    assert f"<h1>{escape(title)}</h1>" in html and '<svg class="chart"' in html  # not a safety result
    why, other = html.index("<h2>Why</h2>"), html.index("<h2>Other things you told us</h2>")
    label = html.index("These pointed towards a different result.")
    for reason in towards:
        assert why < html.index(f"<li>{escape(reason)}</li>") < other, reason
    for reason in elsewhere:
        assert other < label < html.index(f"<li>{escape(reason)}</li>") < html.index("<h2>Your scores</h2>"), reason
    assert not re.search(r"\+\d+ towards", html)  # weights are a counsellor's view

    # the PDF summary of the same result says it in the same order, with the same label
    text = text_of(download_summary(client, response.request.path).data)
    why, other = text.index("Why this result"), text.index("Other things you told us")
    assert other < text.index("These pointed towards a different result.")
    for reason in towards:
        assert why < text.index(" ".join(reason.split())) < other, reason
    for reason in elsewhere:
        assert other < text.index(" ".join(reason.split())), reason
    assert not re.search(r"\+\d+ towards", text) and " towards “" not in text


def test_the_pdf_link_always_warns_about_shared_devices(app: Flask) -> None:
    client = app.test_client()
    safety = complete(client, flows(app)["red-flags"], {"red-flags": {"afraid": "yes"}}).data.decode()
    assert safety.index("Before you download:") < safety.index("Download PDF")
    assert "including what you told us about your safety" in safety
    calm = complete(app.test_client(), flows(app)["red-flags"], {"red-flags": {"blocked": "yes"}}).data.decode()
    assert calm.index("Before you download:") < calm.index("Download PDF")  # every answer is in it
    assert "including what you told us about your safety" not in calm


def test_only_the_visit_that_submitted_can_see_the_result(app: Flask) -> None:
    client = app.test_client()
    url = complete(client, flows(app)["red-flags"], {"red-flags": {"blocked": "yes"}}).request.path
    assert app.test_client().get(url).status_code == 404
    client.get("/exit")
    assert client.get(url).status_code == 404


def test_deleting_a_result_removes_it(app: Flask) -> None:
    client = app.test_client()
    response = complete(client, flows(app)["red-flags"], {"red-flags": {"blocked": "yes"}})
    url = response.request.path
    delete = client.post(f"{url}/delete", data={"csrf_token": csrf_token(response.data)})
    assert delete.status_code == 302 and delete.location == "/deleted"
    assert client.get(url).status_code == 404
    token = csrf_token(client.get("/").data)
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 404


def test_a_stored_result_is_shown_with_the_rule_set_version_that_scored_it(app: Flask) -> None:
    client = app.test_client()
    response = complete(client, flows(app)["red-flags"], {"red-flags": {"dishonesty": "often"}})
    url = response.request.path
    library = app.extensions["rekindle"].library
    # the rule set on disk changes after the result was stored: the stored result must not
    changed = library.ruleset("red-flags").model_copy(update={"version": "9.9"})
    library.rulesets["red-flags"] = changed
    html = client.get(url).data.decode()
    assert "version 2.0" in html and "9.9" not in html


def test_help_page_lists_helplines_by_country_with_emergency_first(client: FlaskClient) -> None:
    html = client.get("/help").data.decode()
    assert html.index("If you are in danger now") < html.index("United Kingdom")
    assert "Samaritans" in html and "988 Suicide &amp; Crisis Lifeline" in html and "National Stalking Helpline" in html
    assert "<details" not in html  # no country chosen: every country alike, nothing hidden


def test_choosing_a_country_puts_its_services_first_and_others_behind_a_disclosure(client: FlaskClient) -> None:
    token = csrf_token(client.get("/help").data)
    response = client.post("/country", data={"csrf_token": token, "country": "IE", "next": "/help"})
    assert response.status_code == 302 and response.location == "/help"
    html = client.get("/help").data.decode()
    details = html.index("<details")
    assert html.index("Women&#39;s Aid 24hr National Freephone Helpline") < details < html.index("Shout</strong>")
    assert '<option value="IE" selected>' in html
    # another site cannot be the way back, and a made-up country is refused
    assert (
        client.post("/country", data={"csrf_token": token, "country": "GB", "next": "//evil.example"}).location == "/"
    )
    assert client.post("/country", data={"csrf_token": token, "country": "<b>"}).status_code == 400


IRELAND = "Women&#39;s Aid 24hr National Freephone Helpline"
BRITAIN = "National Domestic Abuse Helpline"


def first_then_folded(html: str, mine: str, other: str) -> None:
    """Fail unless `mine` is listed before the other countries' disclosure and `other` inside it."""
    assert html.index(mine) < html.index('<details class="other-countries">') < html.index(other)


def test_a_country_chosen_on_the_interruption_page_or_the_result_comes_first_for_this_session_only(app: Flask) -> None:
    client = app.test_client()
    flow = flows(app)["red-flags"]
    post_page(client, "/check/red-flags/1", list(flow.pages[0].questions), {})
    post_page(client, "/check/red-flags/2", list(flow.pages[1].questions), {"strangled": "yes"})
    interruption = "/check/red-flags/2/safety"
    page = client.get(interruption)
    assert "<details" not in page.data.decode()  # nothing chosen yet: every country alike
    chosen = client.post("/country", data={"csrf_token": csrf_token(page.data), "country": "IE", "next": interruption})
    assert chosen.status_code == 302 and chosen.location == interruption  # back where they chose
    html = client.get(interruption).data.decode()
    assert "<h1>Before you go on</h1>" in html and '<option value="IE" selected>' in html
    first_then_folded(html, IRELAND, BRITAIN)

    # "See my result now": the result page keeps the choice, and can change it
    result = client.get(client.post("/check/red-flags/review", data={"csrf_token": csrf_token(html.encode())}).location)
    html = result.data.decode()
    assert "<h1>Please talk to a specialist today</h1>" in html
    first_then_folded(html, IRELAND, BRITAIN)
    here = result.request.path
    chosen = client.post("/country", data={"csrf_token": csrf_token(result.data), "country": "GB", "next": here})
    assert chosen.location == here
    html = client.get(here).data.decode()
    assert '<option value="GB" selected>' in html
    first_then_folded(html, BRITAIN, IRELAND)
    first_then_folded(client.get("/help").data.decode(), BRITAIN, IRELAND)  # and every other page of the visit

    # kept in the session only: it is in the cookie, and a new session starts with no country
    with client.session_transaction() as session:
        assert session["country"] == "GB"
    assert "<details" not in app.test_client().get("/help").data.decode()


def test_the_browser_language_suggests_a_country_until_the_person_chooses(client: FlaskClient) -> None:
    html = client.get("/help", headers={"Accept-Language": "en-AU,en;q=0.8"}).data.decode()
    assert '<option value="AU" selected>' in html and html.index("1800RESPECT") < html.index("<details")


def test_every_page_has_exit_and_help_links(client: FlaskClient) -> None:
    for url in ["/", "/check/red-flags/1", "/help", "/check/red-flags/review", "/nope"]:
        html = client.get(url, follow_redirects=True).data.decode()
        assert '<form class="exit-form" id="exit-form" method="post" action="/exit"' in html, url
        assert 'id="exit-this-page" type="submit">Exit this page</button>' in html, url
        assert 'href="/help">Get help now</a>' in html, url


def test_exit_clears_the_session_and_the_draft(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/check/red-flags/1")
    client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), "q_blocked": "yes"})
    with client.session_transaction() as session:
        visit_id = session["visit"]
    assert app.extensions["rekindle"].store.visit_exists(visit_id)
    response = client.post("/exit", data={"csrf_token": csrf_token(client.get("/").data)})
    assert response.status_code == 303 and response.location == "https://www.bbc.co.uk/weather"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    with client.session_transaction() as session:
        assert "visit" not in session
    assert not app.extensions["rekindle"].store.visit_exists(visit_id)
    assert 'value="yes" checked' not in client.get("/check/red-flags/1").data.decode()


@pytest.mark.parametrize("url", ["/nope", "/check/nope/", "/check/red-flags/99", "/result/not-a-result"])
def test_unknown_pages_get_a_404_in_the_site_layout(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.data.decode()


def test_a_danger_answer_interrupts_before_the_next_page(app: Flask) -> None:
    client = app.test_client()
    flow = flows(app)["red-flags"]
    post_page(client, "/check/red-flags/1", list(flow.pages[0].questions), {})
    response = post_page(client, "/check/red-flags/2", list(flow.pages[1].questions), {"strangled": "yes"})
    assert response.status_code == 302 and response.location == "/check/red-flags/2/safety"
    html = client.get(response.location).data.decode()
    assert "<h1>Before you go on</h1>" in html and "Signs of danger" in html
    assert html.index("If you are in danger now") < html.index("National Domestic Abuse Helpline")
    assert 'href="/check/red-flags/2">Back</a>' in html
    assert carry_on_url(html.encode()) == "/check/red-flags/3"
    assert "See my result now" in html and "Exit this page" in html
    # answering the page again with the same answer does not interrupt twice
    again = post_page(client, "/check/red-flags/2", list(flow.pages[1].questions), {"strangled": "yes"})
    assert again.location == "/check/red-flags/3"
    # "See my result now": the draft as it is, with the questions not reached unanswered
    result = client.post("/check/red-flags/review", data={"csrf_token": csrf_token(html.encode())})
    assert "<h1>Please talk to a specialist today</h1>" in client.get(result.location).data.decode()


def test_no_interruption_without_a_certain_flag(app: Flask) -> None:
    client = app.test_client()
    flow = flows(app)["red-flags"]
    response = post_page(client, "/check/red-flags/2", list(flow.pages[1].questions), {"strangled": "no"})
    assert response.location == "/check/red-flags/3"
    assert client.get("/check/red-flags/2/safety").status_code == 404


def test_help_has_a_short_safety_plan_and_private_browsing_advice(client: FlaskClient) -> None:
    html = client.get("/help").data.decode()
    unsafe = html.index('id="unsafe">If you feel unsafe now')
    for text in ("A short safety plan", "Do not meet them alone", "Keep your browsing private", "private window"):
        assert html.index(text) > unsafe


def test_how_this_check_works_is_linked_from_every_page(client: FlaskClient) -> None:
    for url in ["/", "/help", "/check/red-flags/1"]:
        assert 'href="/how-it-works">How this check works</a>' in client.get(url).data.decode()
    html = client.get("/how-it-works").data.decode()
    assert "It is not a risk assessment" in html and "our own judgement" in html


def test_help_shows_how_to_call_999_without_speaking(client: FlaskClient) -> None:
    html = client.get("/help", headers={"Accept-Language": "en-GB"}).data.decode()
    assert "Press 55 when a voice asks you to" in html


def test_thinking_of_acting_now_interrupts_again_with_the_emergency_number_first(app: Flask) -> None:
    client = app.test_client()
    flow = flows(app)["motivation-check"]
    coping = next(i for i, p in enumerate(flow.pages) if any(q.id == "self-harm-thoughts" for q in p.questions))
    first = post_page(
        client,
        f"/check/motivation-check/{coping + 1}",
        list(flow.pages[coping].questions),
        {"self-harm-thoughts": "yes"},
    )
    assert first.location == f"/check/motivation-check/{coping + 1}/safety"  # the crisis support first
    acting = coping + 1  # acting-now is asked on the next page, after a yes
    second = post_page(
        client, f"/check/motivation-check/{acting + 1}", list(flow.pages[acting].questions), {"acting-now": "yes"}
    )
    assert second.location == f"/check/motivation-check/{acting + 1}/safety"  # and again: help right now
    html = client.get(second.location).data.decode()
    assert "Please get help right now" in html and "go to the nearest hospital" in html
    assert html.index("If you are in danger now") < html.index("Samaritans")


def test_answering_nothing_draws_no_chart_and_lists_nothing_that_was_not_said(app: Flask) -> None:
    html = complete(app.test_client(), flows(app)["should-i-try"], {}).data.decode()
    assert "<h1>Not enough to go on</h1>" in html
    assert "<svg" not in html and "Other things you told us" not in html


def test_control_with_skipped_danger_questions_says_what_we_cannot_say(app: Flask) -> None:
    case = next(
        c
        for f in LIBRARY.scenarios
        if f.ruleset == "should-i-try"
        for c in f.cases
        if c.name.startswith("Controlled your money")
    )
    html = complete(app.test_client(), flows(app)["should-i-try"], case.answers).data.decode()
    assert "<h1>Consider letting go</h1>" in html and "<svg" not in html
    assert "we cannot say anything about your safety or their wishes" in html
    assert "If they hurt or controlled you, that was not your fault." in html


def test_how_this_check_works_shows_each_checks_rules_word_for_word(client: FlaskClient) -> None:
    html = client.get("/how-it-works").data.decode()
    description = LIBRARY.ruleset("should-i-try").description
    assert description and str(escape(description)) in html
