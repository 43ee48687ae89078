"""Whether a change may be published: checked on the bundled library with real edits."""

from __future__ import annotations

from pathlib import Path

from assessments import build_library
from assessments.changes import review_change
from assessments.library import BUNDLED, bundled_dirs, yaml_files

FILES = {p.relative_to(BUNDLED): p.read_bytes() for d in bundled_dirs() for p in yaml_files(d)}
RULES = Path("rules/red-flags.yaml")
CASES = Path("rules/red-flags.scenarios.yaml")
BEFORE = build_library(sorted(FILES.items()))


def _after(**changes: bytes | None) -> tuple[object, set[Path]]:
    files = dict(FILES)
    changed = set()
    for name, raw in changes.items():
        path = Path(
            name.replace("__", "/").replace("_", "-").replace("-yaml", ".yaml").replace("-scenarios", ".scenarios")
        )
        changed.add(path)
        if raw is None:
            files.pop(path)
        else:
            files[path] = raw
    return build_library(sorted(files.items())), changed


def _edit(path: Path, old: str, new: str) -> bytes:
    text = FILES[path].decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def test_a_harmless_edit_may_be_published() -> None:
    after, changed = _after(rules__red_flags_yaml=_edit(RULES, "title: Consider letting go", "title: Let go"))
    report = review_change(BEFORE, after, changed)  # type: ignore[arg-type]
    assert report.rulesets == ["red-flags"]
    assert report.publishable and report.problems() == []
    assert len(report.cases) > 10 and not report.failed_cases
    assert all(p.ok for p in report.proofs["red-flags"])


def test_a_rule_set_that_breaks_the_safety_policy_is_refused_with_its_counterexample() -> None:
    text = FILES[RULES].decode()
    start, end = text.index("  - id: highest-risk\n"), text.index("  # Their choice comes next.")
    after, changed = _after(rules__red_flags_yaml=(text[:start] + text[end:]).encode())
    report = review_change(BEFORE, after, changed)  # type: ignore[arg-type]
    assert not report.publishable
    problems = "\n".join(report.problems())
    assert "rule set 'red-flags' breaks guarantee 'highest-risk-means-specialist-today'" in problems
    assert (
        "for strangled=yes, the outcome was 'not-enough-information', not 'high-risk'" in problems
    )  # the counterexample, in the guard's words
    assert any(e.path == Path("policies/safety.yaml") for e in report.errors)  # where the guarantee is written


def test_a_failing_scenario_case_stops_a_publish() -> None:
    text = FILES[CASES].decode()
    first = text.index("outcome:", text.index("name:"))
    line_end = text.index("\n", first)
    edited = text[:first] + "outcome: some-concerns" + text[line_end:]
    after, changed = _after(rules__red_flags_scenarios_yaml=edited.encode())
    report = review_change(BEFORE, after, changed)  # type: ignore[arg-type]
    assert report.rulesets == ["red-flags"]
    assert [c.name for c in report.failed_cases] == ["Everything answered, few warning signs"]
    assert report.problems()[0].startswith("rule set 'red-flags': scenario 'Everything answered, few warning signs'")


def test_a_file_with_a_mistake_is_reported_at_its_line() -> None:
    after, changed = _after(rules__red_flags_yaml=_edit(RULES, "force: ", "force: take-car"))
    report = review_change(BEFORE, after, changed)  # type: ignore[arg-type]
    assert not report.publishable
    assert report.problems()[0].startswith("rules/red-flags.yaml:")
    assert "unknown outcome 'take-car" in report.problems()[0]
    assert "questionnaire 'red-flags' (questionnaires/red-flags.yaml) would no longer load" in report.problems()


def test_removing_a_default_rule_set_breaks_its_questionnaire_elsewhere() -> None:
    after, changed = _after(rules__red_flags_yaml=None)
    report = review_change(BEFORE, after, changed)  # type: ignore[arg-type]
    problems = report.problems()
    assert any("questionnaires/red-flags.yaml" in p and "default rule set 'red-flags'" in p for p in problems)
    assert "questionnaire 'red-flags' (questionnaires/red-flags.yaml) would no longer load" in problems
