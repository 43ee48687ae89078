"""Fill in pages in the browser the way a person would: click labels, type numbers, press Continue."""

from __future__ import annotations

from typing import Any

from webapp.forms import field_name


def answer_page(page: Any, mine: dict[str, Any]) -> None:
    """Answer the questions on the current page from `mine`, then press the button."""
    for name in page.eval_on_selector_all("main form [name^='q_']", "els => [...new Set(els.map(e => e.name))]"):
        question_id = next((k for k in mine if field_name(k) == name), None)
        if question_id is None:
            continue
        value = mine[question_id]
        first = page.locator(f"[name='{name}']").first
        kind = first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            for item in value if isinstance(value, list) else [value]:
                page.check(f"input[name='{name}'][value='{item}']")
        else:
            page.fill(f"[name='{name}']", str(value))
    page.click("form[data-questionnaire] button[type=submit]")


def complete(page: Any, flow_id: str, answers: dict[str, dict[str, Any]]) -> None:
    """Answer every page of a check and submit it, ending on the result page."""
    page.goto(f"/check/{flow_id}/")
    for _ in range(60):
        if page.url.endswith("/review"):
            break
        if "/safety" in page.url:  # the interruption page: carry on with the questions
            page.click("text=Carry on with the questions")
            continue
        questionnaire = page.locator("form[data-questionnaire]").get_attribute("data-questionnaire")
        answer_page(page, answers.get(questionnaire or "", {}))
    page.click("main form button[type=submit]")
