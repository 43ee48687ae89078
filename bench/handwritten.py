"""The should-i-try rule set written by hand as straight-line Python: the benchmark's baseline.

It must give the same outcome and tallies as the engine (tests/assessments/test_handwritten.py
checks this on generated responses). It trusts its input: no validation, as a careful engineer
would write it for answers already checked elsewhere.
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

RED_FLAGS_ALWAYS = (
    "asked-no-contact",
    "blocked",
    "court-order",
    "physical-harm",
    "threats",
    "self-harm-pressure",
    "monitoring",
    "turning-up",
    "quizzing-friends",
    "afraid",
    "accountability",
    "respected-limits",
    "dishonesty",
    "addiction",
    "effort",
    "moving-on-reaction",
)
MOTIVATION_ALWAYS = (
    "who-they-are",
    "good-together",
    "fear-of-alone",
    "pride",
    "jealousy",
    "validation",
    "own-part",
    "working-on-it",
    "who-ended-it",
    "weeks-since",
    "no-contact-weeks",
    "what-ended-it",
    "coping-day-to-day",
    "hopeless",
    "self-harm-thoughts",
    "someone-to-talk-to",
)
SIGNS_ALWAYS = ("new-relationship", "any-contact", "curious-about-you", "open-to-meeting", "own-part", "concerning")
SIGNS_IF_CONTACT = ("they-start-contact", "shared-memories", "tone")
PRESSURE = {"sudden-declarations", "guilt", "undermined"}
DANGER_QUESTIONS = (
    "physical-harm",
    "threats",
    "self-harm-pressure",
    "monitoring",
    "turning-up",
    "quizzing-friends",
    "afraid",
)
CONCERNING = {"tracking", "turned-up", "quizzed-friends"}


def decide(answers: dict[str, dict[str, Any]]) -> tuple[str, dict[str, float]]:
    """Give (outcome id, tallies) for a valid answer set."""
    rf = answers.get("red-flags", {})
    mc = answers.get("motivation-check", {})
    sg = answers.get("signs-they-want-you-back", {})

    missing = sum(1 for q in RED_FLAGS_ALWAYS if q not in rf)
    reaction = rf.get("moving-on-reaction")
    if reaction is not None and not PRESSURE.isdisjoint(reaction) and "reaction-ongoing" not in rf:
        missing += 1
    missing += sum(1 for q in MOTIVATION_ALWAYS if q not in mc)
    missing += sum(1 for q in SIGNS_ALWAYS if q not in sg)
    if sg.get("any-contact") == "yes":
        missing += sum(1 for q in SIGNS_IF_CONTACT if q not in sg)

    warning = 0
    if "accountability" in rf:
        warning += REVERSED[rf["accountability"]]
    if "respected-limits" in rf:
        warning += REVERSED[rf["respected-limits"]]
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

    danger = sum(1 for q in DANGER_QUESTIONS if rf.get(q) == "yes")
    if not CONCERNING.isdisjoint(sg.get("concerning", ())):
        danger += 1

    motive_points = []
    for q in ("who-they-are", "good-together"):
        if q in mc:
            motive_points.append(AGREE[mc[q]])
    for q in ("fear-of-alone", "pride", "jealousy", "validation"):
        if q in mc:
            motive_points.append(4 - AGREE[mc[q]])
    motive = sum(motive_points) / len(motive_points) if motive_points else None

    interest = 0
    if "they-start-contact" in sg:
        interest += OFTEN[sg["they-start-contact"]]
    if "shared-memories" in sg:
        interest += OFTEN[sg["shared-memories"]]
    if "tone" in sg:
        interest += TONE[sg["tone"]]
    if sg.get("curious-about-you") == "yes":
        interest += 2
    if sg.get("open-to-meeting") is not None:
        interest += MEETING[sg["open-to-meeting"]]
    if sg.get("own-part") == "yes":
        interest += 2

    tallies = {"safety-first": 0, "letting-go": 0, "work-on-yourself": 0, "pursue-with-patience": 0}
    forced, priority = None, -1
    if danger >= 1 or mc.get("self-harm-thoughts") == "yes":
        forced, priority = "safety-first", 100
    if rf.get("court-order") == "yes" and priority < 60:
        forced, priority = "letting-go", 60
    if (rf.get("asked-no-contact") == "yes" or rf.get("blocked") == "yes") and priority < 50:
        forced, priority = "letting-go", 50
    if (mc.get("hopeless") == "yes" or mc.get("coping-day-to-day") == "barely") and priority < 20:
        forced, priority = "work-on-yourself", 20
    # one of the three warning rules always fires, so some outcome always has weight
    if warning >= 12:
        tallies["letting-go"] += 6
    elif warning >= 5:
        tallies["work-on-yourself"] += 3
        tallies["letting-go"] += 1
    else:
        tallies["pursue-with-patience"] += 2
    if motive is not None:
        if motive >= 2.75:
            tallies["pursue-with-patience"] += 2
        elif motive >= 1.5:
            tallies["work-on-yourself"] += 3
        elif motive <= 1.49:
            tallies["work-on-yourself"] += 5
    weeks = mc.get("weeks-since")
    if weeks is not None and weeks <= 3:
        tallies["work-on-yourself"] += 8
    if mc.get("own-part") in ("not-at-all", "a-little"):
        tallies["work-on-yourself"] += 4
    if mc.get("working-on-it") in ("not-yet", "not-sure"):
        tallies["work-on-yourself"] += 2
    if interest >= 9:
        tallies["pursue-with-patience"] += 3
    elif interest >= 4:
        tallies["pursue-with-patience"] += 1
        tallies["work-on-yourself"] += 1
    else:
        tallies["letting-go"] += 5
        tallies["work-on-yourself"] += 1
    if sg.get("new-relationship") == "yes" and priority < 40:
        forced, priority = "letting-go", 40
    if sg.get("tone") == "harsher":
        tallies["letting-go"] += 1

    if forced is not None:
        return forced, tallies
    if missing > 8:
        return "not-enough-information", tallies
    best = max(tallies.values())
    for outcome in ("safety-first", "letting-go", "work-on-yourself", "pursue-with-patience"):
        if tallies[outcome] == best:
            return outcome, tallies
    raise AssertionError("unreachable")
