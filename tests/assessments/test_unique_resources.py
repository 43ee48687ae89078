"""Each service is listed once on a result, however many flags and outcomes list it: the same
name (in any case) and number (spaces aside) in the same country is one service."""

from __future__ import annotations

import datetime
from typing import Any

from assessments.models.ruleset import Resource
from assessments.presentation import unique_resources
from tests.assessments.conftest import Build, rules

CHECKED = datetime.date(2026, 1, 1)


def service(name: str, phone: str | None = None, country: str = "GB", **more: Any) -> Resource:
    return Resource(name=name, phone=phone, country=country, last_verified=CHECKED, **more)


def test_the_same_service_is_listed_once_and_the_first_copy_is_kept() -> None:
    first = service("Refuge", "0808 2000 247", description="From the flag.")
    again = service("refuge", "08082000247", description="From the outcome.")
    other = service("Samaritans", "116 123")
    assert unique_resources([first, other, again]) == (first, other)


def test_another_number_or_another_country_is_another_service() -> None:
    helpline = service("Helpline", "0800 111")
    text_line = service("Helpline", "0800 222")
    abroad = service("Helpline", "0800 111", country="IE")
    assert unique_resources([helpline, text_line, abroad, helpline]) == (helpline, text_line, abroad)


def test_a_way_to_ask_for_help_without_speaking_is_kept_from_a_later_copy() -> None:
    plain = service("Police", "999", emergency=True)
    silent = service("Police", "999", emergency=True, silent="Press 55 when a voice asks you to.")
    (kept,) = unique_resources([plain, silent])
    assert kept.silent == "Press 55 when a voice asks you to." and kept.emergency
    other = service("Police", "999", emergency=True, silent="Another way.")
    (kept,) = unique_resources([silent, other])
    assert kept is silent  # the first copy's own way wins


FLAGGED = """
outcomes:
  - id: a
    title: A
    summary: Outcome a.
    resources:
      - {name: Samaritans, phone: "116 123", country: GB, last_verified: 2026-01-01}
      - {name: refuge, phone: "08082000247", country: GB, last_verified: 2026-01-01}
  - {id: b, title: B, summary: Outcome b.}
flags:
  - id: worry
    title: Worry
    resources: [{name: Samaritans, phone: "116123", country: GB, last_verified: 2026-01-01}]
  - id: danger
    title: Danger
    safety: true
    resources: [{name: Refuge, phone: "0808 2000 247", country: GB, last_verified: 2026-01-01}]
rules:
  - {id: worry, when: {c: {equals: "yes"}}, because: Worry., flag: worry}
  - {id: danger, when: {c: {equals: "yes"}}, because: Danger., flag: danger, force: a}
scores:
  - {id: total, sum: [{question: a}, {question: b}]}
decision: {method: highest, ties: [a, b], if_no_weight: b}
"""


def test_a_result_lists_a_service_its_flags_and_outcome_share_once_the_safety_flags_first(build: Build) -> None:
    library = build({"r.yaml": rules(FLAGGED)})
    assert not library.errors, [str(e) for e in library.errors]
    result = library.scorer("quiz-rules").score({"quiz": {"c": "yes"}})
    assert [r.name for r in result.resources] == ["Refuge", "Samaritans"]
    assert [r.phone for r in result.resources] == ["0808 2000 247", "116123"]
