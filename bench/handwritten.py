"""The should-i-try rule set written by hand as straight-line Python: the benchmark's baseline.

It must give the same outcome and tallies as the engine (tests/assessments/test_handwritten.py
checks this on generated responses and every scenario case). It trusts its input: no
validation, as a careful engineer would write it for answers already checked elsewhere.
"""

from __future__ import annotations

from typing import Any

REVERSED = {"never": 4, "rarely": 3, "sometimes": 2, "often": 1, "always": 0}
DIRECT = {"never": 0, "rarely": 1, "sometimes": 2, "often": 3, "always": 4}
ADDICTION = {"no": 0, "getting-help": 1, "not-addressed": 3}
EFFORT = {"both": 0, "mostly-me": 1, "only-me": 2}
MOVING_ON = {"sudden-declarations": 1, "guilt": 2, "undermined": 2, "none": 0}
AGREE = {"not-at-all": 0, "a-little": 1, "somewhat": 2, "mostly": 3, "completely": 4}
OFTEN = {"never": 0, "rarely": 1, "sometimes": 2, "often": 3}
TONE = {"harsher": 0, "same": 1, "softer": 3}
MEETING = {"declined": 0, "not-asked": 0, "open": 2}
PRESSURE = {"sudden-declarations", "guilt", "undermined"}
CONCERNING = {"tracking", "turned-up", "quizzed-friends"}

THEIR_CHOICE = ("said-no", "asked-no-contact", "blocked", "court-order")
HIGHEST_RISK = (
    "strangled",
    "threat-to-kill",
    "weapon",
    "forced-sex",
    "getting-worse",
    "stalking",
    "children-threats",
    "pregnancy-harm",
    "broke-order",
)
OTHER_DANGER = (
    "physical-harm",
    "threats",
    "self-harm-pressure",
    "monitoring",
    "turning-up",
    "quizzing-friends",
    "afraid",
)
CONTROL = ("controlled-money", "cut-off", "extreme-jealousy", "put-down", "controlled-life")
OWN = ("kept-messaging", "turned-up-uninvited", "checked-their-accounts", "asked-their-friends", "kept-sending")
PROBLEMS = ("accountability", "dishonesty", "addiction", "effort", "moving-on-reaction")
WORRYING = ("just-someone", "fear-of-alone", "pride", "make-jealous", "make-regret", "validation")
SOUND = ("who-they-are", "same-things", "treated-well")
INTEREST_ASKED = ("curious-about-you", "own-part", "said-try-again", "open-to-meeting", "they-start-contact")

# every question that counts towards max_missing (text and not-asked questions do not)
RED_FLAGS_ALWAYS = (*THEIR_CHOICE, *HIGHEST_RISK, *OTHER_DANGER, *CONTROL, *PROBLEMS)
MOTIVATION_ALWAYS = (
    *SOUND,
    *WORRYING,
    "own-part",
    "working-on-it",
    "who-ended-it",
    "weeks-since",
    "what-ended-it",
    *OWN,
    "coping-day-to-day",
    "hopeless",
    "self-harm-thoughts",
    "someone-to-talk-to",
)
SIGNS_ALWAYS = ("open-to-meeting", "new-relationship", "any-contact", "curious-about-you", "own-part", "said-try-again")
SIGNS_IF_CONTACT = ("they-start-contact", "shared-memories", "tone")
OUTCOMES = (
    "high-risk",
    "safety-first",
    "respect-their-wish",
    "step-back",
    "letting-go",
    "work-on-yourself",
    "pursue-with-patience",
    "not-enough-information",
)
TIES = (
    "letting-go",
    "work-on-yourself",
    "high-risk",
    "safety-first",
    "respect-their-wish",
    "step-back",
    "pursue-with-patience",
    "not-enough-information",
)


def decide(answers: dict[str, dict[str, Any]]) -> tuple[str, dict[str, float]]:
    """Give (outcome id, tallies) for a valid answer set."""
    rf = answers.get("red-flags", {})
    mc = answers.get("motivation-check", {})
    sg = answers.get("signs-they-want-you-back", {})
    contact = sg.get("any-contact") == "yes"
    reaction = rf.get("moving-on-reaction")

    missing = sum(1 for q in RED_FLAGS_ALWAYS if q not in rf)
    if reaction is not None and not PRESSURE.isdisjoint(reaction) and "reaction-ongoing" not in rf:
        missing += 1
    missing += sum(1 for q in MOTIVATION_ALWAYS if q not in mc)
    if mc.get("self-harm-thoughts") == "yes" and "acting-now" not in mc:
        missing += 1
    missing += sum(1 for q in SIGNS_ALWAYS if q not in sg) + ("concerning" not in sg)
    if contact:
        missing += sum(1 for q in SIGNS_IF_CONTACT if q not in sg)

    concerning = sg.get("concerning")
    highest = any(rf.get(q) == "yes" for q in HIGHEST_RISK)
    danger = highest or any(rf.get(q) == "yes" for q in OTHER_DANGER)
    danger = danger or (concerning is not None and not CONCERNING.isdisjoint(concerning))
    crisis = mc.get("self-harm-thoughts") == "yes" or mc.get("acting-now") == "yes"
    their_choice = any(rf.get(q) == "yes" for q in THEIR_CHOICE) or sg.get("open-to-meeting") == "declined"
    control = any(rf.get(q) == "yes" for q in CONTROL)
    own = any(mc.get(q) == "yes" for q in OWN)
    skipped = (
        any(q not in rf for q in (*HIGHEST_RISK, *OTHER_DANGER, *CONTROL, *THEIR_CHOICE))
        or concerning is None
        or "open-to-meeting" not in sg
        or any(q not in mc for q in OWN)
    )

    warning = 0
    if "accountability" in rf:
        warning += REVERSED[rf["accountability"]]
    if "dishonesty" in rf:
        warning += DIRECT[rf["dishonesty"]]
    if "addiction" in rf:
        warning += ADDICTION[rf["addiction"]]
    if "effort" in rf:
        warning += EFFORT[rf["effort"]]
    if reaction is not None:
        warning += sum(MOVING_ON[v] for v in reaction)
    if rf.get("reaction-ongoing") == "yes":
        warning += 1
    warning_answered = sum(1 for q in PROBLEMS if q in rf)
    reasons_answered = sum(1 for q in (*SOUND, *WORRYING) if q in mc)
    worrying = [AGREE[mc[q]] for q in WORRYING if q in mc]
    worst = max(worrying) if worrying else None
    sound = [AGREE[mc[q]] for q in SOUND if q in mc]
    ground = sum(sound) / len(sound) if sound else None

    interest = 0
    if "they-start-contact" in sg:
        interest += OFTEN[sg["they-start-contact"]]
    if "shared-memories" in sg:
        interest += OFTEN[sg["shared-memories"]]
    if "tone" in sg:
        interest += TONE[sg["tone"]]
    if sg.get("curious-about-you") == "yes":
        interest += 2
    if "open-to-meeting" in sg:
        interest += MEETING[sg["open-to-meeting"]]
    if sg.get("own-part") == "yes":
        interest += 2
    if sg.get("said-try-again") == "yes":
        interest += 3
    interest_answered = sum(1 for q in INTEREST_ASKED if q in sg)
    weeks = mc.get("weeks-since")
    hopeless = mc.get("hopeless") == "yes"

    forced = None
    if highest:
        forced = "high-risk"
    elif mc.get("acting-now") == "yes" or danger or mc.get("self-harm-thoughts") == "yes":
        forced = "safety-first"
    elif their_choice:
        forced = "respect-their-wish"
    elif control:
        forced = "letting-go"
    elif own:
        forced = "step-back"
    elif sg.get("new-relationship") == "yes":
        forced = "letting-go"
    elif hopeless or mc.get("coping-day-to-day") == "barely":
        forced = "work-on-yourself"
    elif (
        not crisis
        and not skipped
        and warning <= 4
        and warning_answered >= 5
        and reasons_answered == 9
        and worst is not None
        and worst <= 1
        and ground is not None
        and ground >= 2.5
        and interest >= 11
        and sg.get("said-try-again") == "yes"
        and sg.get("tone") != "harsher"
        and sg.get("new-relationship") == "no"
        and weeks is not None
        and weeks >= 4
    ):
        forced = "pursue-with-patience"

    tallies = dict.fromkeys(OUTCOMES, 0)
    weighted = False
    work = letting = 0
    if 5 <= interest <= 10 and interest_answered >= 3:
        work += 1
    if reasons_answered <= 8:
        work += 1
    if ground is None or ground < 2.5:
        work += 1
    if sg.get("new-relationship") == "not-sure":
        work += 1
    if warning_answered <= 4:
        work += 1
    if warning >= 12:
        letting += 6
    elif warning >= 5:
        work += 3
        letting += 1
    if worst is not None and worst >= 3:
        work += 5
    if worst == 2:
        work += 3
    if weeks is not None and weeks <= 3:
        work += 4
    if mc.get("own-part") in ("not-at-all", "a-little"):
        work += 2
    if mc.get("working-on-it") in ("not-yet", "not-sure"):
        work += 1
    if interest <= 4 and interest_answered >= 3:
        letting += 4
    if sg.get("said-try-again") == "no":
        work += 1
    if sg.get("tone") == "harsher":
        letting += 2
    weighted = (
        (5 <= interest <= 10 and interest_answered >= 3)
        or reasons_answered <= 8
        or ground is None
        or ground < 2.5
        or sg.get("new-relationship") == "not-sure"
        or warning_answered <= 4
        or warning >= 5
        or (worst is not None and worst >= 2)
        or (weeks is not None and weeks <= 3)
        or mc.get("own-part") in ("not-at-all", "a-little")
        or mc.get("working-on-it") in ("not-yet", "not-sure")
        or (interest <= 4 and interest_answered >= 3)
        or sg.get("said-try-again") == "no"
        or sg.get("tone") == "harsher"
    )
    tallies["work-on-yourself"], tallies["letting-go"] = work, letting

    if forced is not None:
        return forced, tallies
    if missing > 12:
        return "not-enough-information", tallies
    if not weighted:
        return "work-on-yourself", tallies
    best = max(tallies.values())
    return next(o for o in TIES if tallies[o] == best), tallies
