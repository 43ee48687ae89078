"""Files stay first-class: start-up imports by hash, a change made in the browser is never
overwritten by a file unasked, `rekindle library export|import`, roles from the command line and
the admin page, and the audit log as CSV."""

from __future__ import annotations

import csv
import html
import io
import itertools
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from assessments.library import BUNDLED
from tests.webapp.flow import csrf_token, sign_in_counsellor
from webapp import audit, create_app
from webapp.cli import main
from webapp.documents import APPROVALS_NEEDED


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'lib.sqlite'}",
        "REKINDLE_INSTANCE": str(tmp_path),
        "REKINDLE_LIBRARY": "",
        **more,
    }


def _app(tmp_path: Path, folder: Path | None = None) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'lib.sqlite'}",
            "REKINDLE_LIBRARY": str(folder or ""),
        }
    )


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "my-rules"
    folder.mkdir()
    text = (BUNDLED / "rules" / "red-flags.yaml").read_text().replace("id: red-flags\n", "id: mine\n", 1)
    (folder / "mine.yaml").write_text(text)
    return folder


def test_start_up_imports_once_and_never_overwrites_a_change_published_in_the_browser(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    first = _app(tmp_path, folder)
    documents = first.extensions["rekindle"].documents
    assert documents.current("ruleset", "mine").origin == "imported from my-rules/mine.yaml"
    count = len(documents.summaries())
    first.extensions["rekindle"].store.dispose()
    again = _app(tmp_path, folder)  # a restart: nothing new is stored
    assert len(documents.versions("ruleset", "mine")) == 1 and len(documents.summaries()) == count
    assert again.extensions["rekindle"].imports.unchanged == count

    # a counsellor publishes a change in the browser; later the file changes on disk too
    browser_text = documents.current("ruleset", "mine").text.replace("title: Red flags", "title: Mine", 1)
    edited = documents.save("ruleset", "mine", browser_text, author="ann", based_on=1, origin="saved in the editor")
    documents.publish([edited], actor="rae", seen=documents.generation())
    (folder / "mine.yaml").write_text((folder / "mine.yaml").read_text() + "# edited on disk\n")
    again.extensions["rekindle"].store.dispose()
    restarted = _app(tmp_path, folder)
    assert documents.current("ruleset", "mine").text == browser_text  # still what the counsellor published
    latest = documents.latest("ruleset", "mine")
    assert latest.status == "draft" and latest.text.endswith("# edited on disk\n")
    assert restarted.extensions["rekindle"].imports.drafts == [
        ("ruleset mine v3", ["not published: a change made in the browser is published"])
    ]
    restarted.extensions["rekindle"].store.dispose()


def test_two_folder_files_with_one_id_are_both_refused_each_naming_the_other(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    twin = (folder / "mine.yaml").read_text().replace("title: Red flags", "title: Mine too", 1)
    (folder / "zz-mine.yaml").write_text(twin)  # sorts last: the name must not matter
    app = _app(tmp_path, folder)
    current = app.extensions["rekindle"]
    try:
        assert current.documents.latest("ruleset", "mine") is None and "mine" not in current.library.rulesets
        page = html.unescape(sign_in_counsellor(app).get("/counsellor/").data.decode())
        for this, other in (("mine.yaml", "zz-mine.yaml"), ("zz-mine.yaml", "mine.yaml")):
            assert (
                f"my-rules/{this}:3:1: id: ruleset id 'mine' is also used by my-rules/{other}:3; neither is loaded"
                " until one of them gets another id"
            ) in page
    finally:
        current.store.dispose()


def test_a_folder_file_cannot_replace_a_bundled_one(tmp_path: Path) -> None:
    folder = tmp_path / "my-rules"
    folder.mkdir()
    bundled = (BUNDLED / "rules" / "red-flags.yaml").read_text()
    (folder / "aaa-red-flags.yaml").write_text(bundled.replace("title: Red flags", "title: Not reviewed", 1))
    app = _app(tmp_path, folder)
    current = app.extensions["rekindle"]
    try:
        assert current.documents.current("ruleset", "red-flags").text == bundled
        page = html.unescape(sign_in_counsellor(app).get("/counsellor/").data.decode())
        assert (
            "my-rules/aaa-red-flags.yaml:3:1: id: ruleset id 'red-flags' is already used by the bundled file"
            " rules/red-flags.yaml:3, which a library folder cannot replace"
        ) in page
    finally:
        current.store.dispose()


def test_export_writes_files_that_validate_test_and_analyze_accept(tmp_path: Path) -> None:
    env = _env(tmp_path)
    out = tmp_path / "exported"
    runner = CliRunner()
    exported = runner.invoke(main, ["library", "export", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    assert "wrote 12 published file(s)" in exported.output
    assert (out / "rules" / "red-flags.yaml").read_bytes() == (BUNDLED / "rules" / "red-flags.yaml").read_bytes()
    assert (out / "schemas" / "ruleset.schema.json").exists()  # the files' modelines point there
    assert runner.invoke(main, ["validate", str(out)], env=env).exit_code == 0
    tested = runner.invoke(main, ["test", str(out)], env=env)
    assert tested.exit_code == 0 and " 0 failed" in tested.output
    analyzed = runner.invoke(main, ["analyze", str(out / "rules" / "red-flags.yaml")], env=env)
    assert analyzed.exit_code == 0, analyzed.output


def test_import_makes_drafts_and_publishes_only_when_asked_checked_and_allowed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    folder = _folder(tmp_path)
    runner = CliRunner()
    drafted = runner.invoke(main, ["library", "import", str(folder / "mine.yaml")], env=env)
    assert drafted.exit_code == 0 and "draft ruleset mine v1" in drafted.output
    assert "1 file(s) already stored" in runner.invoke(main, ["library", "import", str(folder)], env=env).output
    needs = runner.invoke(main, ["library", "import", "--publish", str(folder)], env=env)
    assert needs.exit_code == 1 and "publishing needs 1 approval(s) in the workspace" in needs.output
    app = _app(tmp_path)
    documents = app.extensions["rekindle"].documents
    documents.set_setting(APPROVALS_NEEDED, "0", actor="test")
    published = runner.invoke(main, ["library", "import", "--publish", str(folder)], env=env)
    assert published.exit_code == 0 and "published ruleset mine v2" in published.output
    assert documents.current("ruleset", "mine").origin == f"imported from {folder / 'mine.yaml'}"
    (folder / "broken.yaml").write_text("kind: ruleset\nid: broken\n")
    refused = runner.invoke(main, ["library", "import", "--publish", str(folder / "broken.yaml")], env=env)
    assert refused.exit_code == 1 and "draft ruleset broken v1" in refused.output
    assert "rules/broken.yaml:1:1: missing key 'version'; add it" in refused.output
    (folder / "notes.yaml").write_text("just: some notes\n")
    unknown = runner.invoke(main, ["library", "import", str(folder / "notes.yaml")], env=env)
    assert unknown.exit_code == 1 and "not a library file: it must start with 'kind:'" in unknown.output
    assert any(e.actor.startswith("command line (") for e in audit.entries(documents.engine))
    app.extensions["rekindle"].store.dispose()


def test_roles_from_the_command_line_and_the_admin_page_and_the_audit_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    env = _env(tmp_path)
    made = runner.invoke(
        main,
        ["counsellor", "add", "ada", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
        env=env,
    )
    assert made.exit_code == 0 and "counsellor 'ada' (admin) can now sign in" in made.output
    reset = runner.invoke(
        main, ["counsellor", "add", "ada", "--password-stdin"], input="another long password\n", env=env
    )
    assert "counsellor 'ada' (admin)" in reset.output  # a reset keeps the role
    app = _app(tmp_path)
    author = sign_in_counsellor(app, "ann")
    assert author.get("/counsellor/admin/").status_code == 403
    assert "This needs the admin role" in author.get("/counsellor/admin/audit").data.decode()
    admin = sign_in_counsellor(app, "ada")
    app.extensions["rekindle"].accounts.set_role("ada", "admin", actor="test")  # sign_in_counsellor reset it
    token = csrf_token(admin.get("/counsellor/admin/").data)
    weak = admin.post(
        "/counsellor/admin/accounts",
        data={
            "csrf_token": token,
            "username": "rae",
            "role": "reviewer",
            "password": "password123",
            "password_again": "password123",
        },
    )
    assert weak.status_code == 422 and app.extensions["rekindle"].accounts.role("rae") is None
    good = "a perfectly long passphrase"
    added = admin.post(
        "/counsellor/admin/accounts",
        data={"csrf_token": token, "username": "rae", "role": "reviewer", "password": good, "password_again": good},
    )
    assert added.status_code == 303 and app.extensions["rekindle"].accounts.role("rae") == "reviewer"
    alone = admin.post("/counsellor/admin/accounts/ada/role", data={"csrf_token": token, "role": "author"})
    assert alone.status_code == 409 and "the only admin" in alone.data.decode()
    assert admin.post("/counsellor/admin/settings", data={"csrf_token": token, "approvals": "9"}).status_code == 422
    assert admin.post("/counsellor/admin/settings", data={"csrf_token": token, "approvals": "2"}).status_code == 303
    assert "Publishing needs <strong>2 approvals</strong>" in author.get("/counsellor/library/").data.decode()
    exported = admin.get("/counsellor/admin/audit.csv")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(exported.data.decode())))
    steps = [(r["actor"], r["action"], r["detail"]) for r in rows]
    assert any(a.startswith("command line (") and d == "added 'ada' (admin)" for a, _, d in steps)
    assert ("ada", "account", "added 'rae' (reviewer)") in steps
    assert ("ada", "changed setting", "approvals_needed = 2") in steps
    assert rows[0]["at"].endswith("Z") and all(r["at"] <= s["at"] for r, s in itertools.pairwise(rows))
    app.extensions["rekindle"].store.dispose()
