"""Which safety promises the bundled rule sets keep, pinned.

A policy guarantee applies to every rule set whose questionnaires ask a question with its tags,
so the tags on the bundled questions decide which promises the bundled checks make. A tag
dropped from a question, or a question that loses its last tag, would quietly take a question
(or a whole promise) out of the proofs; these tests make that a visible change. Update them
with the content, on purpose.
"""

from __future__ import annotations

import pytest

from assessments import Library
from assessments.analysis.guarantees import PROVEN
from assessments.policies import triggers, used_tags

# rule set -> the guarantees of the bundled policy (policies/safety.yaml) it must keep
POLICY = {
    "red-flags": {
        "danger-means-safety-first",
        "highest-risk-means-specialist-today",
        "control-never-pursue",
        "their-choice-respected",
        "their-choice-never-pursue",
        "skipped-never-pursue",
    },
    "motivation-check": {
        "crisis-means-safety-first",
        "own-behaviour-never-pursue",
        "own-behaviour-points-to-help",
        "skipped-never-pursue",
    },
    "signs-they-want-you-back": {
        "danger-means-safety-first",
        "their-choice-respected",
        "their-choice-never-pursue",
        "skipped-never-pursue",
    },
    "should-i-try": {  # all three questionnaires: every promise
        "danger-means-safety-first",
        "highest-risk-means-specialist-today",
        "crisis-means-safety-first",
        "control-never-pursue",
        "their-choice-respected",
        "their-choice-never-pursue",
        "own-behaviour-never-pursue",
        "own-behaviour-points-to-help",
        "skipped-never-pursue",
    },
}

# rule set -> its own guarantees
OWN = {
    "red-flags": set(),
    "motivation-check": {"sound-needs-every-worry-low", "early-weeks-never-sound"},
    "signs-they-want-you-back": {
        "strong-needs-their-own-words",
        "skipped-safety-is-never-strong",
        "nothing-answered-is-not-enough",
    },
    "should-i-try": {"pursue-only-when-every-condition-holds", "not-sure-about-a-new-relationship-is-not-no"},
}

HIGHEST_RISK = [
    "strangled",
    "threat-to-kill",
    "weapon",
    "forced-sex",
    "getting-worse",
    "stalking",
    "children-threats",
    "pregnancy-harm",
    "broke-order",
]

# questionnaire -> tag -> the questions that carry it, in order
TAGGED = {
    "red-flags": {
        "their-choice": ["said-no", "asked-no-contact", "blocked", "court-order"],
        "danger": [
            *HIGHEST_RISK,  # every highest-risk question is a danger question too
            "physical-harm",
            "threats",
            "self-harm-pressure",
            "monitoring",
            "turning-up",
            "quizzing-friends",
            "afraid",
        ],
        "highest-risk": HIGHEST_RISK,
        "control": ["controlled-money", "cut-off", "extreme-jealousy", "put-down", "controlled-life"],
    },
    "motivation-check": {
        "own-behaviour": [
            "kept-messaging",
            "turned-up-uninvited",
            "checked-their-accounts",
            "asked-their-friends",
            "kept-sending",
        ],
        "crisis": ["self-harm-thoughts", "acting-now"],
    },
    "signs-they-want-you-back": {"their-choice": ["open-to-meeting"], "danger": ["concerning"]},
}

# (questionnaire, question, tag) -> which answers count, where the question is not yes/no
COUNTING = {
    ("signs-they-want-you-back", "concerning", "danger"): (
        "contains_any",
        ("tracking", "turned-up", "quizzed-friends"),
    ),
    ("signs-they-want-you-back", "open-to-meeting", "their-choice"): ("equals", "declined"),
}


def test_the_bundled_rule_sets_are_those_pinned_here(bundled: Library) -> None:
    assert set(bundled.rulesets) == set(POLICY) == set(OWN)


@pytest.mark.parametrize("ruleset_id", sorted(POLICY))
def test_each_bundled_rule_set_keeps_the_guarantees_its_tags_call_for(bundled: Library, ruleset_id: str) -> None:
    reports = bundled.proofs[ruleset_id]
    assert {r.id for r in reports if r.origin == "policy safety"} == POLICY[ruleset_id]
    assert {r.id for r in reports if r.origin == "rule set"} == OWN[ruleset_id]
    assert len(reports) == len(POLICY[ruleset_id]) + len(OWN[ruleset_id])  # no other origin
    assert [r.id for r in reports if r.status != PROVEN] == []
    assert ruleset_id not in bundled.refused


def test_each_bundled_question_carries_the_tags_pinned_here(bundled: Library) -> None:
    found: dict[str, dict[str, list[str]]] = {}
    counting = {}
    for questionnaire in bundled.questionnaires.values():
        for question in questionnaire.questions():
            for use in question.tags:
                found.setdefault(questionnaire.id, {}).setdefault(use.tag, []).append(question.id)
                if use.when is not None:
                    counting[(questionnaire.id, question.id, use.tag)] = (use.when.op, use.when.value)
    assert found == TAGGED
    assert counting == COUNTING


def test_every_tag_and_guarantee_of_the_safety_policy_is_used_by_bundled_content(bundled: Library) -> None:
    policy = bundled.policies["safety"]
    carried = used_tags(list(bundled.questionnaires.values()))
    assert [t.id for t in policy.tags if t.id not in carried] == []
    # and each of its guarantees is proven for some bundled rule set (else nothing here tests it)
    applied = set().union(*POLICY.values())
    assert [g.id for g in policy.guarantees if g.id not in applied] == []
    assert all(triggers(g) & carried for g in policy.guarantees)
