"""Guarantees proven, broken or not decided: checked against brute force on a small questionnaire,
and a planted violation of each kind reported with a counterexample while its fixed twin is proven."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from assessments import Library, load_library
from assessments.analysis.guarantees import BROKEN, PROVEN, UNDECIDED, Prover, broken_parts, prove
from assessments.errors import AssessmentError, GuaranteeFailure, display_path
from assessments.library import BUNDLED
from assessments.models.conditions import All, Compare
from assessments.models.ruleset import Guarantee
from tests.assessments.conftest import QUIZ, Build, rules
from tests.assessments.small_space import ALL, QUESTIONNAIRE, random_condition, random_ruleset
from webapp.cli import main

QUIZ_WITH_TAGS = QUIZ.replace(
    "default_ruleset: quiz-rules\n", "default_ruleset: quiz-rules\ntags: [{id: control, description: Control.}]\n"
).replace(
    "      - {id: c, kind: yes-no, text: C?, points: {yes: 3, no: 0}}",
    "      - {id: c, kind: yes-no, text: C?, points: {yes: 3, no: 0}, tags: [control]}",
)
RULES_BODY = """
outcomes:
  - {id: a, title: A, summary: Outcome a.}
  - {id: b, title: B, summary: Outcome b.}
flags:
  - {id: danger, title: Danger}
rules:
  - {id: c-yes, when: {c: {equals: "yes"}}, because: C., force: a}
scores:
  - {id: total, sum: [{question: a}, {question: b}]}
decision: {method: highest, ties: [a, b], if_no_weight: b}
"""

# The small questionnaire with tags: c and e are yes/no (yes counts), a counts when high,
# d (multiple choice) counts when it includes x.
TAGGED = (
    QUESTIONNAIRE.replace(
        "default_ruleset: small-rules\n",
        "default_ruleset: small-rules\ntags:\n  - {id: danger, description: Danger.}\n  - {id: ctl, description: Control.}\n",
    )
    .replace(
        "      - id: a\n        kind: scale\n",
        "      - id: a\n        kind: scale\n        tags: [{tag: danger, when: {equals: high}}]\n",
    )
    .replace(
        "      - {id: c, kind: yes-no, text: C?, points: {yes: 2, no: 0}}",
        "      - {id: c, kind: yes-no, text: C?, points: {yes: 2, no: 0}, tags: [danger]}",
    )
    .replace(
        "      - id: d\n        kind: multiple-choice\n",
        "      - id: d\n        kind: multiple-choice\n        tags: [{tag: ctl, when: {contains_any: [x]}}]\n",
    )
    .replace(
        '      - {id: e, kind: yes-no, text: E?, show_when: {c: {equals: "yes"}}}',
        '      - {id: e, kind: yes-no, text: E?, show_when: {c: {equals: "yes"}}, tags: [ctl]}',
    )
)
OUTCOMES = ["o1", "o2", "o3"]


def random_then(rng: random.Random) -> dict[str, Any]:
    then: dict[str, Any] = {}
    roll = rng.random()
    if roll < 0.3:
        then["outcome"] = rng.choice(OUTCOMES)
    elif roll < 0.55:
        then["one_of"] = rng.sample(OUTCOMES, 2)
    elif roll < 0.85:
        then["never"] = [rng.choice(OUTCOMES)]
    if rng.random() < 0.4 or not then:
        then["flags"] = ["f"]
    return then


def random_guarded(seed: int) -> str:
    """Give a random rule set (see small_space) with a flag on some rules and random guarantees."""
    rng = random.Random(seed + 1000)
    data = yaml.safe_load(random_ruleset(seed))
    data["flags"] = [{"id": "f", "title": "F"}]
    for rule in data["rules"]:
        if rng.random() < 0.4:
            rule["flag"] = "f"
    guarantees = []
    forcing = sorted((r for r in data["rules"] if "force" in r), key=lambda r: -r["priority"])
    if forcing:  # likely kept: the top forcing rule's own condition forces its outcome
        top = forcing[0]
        guarantees.append({"id": "g-top", "says": "A promise.", "when": top["when"], "then": {"outcome": top["force"]}})
    for index in range(3):
        when = random_condition(rng) if rng.random() < 0.5 else {}
        if rng.random() < 0.6 or not when:
            tagged = {
                "tagged": {
                    "tag": rng.choice(["danger", "ctl", ["danger", "ctl"]]),
                    "is": rng.choice(["yes", "no", "answered", "unanswered"]),
                }
            }
            when = {"all": [when, tagged]} if when else tagged
        guarantees.append({"id": f"g{index}", "says": "A promise.", "when": when, "then": random_then(rng)})
    data["guarantees"] = guarantees + with_help(data, random.Random(seed + 2000))
    return "kind: ruleset\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in data.items() if k != "kind")


ADVICE = ["Talk to someone you trust.", "Give it time."]
SERVICES = {"Helpline": "0800 111", "Refuge": "0808 2000"}


def service(name: str, rng: random.Random) -> dict[str, Any]:
    # now and then the same service is spelt in lower case: a result shows it once (see
    # unique_resources), and it is still the service a guarantee names
    spelt = name.lower() if rng.random() < 0.4 else name
    return {"name": spelt, "phone": SERVICES[name], "country": "GB", "last_verified": "2026-01-01"}


def with_help(data: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Give outcomes, the flag and rules advice and services at random (a generator of its own,
    so the other guarantees are those they always were); give guarantees that some are shown."""
    for outcome in data["outcomes"]:
        if rng.random() < 0.4:
            outcome["advice"] = [rng.choice(ADVICE)]
        if rng.random() < 0.4:
            outcome["resources"] = [service(rng.choice(list(SERVICES)), rng)]
    flag = data["flags"][0]
    if rng.random() < 0.6:
        flag["resources"] = [service(rng.choice(list(SERVICES)), rng)]
    for rule in data["rules"]:
        if rng.random() < 0.35:
            text = rng.choice(ADVICE)
            limited = {"text": text, "outcomes": rng.sample(OUTCOMES, rng.randint(1, 2))}
            rule["advice"] = [text if rng.random() < 0.5 else limited]
    # (condition, what is shown) pairs: what a rule or forced outcome gives under the rule's own
    # condition (likely kept, unless advice is kept for other outcomes or a force overrides),
    # and anything given anywhere, under a random condition (likely broken)
    likely: dict[str, list[tuple[dict[str, Any], str]]] = {"advice": [], "resources": []}
    anywhere: dict[str, set[str]] = {"advice": set(), "resources": set()}
    for outcome in data["outcomes"]:
        anywhere["advice"] |= set(outcome.get("advice", []))
        anywhere["resources"] |= {s["name"] for s in outcome.get("resources", [])}
    anywhere["resources"] |= {s["name"] for s in flag.get("resources", [])}
    for rule in data["rules"]:
        for item in rule.get("advice", []):
            text = item if isinstance(item, str) else item["text"]
            anywhere["advice"].add(text)
            likely["advice"].append((rule["when"], text))
        if rule.get("flag"):
            likely["resources"] += [(rule["when"], s["name"]) for s in flag.get("resources", [])]
        if rule.get("force"):
            forced = next(o for o in data["outcomes"] if o["id"] == rule["force"])
            likely["advice"] += [(rule["when"], text) for text in forced.get("advice", [])]
            likely["resources"] += [(rule["when"], s["name"]) for s in forced.get("resources", [])]
    guarantees = []
    for key in ("advice", "resources"):
        if likely[key] and rng.random() < 0.6:
            when, shown = rng.choice(likely[key])
        elif anywhere[key]:
            when = random_condition(rng) if rng.random() < 0.5 else {"tagged": {"tag": "danger", "is": "yes"}}
            shown = rng.choice(sorted(anywhere[key]))
        else:
            continue
        then: dict[str, Any] = {key: [shown]}
        if rng.random() < 0.2:
            then.update(random_then(rng))
        guarantees.append({"id": f"g-{key}", "says": "A promise.", "when": when, "then": then})
    return guarantees


def load(tmp_path: Path, questionnaire: str, ruleset: str) -> Library:
    (tmp_path / "small.yaml").write_text(textwrap.dedent(questionnaire).lstrip())
    (tmp_path / "rules.yaml").write_text(ruleset)
    return load_library([tmp_path], bundled=False)


@pytest.mark.parametrize("seed", range(60))
def test_proofs_equal_brute_force(tmp_path: Path, seed: int) -> None:
    library = load(tmp_path, TAGGED, random_guarded(seed))
    assert not [e for e in library.errors if not isinstance(e, GuaranteeFailure)], [str(e) for e in library.errors]
    scorer = library.scorer("small-rules")
    reports = library.proofs["small-rules"]
    from assessments.compiler import compile_condition
    from assessments.refs import resolver_for

    resolver = resolver_for(scorer.ruleset, list(scorer.questionnaires))
    for guarantee, report in zip(scorer.ruleset.guarantees, reports, strict=True):
        holds = compile_condition(guarantee.when, resolver)
        broken = False
        for answers in ALL:
            try:
                values, missing = scorer.values_for(answers)
            except AssessmentError:
                continue
            if holds(values) and broken_parts(scorer.decide(values, missing), guarantee.then):
                broken = True
                break
        assert report.status == (BROKEN if broken else PROVEN), (guarantee.id, report)
        if report.status == BROKEN:  # the counterexample is real
            example = report.counterexample
            assert example is not None
            values, missing = scorer.values_for(example)
            assert holds(values)
            assert broken_parts(scorer.decide(values, missing), guarantee.then) == report.broke
    refused = library.refused.get("small-rules", [])
    assert bool(refused) == any(not r.ok for r in reports)


# Planted violations: each rule set breaks "danger means safety first" (or "control never
# pursue") in a subtle way, and its fixed twin keeps it.

CHECK = """
kind: questionnaire
id: check
version: "1"
title: Check
summary: A check for the planted violations.
minutes: 3
default_ruleset: check-rules
tags:
  - {id: danger, description: A sign of danger.}
  - {id: control, description: Coercive control.}
  - {id: their-choice, description: They asked for distance.}
sections:
  - id: first
    title: First
    questions:
      - {id: no-contact, kind: yes-no, text: Asked for no contact?, required: false, tags: [their-choice]}
      - {id: choked, kind: yes-no, text: Choked you?, required: false, tags: [danger]}
      - {id: threats, kind: yes-no, text: Threatened you?, required: false, tags: [danger]}
      - {id: money, kind: yes-no, text: Controlled money?, required: false, tags: [control]}
      - id: limits
        kind: scale
        text: Respected limits?
        required: false
        tags: [{tag: control, when: {in: [never, rarely]}}]
        options:
          - {value: never, label: Never, points: 0}
          - {value: rarely, label: Rarely, points: 1}
          - {value: often, label: Often, points: 2}
      - id: interest
        kind: scale
        text: Interest?
        required: false
        options:
          - {value: none, label: None, points: 0}
          - {value: some, label: Some, points: 2}
          - {value: lots, label: Lots, points: 4}
      - {id: reasons, kind: yes-no, text: Sound reasons?, required: false, points: {yes: 3, no: 0}}
"""

HEAD = """
kind: ruleset
id: check-rules
version: "1"
title: Check rules
author: Tests
questionnaires: [check]
outcomes:
  - {id: safety-first, title: Safety first, summary: Safety.}
  - {id: letting-go, title: Letting go, summary: Let go.}
  - {id: work-on-yourself, title: Work on yourself, summary: Work.}
  - {id: pursue, title: Pursue, summary: Pursue.}
flags:
  - {id: danger, title: Danger, safety: true, resources: [{name: Helpline, phone: "0800", country: GB, last_verified: 2026-11-01}]}
guarantees:
  - id: danger-means-safety
    says: Danger always means safety first.
    when: {tagged: {tag: danger, is: "yes"}}
    then: {outcome: safety-first, flags: [danger]}
"""

PLANTED = {
    "weights that outvote the override": (
        """
rules:
  - {id: danger, when: {tagged: {tag: danger, is: "yes"}}, because: Danger., flag: danger, add: {safety-first: 5}}
  - {id: interest, when: {interest: {equals: lots}}, because: Interest., add: {pursue: 4}}
  - {id: reasons, when: {reasons: {equals: "yes"}}, because: Reasons., add: {pursue: 2}}
decision: {method: highest, ties: [safety-first, letting-go, work-on-yourself, pursue], if_no_weight: work-on-yourself}
""",
        "add: {safety-first: 5}",
        "add: {safety-first: 100}",
    ),
    "a force with a lower priority than a later one": (
        """
rules:
  - {id: danger, when: {tagged: {tag: danger, is: "yes"}}, because: Danger., flag: danger, force: safety-first, priority: 10}
  - {id: no-contact, when: {no-contact: {equals: "yes"}}, because: Their choice., force: letting-go, priority: 50}
decision: {method: highest, ties: [safety-first, letting-go, work-on-yourself, pursue], if_no_weight: work-on-yourself}
""",
        "priority: 10}",
        "priority: 100}",
    ),
    "a flag raised only by one of the danger questions": (
        """
rules:
  - {id: choked, when: {choked: {equals: "yes"}}, because: Danger., flag: danger, force: safety-first, priority: 100}
  - {id: threats, when: {threats: {equals: "yes"}}, because: Threats., force: safety-first, priority: 100}
decision: {method: highest, ties: [safety-first, letting-go, work-on-yourself, pursue], if_no_weight: work-on-yourself}
""",
        "because: Threats., force",
        "because: Threats., flag: danger, force",
    ),
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_planted_violation_is_broken_and_its_twin_proven(tmp_path: Path, name: str) -> None:
    body, planted, fixed = PLANTED[name]
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(HEAD).lstrip() + body)
    library = load_library([tmp_path], bundled=False)
    (report,) = library.proofs["check-rules"]
    assert report.status == BROKEN, report
    scorer = library.scorer("check-rules")
    result = scorer.score(report.counterexample)
    assert result.outcome.id != "safety-first" or "danger" not in {f.id for f in result.flags}
    assert library.refused["check-rules"], "a rule set that breaks a guarantee is refused"
    assert "check-rules" not in _public(library)

    assert planted in body
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(HEAD).lstrip() + body.replace(planted, fixed))
    fixed_library = load_library([tmp_path], bundled=False)
    (twin,) = fixed_library.proofs["check-rules"]
    assert twin.status == PROVEN, twin
    assert "check-rules" not in fixed_library.refused


def _public(library: Library) -> set[str]:
    return {r for r in library.rulesets if r not in library.refused}


# Planted violations of guarantees that advice or a service is shown: each rule set gives it in a
# way that some answers get round, and its fixed twin gives it whatever the answers.

HELP_HEAD = """
kind: ruleset
id: check-rules
version: "1"
title: Check rules
author: Tests
questionnaires: [check]
outcomes:
  - {id: high-risk, title: Talk to a specialist today, summary: Today.}
  - id: safety-first
    title: Safety first
    summary: Safety.
    advice: [Tell someone you trust what happened.]
    resources: [{name: Refuge, phone: "0808 2000 247", country: GB, last_verified: 2026-01-01}]
  - {id: letting-go, title: Letting go, summary: Let go.}
  - {id: pursue, title: Pursue, summary: Pursue.}
flags:
  - id: danger
    title: Danger
    safety: true
    resources: [{name: Helpline, phone: "0800", country: GB, last_verified: 2026-01-01}]
decision: {method: highest, ties: [high-risk, safety-first, letting-go, pursue], if_no_weight: letting-go}
"""

# name: (what must be shown, the rules, the planted text, its fix, what the counterexample broke)
PLANTED_HELP = {
    "advice kept for an outcome that a stronger force overrides": (
        {"advice": ["Call the helpline today."]},
        """
rules:
  - id: danger
    when: {tagged: {tag: danger, is: "yes"}}
    because: Danger.
    flag: danger
    force: safety-first
    priority: 10
    advice: [{text: Call the helpline today., outcomes: [safety-first]}]
  - {id: choked, when: {choked: {equals: "yes"}}, because: Choking., force: high-risk, priority: 20}
""",
        "outcomes: [safety-first]}",
        "outcomes: [safety-first, high-risk]}",
        ["the advice 'Call the helpline today.' was not shown"],
    ),
    "advice only on an outcome that weights can outvote": (
        {"advice": ["Tell someone you trust what happened."]},
        """
rules:
  - {id: danger, when: {tagged: {tag: danger, is: "yes"}}, because: Danger., flag: danger, add: {safety-first: 5}}
  - {id: interest, when: {interest: {equals: lots}}, because: Interest., add: {pursue: 4}}
  - {id: reasons, when: {reasons: {equals: "yes"}}, because: Reasons., add: {pursue: 2}}
""",
        "add: {safety-first: 5}",
        "add: {safety-first: 100}",
        ["the advice 'Tell someone you trust what happened.' was not shown"],
    ),
    "a service listed only on an outcome that a stronger force overrides": (
        {"resources": ["Refuge"]},
        """
rules:
  - {id: danger, when: {tagged: {tag: danger, is: "yes"}}, because: Danger., flag: danger, force: safety-first, priority: 10}
  - {id: choked, when: {choked: {equals: "yes"}}, because: Choking., force: high-risk, priority: 20}
""",
        'resources: [{name: Helpline, phone: "0800", country: GB, last_verified: 2026-01-01}]',
        'resources: [{name: Helpline, phone: "0800", country: GB, last_verified: 2026-01-01},'
        ' {name: Refuge, phone: "0808 2000 247", country: GB, last_verified: 2026-01-01}]',
        ["'Refuge' was not shown"],
    ),
    "a service on a flag that only one of the danger questions raises": (
        {"resources": ["Helpline"]},
        """
rules:
  - {id: choked, when: {choked: {equals: "yes"}}, because: Choking., flag: danger, force: safety-first, priority: 10}
  - {id: threats, when: {threats: {equals: "yes"}}, because: Threats., force: safety-first, priority: 10}
""",
        "because: Threats., force",
        "because: Threats., flag: danger, force",
        ["'Helpline' was not shown"],
    ),
}


@pytest.mark.parametrize("name", list(PLANTED_HELP))
def test_planted_advice_or_service_violation_is_broken_and_its_twin_proven(tmp_path: Path, name: str) -> None:
    then, body, planted, fixed, broke = PLANTED_HELP[name]
    guarantee = {
        "id": "danger-shows-help",
        "says": "Danger always shows help.",
        "when": {"tagged": {"tag": "danger", "is": "yes"}},
    }
    text = textwrap.dedent(HELP_HEAD).lstrip() + f"guarantees: [{json.dumps({**guarantee, 'then': then})}]\n" + body
    assert text.count(planted) == 1
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(text)
    library = load_library([tmp_path], bundled=False)
    assert not [e for e in library.errors if not isinstance(e, GuaranteeFailure)], [str(e) for e in library.errors]
    (report,) = library.proofs["check-rules"]
    assert report.status == BROKEN, report
    assert report.broke == broke
    result = library.scorer("check-rules").score(report.counterexample)  # the engine agrees
    shown = [*result.advice, *(r.name for r in result.resources)]
    assert not set(then.get("advice", []) + then.get("resources", [])) & set(shown), shown
    assert "check-rules" not in _public(library)

    (tmp_path / "rules.yaml").write_text(text.replace(planted, fixed))
    fixed_library = load_library([tmp_path], bundled=False)
    (twin,) = fixed_library.proofs["check-rules"]
    assert twin.status == PROVEN, twin
    assert "check-rules" in _public(fixed_library)


SKIPPED = HEAD.replace(
    """guarantees:
  - id: danger-means-safety
    says: Danger always means safety first.
    when: {tagged: {tag: danger, is: "yes"}}
    then: {outcome: safety-first, flags: [danger]}""",
    """guarantees:
  - id: skipped-never-pursue
    says: Skipped safety questions never lead to pursue.
    when: {tagged: {tag: [danger, control, their-choice], is: unanswered}}
    then: {never: [pursue]}""",
)


def test_a_missing_answer_policy_that_lets_skipped_danger_through(tmp_path: Path) -> None:
    body = """
rules:
  - {id: danger, when: {tagged: {tag: danger, is: "yes"}}, because: Danger., flag: danger, force: safety-first, priority: 100}
scores:
  - {id: hope, sum: [{question: interest}, {question: reasons}]}
decision:
  method: bands
  score: hope
  bands:
    - {outcome: work-on-yourself, min: 0, max: 4}
    - {outcome: pursue, min: 5, max: 7}
missing: {treat_as: skip, max_missing: 5}
"""
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(SKIPPED).lstrip() + body)
    (report,) = load_library([tmp_path], bundled=False).proofs["check-rules"]
    assert report.status == BROKEN
    assert report.broke == ["the outcome was 'pursue'"]
    skipped = [
        q for q in ("no-contact", "choked", "threats", "money", "limits") if q not in report.counterexample["check"]
    ]
    assert skipped, "the counterexample leaves a safety question unanswered"

    fixed = body.replace("max_missing: 5}", "max_missing: 0}")
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(SKIPPED).lstrip() + fixed)
    (twin,) = load_library([tmp_path], bundled=False).proofs["check-rules"]
    assert twin.status == PROVEN


def test_a_band_variant_that_lets_control_through(tmp_path: Path) -> None:
    head = HEAD.replace(
        """  - id: danger-means-safety
    says: Danger always means safety first.
    when: {tagged: {tag: danger, is: "yes"}}
    then: {outcome: safety-first, flags: [danger]}""",
        """  - id: control-never-pursue
    says: Control never leads to pursue.
    when: {tagged: {tag: control, is: "yes"}}
    then: {never: [pursue]}""",
    )
    body = """
scores:
  - {id: hope, sum: [{question: interest}, {question: reasons}, {question: limits}]}
decision:
  method: bands
  score: hope
  bands:
    - {outcome: work-on-yourself, min: 0, max: 8}
    - {outcome: pursue, min: 9, max: 9}
  variants:
    - when: {reasons: {equals: "yes"}}
      bands:
        - {outcome: work-on-yourself, min: 0, max: 5}
        - {outcome: pursue, min: 6, max: 9}
"""
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(head).lstrip() + body)
    (report,) = load_library([tmp_path], bundled=False).proofs["check-rules"]
    assert report.status == BROKEN
    assert report.counterexample["check"]["reasons"] == "yes"  # only the variant lets it through
    assert report.counterexample["check"].get("money") == "yes" or report.counterexample["check"].get("limits") in (
        "never",
        "rarely",
    )
    fixed = body.replace(
        "- {outcome: work-on-yourself, min: 0, max: 5}", "- {outcome: work-on-yourself, min: 0, max: 6}"
    )
    fixed = fixed.replace("- {outcome: pursue, min: 6, max: 9}", "- {outcome: pursue, min: 7, max: 9}")
    fixed = fixed.replace(
        "- {outcome: work-on-yourself, min: 0, max: 8}\n    - {outcome: pursue, min: 9, max: 9}",
        "- {outcome: work-on-yourself, min: 0, max: 9}",
    )
    fixed += 'rules:\n  - {id: control, when: {tagged: {tag: control, is: "yes"}}, because: Control., force: work-on-yourself}\n'
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(head).lstrip() + fixed)
    (twin,) = load_library([tmp_path], bundled=False).proofs["check-rules"]
    assert twin.status == PROVEN, twin


def test_a_search_that_runs_out_of_steps_is_not_decided(tmp_path: Path) -> None:
    body, _, _ = PLANTED["weights that outvote the override"]
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(
        textwrap.dedent(HEAD).lstrip() + body.replace("add: {safety-first: 5}", "add: {safety-first: 100}")
    )
    library = load_library([tmp_path], bundled=False)
    scorer = library.scorer("check-rules")
    guarantee: Guarantee = scorer.ruleset.guarantees[0]
    (report,) = prove(scorer, [(guarantee, "rule set")], budget=2)
    assert report.status == UNDECIDED
    assert report.steps <= 2 * (2 + 2)  # two cases (one per danger question), each two short searches


def test_a_service_spelt_in_another_case_on_a_flag_is_the_same_service(tmp_path: Path) -> None:
    # The flag's "refuge" and the outcome's "Refuge" are one service, shown once under the
    # first spelling (the flag's): a guarantee naming either is kept. Found by the brute-force
    # test above, which once proved such a guarantee that the engine's result seemed to break.
    body = """
guarantees:
  - {id: g, says: Danger shows Refuge., when: {choked: {equals: "yes"}}, then: {resources: [Refuge]}}
rules:
  - {id: danger, when: {choked: {equals: "yes"}}, because: Danger., flag: danger, force: safety-first}
"""
    head = (
        textwrap.dedent(HELP_HEAD)
        .lstrip()
        .replace("{name: Helpline,", "{name: refuge,")
        .replace('"0800"', '"0808 2000 247"')
    )
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(head + body)
    library = load_library([tmp_path], bundled=False)
    scorer = library.scorer("check-rules")
    result = scorer.score({"check": {"choked": "yes"}})
    assert [r.name for r in result.resources] == ["refuge"]
    assert broken_parts(result, scorer.ruleset.guarantees[0].then) == []
    (report,) = library.proofs["check-rules"]
    assert report.status == PROVEN, report


def test_a_condition_is_never_confirmed_with_the_test_compiled_for_another(tmp_path: Path) -> None:
    # A guarantee's cases are conditions made afresh and dropped once proven, so CPython may give
    # the next one the same id. The compiled test of the first must not confirm the second: it
    # once did, and a broken guarantee was reported proven (now and then, in the brute-force test).
    body, _, _ = PLANTED["weights that outvote the override"]
    (tmp_path / "check.yaml").write_text(textwrap.dedent(CHECK).lstrip())
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(HEAD).lstrip() + body)
    scorer = load_library([tmp_path], bundled=False).scorer("check-rules")
    then = scorer.ruleset.guarantees[0].then
    prover = Prover(scorer, [])
    answers = {"check": {"choked": "yes", "interest": "lots", "reasons": "yes"}}  # pursue: breaks `then`
    for _ in range(20):  # without the fix, the first try gave the second condition the first one's id
        first = All((Compare("choked", "equals", "yes"),))
        assert prover._confirm(answers, first, then)
        seen = id(first)
        del first
        second = All((Compare("choked", "equals", "no"),))
        if id(second) == seen:
            break
    assert not prover._confirm(answers, second, then)


# A counsellor's copy of the red flags rule set without its safety rules: refused everywhere.


@pytest.fixture
def unsafe_copy(tmp_path: Path) -> Path:
    text = (
        (BUNDLED / "rules" / "red-flags.yaml")
        .read_text()
        .replace("id: red-flags\nversion", "id: my-red-flags\nversion", 1)
    )
    start, end = text.index("  - id: highest-risk\n"), text.index("  # Their choice comes next.")
    (tmp_path / "my-red-flags.yaml").write_text(text[:start] + text[end:])
    (tmp_path / "my-red-flags.scenarios.yaml").write_text(
        "kind: scenarios\nruleset: my-red-flags\ncases:\n"
        "  - name: blocked\n    answers: {red-flags: {blocked: 'yes'}}\n    expect: {outcome: respect-their-wish}\n"
    )
    return tmp_path


def test_a_copy_without_the_safety_override_is_refused_by_validate_test_and_analyze(unsafe_copy: Path) -> None:
    policy = BUNDLED / "policies" / "safety.yaml"
    line = next(
        i for i, text in enumerate(policy.read_text().splitlines(), 1) if "id: danger-means-safety-first" in text
    )
    env = {"REKINDLE_LIBRARY": ""}
    validate = CliRunner().invoke(main, ["validate", str(unsafe_copy / "my-red-flags.yaml")], env=env)
    assert validate.exit_code == 1
    assert validate.output.splitlines()[0] == (
        f"{display_path(policy)}:{line}:5: guarantees[0]: rule set 'my-red-flags' breaks guarantee"
        " 'danger-means-safety-first' (Any sign of danger leads to a safety result, with the danger flag's help):"
        " for strangled=yes, the outcome was 'not-enough-information', which is not one of high-risk,"
        " safety-first; flag 'danger' was not raised; see 'rekindle analyze my-red-flags' for this counterexample"
        " as a scenario case"
    )
    tested = CliRunner().invoke(
        main, ["--library", str(unsafe_copy), "test", str(unsafe_copy / "my-red-flags.scenarios.yaml")], env=env
    )
    assert tested.exit_code == 1  # its own cases pass, but it does not keep the policy
    assert "1 passed, 0 failed" in tested.output
    assert "rule set(s) not keeping every guarantee (not served): my-red-flags" in tested.output
    analysed = CliRunner().invoke(main, ["--library", str(unsafe_copy), "analyze", "my-red-flags"], env=env)
    assert analysed.exit_code == 1
    assert "    BROKEN: for strangled=yes: the outcome was 'not-enough-information', not 'high-risk'" in analysed.output
    assert '      - name: "keeps highest-risk-means-specialist-today"' in analysed.output
    library = load_library([unsafe_copy])
    assert "my-red-flags" in library.rulesets and library.refused["my-red-flags"]  # loaded, not served
    assert "red-flags" not in library.refused  # the bundled one keeps the policy


BAD_GUARANTEES = [
    (
        "an unknown outcome",
        "guarantees: [{id: g, says: S., when: {c: {equals: 'yes'}}, then: {outcome: sefety}}]",
        "outcome: sefety",
        "guarantees[0].then.outcome: unknown outcome 'sefety'; declared outcomes: a, b, not-enough-information",
    ),
    (
        "an unknown flag",
        "guarantees: [{id: g, says: S., when: {c: {equals: 'yes'}}, then: {flags: [dangr]}}]",
        "dangr",
        "guarantees[0].then.flags[0]: unknown flag 'dangr' (did you mean 'danger'?); declared flags: danger",
    ),
    (
        "an unknown question",
        "guarantees: [{id: g, says: S., when: {cc: {equals: 'yes'}}, then: {outcome: a}}]",
        "cc:",
        "guarantees[0].when.cc: unknown question or score 'cc' (did you mean 'c'?); known: a, b, c, d, n, e, t, total",
    ),
    (
        "a tag no question of the rule set carries",
        "guarantees: [{id: g, says: S., when: {tagged: {tag: contrl, is: 'yes'}}, then: {outcome: a}}]",
        "tag: contrl",
        "guarantees[0].when.tagged.tag: no question here carries the tag 'contrl' (did you mean 'control'?); tags"
        " its questions carry: control",
    ),
    (
        "a state a tag cannot be in",
        "guarantees: [{id: g, says: S., when: {tagged: {tag: control, is: true}}, then: {outcome: a}}]",
        "is: true",
        "guarantees[0].when.tagged.is: write is: yes or is: no (words), not true or false",
    ),
    (
        "advice no outcome or rule gives",
        "guarantees: [{id: g, says: S., when: {c: {equals: 'yes'}}, then: {advice: [Call someone.]}}]",
        "Call someone.",
        "guarantees[0].then.advice[0]: no outcome or rule gives this advice; copy the text exactly as written there",
    ),
]


@pytest.mark.parametrize(("what", "line", "at", "message"), BAD_GUARANTEES, ids=[b[0] for b in BAD_GUARANTEES])
def test_a_mistake_in_a_guarantee_is_reported_at_its_place(
    build: Build, what: str, line: str, at: str, message: str
) -> None:
    text = (rules(RULES_BODY) + line + "\n").lstrip()
    library = build({"quiz.yaml": QUIZ_WITH_TAGS, "r.yaml": text})
    number = len(text.splitlines())
    column = line.index(at) + 1
    errors = [p.format("r.yaml") for e in library.errors if e.path.name == "r.yaml" for p in e.problems]
    assert errors == [f"r.yaml:{number}:{column}: {message}"]


def test_a_policy_that_names_a_question_or_an_unknown_tag_says_what_to_write(build: Build) -> None:
    policy = """
    kind: policy
    id: house
    version: "1"
    title: House rules
    tags: [{id: danger, description: Danger.}]
    guarantees:
      - {id: one, says: S., when: {c: {equals: 'yes'}}, then: {never: [a]}}
      - {id: two, says: S., when: {tagged: {tag: dangr, is: 'yes'}}, then: {never: [a]}}
    """
    library = build({"p.yaml": policy}, quiz=False)
    assert [p.format("p.yaml") for e in library.errors for p in e.problems] == [
        "p.yaml:7:32: guarantees[0].when.c: a policy applies to many questionnaires, so it speaks about tags, not"
        " question 'c'; write e.g. tagged: {tag: danger, is: yes}, or put this guarantee in the rule set",
        "p.yaml:8:41: guarantees[1].when.tagged.tag: unknown tag 'dangr' (did you mean 'danger'?); declare it under"
        " tags in a policy or questionnaire (declared: danger)",
    ]


def test_a_rule_set_a_policy_cannot_be_checked_against_is_refused_at_the_policy(build: Build) -> None:
    policy = """
    kind: policy
    id: house
    version: "1"
    title: House rules
    guarantees:
      - {id: safe, says: Danger means safety., when: {tagged: {tag: control, is: 'yes'}}, then: {outcome: safety-first}}
    """
    library = build({"quiz.yaml": QUIZ_WITH_TAGS, "p.yaml": policy, "r.yaml": rules(RULES_BODY)})
    assert [p.format("p.yaml") for e in library.errors for p in e.problems] == [
        "p.yaml:6:5: guarantees[0]: rule set 'quiz-rules' cannot keep this guarantee: unknown outcome"
        " 'safety-first'; declared outcomes: a, b, not-enough-information"
    ]
    assert "quiz-rules" in library.refused and "quiz-rules" in library.rulesets


def test_a_misspelt_tag_on_a_question_is_refused_with_a_suggestion(build: Build) -> None:
    library = build({"quiz.yaml": QUIZ_WITH_TAGS.replace("tags: [control]", "tags: [controll]")})
    assert any(  # beside the missing default rule set, reported in the same run
        p.format("quiz.yaml").endswith(
            "unknown tag 'controll' (did you mean 'control'?); declare it under the questionnaire's tags or in a"
            " policy file (declared: control)"
        )
        for e in library.errors
        for p in e.problems
    )
