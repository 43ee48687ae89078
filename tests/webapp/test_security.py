"""Tampered and hostile input gets a 4xx or a form error, never a 500 and never a stored result."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.flow import csrf_token


def results_count(app: Flask) -> int:
    import sqlalchemy as sa

    store = app.extensions["rekindle"].store
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text("select count(*) from results")).scalar_one())


def test_a_post_without_a_valid_csrf_token_gets_400_and_changes_nothing(client: FlaskClient) -> None:
    response = client.post("/check/red-flags/1", data={"q_blocked": "yes"})
    assert response.status_code == 400
    assert "Something was wrong with that request" in response.data.decode()
    with client.session_transaction() as session:
        assert "draft" not in session
    bad = client.post("/check/red-flags/1", data={"q_blocked": "yes", "csrf_token": "forged"})
    assert bad.status_code == 400


def test_submitting_without_a_token_stores_nothing(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/check/red-flags/1")
    client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), "q_blocked": "yes"})
    assert client.post("/check/red-flags/review").status_code == 400
    assert results_count(app) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q_blocked": "maybe"}, "Not a valid choice."),
        ({"q_blocked": "<script>alert(1)</script>"}, "Not a valid choice."),
    ],
)
def test_a_value_the_question_does_not_offer_is_a_form_error(
    client: FlaskClient, data: dict[str, str], message: str
) -> None:
    page = client.get("/check/red-flags/1")
    response = client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), **data})
    assert response.status_code == 200
    html = response.data.decode()
    assert "There is a problem" in html and message in html
    assert "<script>alert(1)</script>" not in html


def test_an_out_of_range_number_is_a_form_error(client: FlaskClient) -> None:
    url = next(
        f"/check/motivation-check/{n}"
        for n in range(1, 8)
        if "q_weeks_since" in client.get(f"/check/motivation-check/{n}").data.decode()
    )
    page = client.get(url)
    for value in ["-1", "521", "1e9", "NaN", "three"]:
        response = client.post(url, data={"csrf_token": csrf_token(page.data), "q_weeks_since": value})
        assert response.status_code == 200, value
        assert "Enter a whole number between 0 and 520 weeks" in response.data.decode(), value


def test_a_duplicate_single_answer_field_gets_400(client: FlaskClient) -> None:
    from werkzeug.datastructures import MultiDict

    page = client.get("/check/red-flags/1")
    data = MultiDict([("csrf_token", csrf_token(page.data)), ("q_blocked", "yes"), ("q_blocked", "no")])
    assert client.post("/check/red-flags/1", data=data).status_code == 400


def test_an_exclusive_option_with_others_is_a_form_error(client: FlaskClient) -> None:
    from werkzeug.datastructures import MultiDict

    url = next(
        f"/check/red-flags/{n}"
        for n in range(1, 8)
        if "q_moving_on_reaction" in client.get(f"/check/red-flags/{n}").data.decode()
    )
    page = client.get(url)
    data = MultiDict(
        [("csrf_token", csrf_token(page.data)), ("q_moving_on_reaction", "none"), ("q_moving_on_reaction", "guilt")]
    )
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "Select &#39;None of these&#39; on its own" in response.data.decode()


def test_an_oversized_body_gets_413(client: FlaskClient) -> None:
    page = client.get("/check/red-flags/1")
    response = client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), "q_blocked": "x" * 100_000})
    assert response.status_code == 413
    assert "That was too much to send" in response.data.decode()


def test_hostile_text_in_a_short_answer_is_escaped_on_every_page(app: Flask) -> None:
    from tests.webapp.flow import complete

    client = app.test_client()
    hostile = "<img src=x onerror=alert(1)>&"
    response = complete(client, app.extensions["rekindle"].flows["red-flags"], {"red-flags": {"notes": hostile}})
    assert response.status_code == 200
    assert hostile not in response.data.decode()


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for url in ["/", "/check/red-flags/1", "/help", "/nope", "/static/site.css"]:
        response = client.get(url)
        response.close()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/check/red-flags/1").headers["Cache-Control"] == "no-store"


def test_no_inline_script_or_third_party_asset_in_any_page(client: FlaskClient) -> None:
    import re

    for url in ["/", "/check/red-flags/1", "/check/red-flags/review", "/help"]:
        html = client.get(url).data.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=\"/static/)", html) == [], url
        assert " on" + "click=" not in html and "http://" not in html
        assert re.findall(r'(?:src|href)="https?://', html) == [] or url == "/help", url


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    page = client.get("/check/red-flags/1")
    client.post("/check/red-flags/1", data={"csrf_token": csrf_token(page.data), "q_blocked": "no"})
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_https_setting_makes_cookies_secure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from webapp import create_app

    app = create_app(
        {"TESTING": True, "REKINDLE_HTTPS": True, "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug mode"])
def test_the_app_refuses_to_start_without_a_secret_key_outside_testing(tmp_path, monkeypatch, debug) -> None:  # type: ignore[no-untyped-def]
    from webapp import create_app

    monkeypatch.delenv("REKINDLE_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1" if debug else "0")
    with pytest.raises(RuntimeError, match="REKINDLE_SECRET_KEY is not set"):
        create_app({"REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "DEBUG": debug})
    with pytest.raises(RuntimeError, match="REKINDLE_SECRET_KEY is too short to be secret"):
        create_app({"REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", "REKINDLE_SECRET_KEY": "dev"})


def test_hsts_is_sent_only_when_served_over_https(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from webapp import create_app

    plain = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers
    https = create_app(
        {"TESTING": True, "REKINDLE_HTTPS": True, "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"}
    )
    for url in ["/", "/nope", "/static/site.css"]:
        response = https.test_client().get(url)
        response.close()
        assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains", url


def test_a_wrong_method_gets_405_with_allow_and_the_site_page(client: FlaskClient) -> None:
    response = client.put("/check/red-flags/1")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert "<h1>That cannot be done here</h1>" in response.data.decode()
    deleting = client.get("/result/anything/delete")
    assert deleting.status_code == 405 and "POST" in deleting.headers["Allow"]


def test_answers_never_reach_the_logs(app: Flask, caplog) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.flow import complete

    secret = "my-private-note-123"
    with caplog.at_level("DEBUG"):
        complete(app.test_client(), app.extensions["rekindle"].flows["red-flags"], {"red-flags": {"notes": secret}})
    assert secret not in caplog.text


def test_the_counsellor_area_is_off_without_accounts_and_behind_a_login_with_them(app: Flask) -> None:
    from werkzeug.security import generate_password_hash

    client = app.test_client()
    assert client.get("/counsellor/").status_code == 404
    assert client.get("/counsellor/login").status_code == 404
    app.extensions["rekindle"].accounts.add("sam", generate_password_hash("a long enough password"))
    assert client.get("/counsellor/").location == "/counsellor/login"
    page = client.get("/counsellor/login")
    wrong = client.post(
        "/counsellor/login", data={"csrf_token": csrf_token(page.data), "username": "sam", "password": "nope"}
    )
    assert "The name or password is not right" in wrong.data.decode()
    right = client.post(
        "/counsellor/login",
        data={"csrf_token": csrf_token(page.data), "username": "sam", "password": "a long enough password"},
    )
    assert right.location == "/counsellor/"
    html = client.get("/counsellor/").data.decode()
    assert "should-i-try" in html and "None: every file loaded." in html
    assert app.extensions["rekindle"].library.source("ruleset", "should-i-try").content_hash[:12] in html


def test_the_counsellor_page_shows_broken_files_with_relative_paths(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from werkzeug.security import generate_password_hash

    from webapp import create_app

    folder = tmp_path / "my-rules"
    folder.mkdir()
    (folder / "broken.yaml").write_text("kind: ruleset\nid: broken\n")
    app = create_app(
        {"TESTING": True, "REKINDLE_LIBRARY": str(folder), "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    )
    app.extensions["rekindle"].accounts.add("sam", generate_password_hash("a long enough password"))
    client = app.test_client()
    page = client.get("/counsellor/login")
    client.post(
        "/counsellor/login",
        data={"csrf_token": csrf_token(page.data), "username": "sam", "password": "a long enough password"},
    )
    html = client.get("/counsellor/").data.decode()
    assert "my-rules/broken.yaml:1:1: missing key &#39;version&#39;; add it" in html
    assert str(tmp_path) not in html
