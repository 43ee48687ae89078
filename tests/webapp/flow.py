"""Fill in a flow through the Flask test client, page by page, as a browser would post it."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from webapp.flows import Flow
from webapp.forms import field_name

TOKEN = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: bytes) -> str | None:
    """Give the CSRF token in a page, if any."""
    found = TOKEN.search(html)
    return found.group(1).decode() if found else None


COUNSELLOR_PASSWORD = "a long enough password"


def sign_in_counsellor(app: Any, name: str = "sam") -> FlaskClient:
    """Give a test client signed in to the counsellors' area as a new account."""
    from werkzeug.security import generate_password_hash

    app.extensions["rekindle"].accounts.add(name, generate_password_hash(COUNSELLOR_PASSWORD))
    client: FlaskClient = app.test_client()
    page = client.get("/counsellor/login")
    client.post(
        "/counsellor/login",
        data={"csrf_token": csrf_token(page.data), "username": name, "password": COUNSELLOR_PASSWORD},
    )
    return client


def post_page(client: FlaskClient, url: str, questions: list[Any], mine: dict[str, Any]) -> Any:
    """Post one page's answers (from `mine`) and give the response."""
    page = client.get(url)
    data: list[tuple[str, str]] = []
    token = csrf_token(page.data)
    if token:
        data.append(("csrf_token", token))
    for question in questions:
        value = mine.get(question.id)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            data.append((field_name(question.id), str(item)))
    from werkzeug.datastructures import MultiDict

    return client.post(url, data=MultiDict(data))


CARRY_ON = re.compile(rb'<a class="button button-secondary" href="([^"]+)">Carry on with the questions</a>')


def carry_on_url(html: bytes) -> str:
    """Give where "Carry on with the questions" leads on an interruption page."""
    found = CARRY_ON.search(html)
    assert found, html.decode()[:2000]
    return found.group(1).decode().replace("&amp;", "&")


def complete(client: FlaskClient, flow: Flow, answers: dict[str, dict[str, Any]]) -> Any:
    """Answer every page of a flow with `answers`, submit, and give the result page response."""
    response = client.get(f"/check/{flow.ruleset_id}/", follow_redirects=False)
    url = response.location
    for _ in range(2 * len(flow.pages) + 2):
        if url.endswith("/review"):
            break
        if "/safety" in url:  # the interruption page: carry on with the questions
            url = carry_on_url(client.get(url).data)
            continue
        number = int(url.rsplit("/", 1)[1])
        page = flow.pages[number - 1]
        current = flow.visible_questions(page, answers)
        response = post_page(client, url, current, answers.get(page.questionnaire.id, {}))
        assert response.status_code == 302, response.data.decode()[:2000]
        url = response.location
    review = client.get(url)
    assert review.status_code == 200
    response = client.post(url, data={"csrf_token": csrf_token(review.data) or ""})
    assert response.status_code == 302, response.status_code
    return client.get(response.location)


def download_summary(client: FlaskClient, result_path: str, wait: float = 30) -> Any:
    """Ask for a result's PDF summary as a browser would: follow the page that waits for it, then download.

    Gives the final response: the PDF, the "could not be made" page (503), or a 404.
    """
    import time

    response = client.get(f"{result_path}/summary.pdf")
    if response.status_code != 303:
        return response
    assert response.location == f"{result_path}/summary", response.location
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        page = client.get(f"{result_path}/summary")
        if page.status_code != 200 or 'http-equiv="refresh" content="0;' in page.data.decode():
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the summary was not made within {wait} s")
    if page.status_code != 200:
        return page
    return client.get(f"{result_path}/summary.pdf")
