"""How a simulated person reads and fills in Rekindle's pages (shared by bench/load.py and the tests)."""

from __future__ import annotations

import random
import re

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHOICE = re.compile(r'<input class="choice-input"[^>]*name="(q_[a-z0-9_]+)" type="(radio|checkbox)" value="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
CHECKS = re.compile(r'href="/check/([a-z0-9-]+)/"')
CARRY_ON = re.compile(r'<a class="button button-secondary" href="([^"]+)">Carry on with the questions</a>')


def answers(html: str) -> list[tuple[str, str]]:
    """Give a page's form answered at random: one option per question, about one in ten skipped."""
    token = TOKEN.search(html[html.index("<main") :])
    data = [("csrf_token", token.group(1) if token else "")]
    options: dict[str, list[str]] = {}
    for name, _, value in CHOICE.findall(html):
        options.setdefault(name, []).append(value)
    for name, values in options.items():
        if random.random() > 0.1:
            data.append((name, random.choice(values)))
    return data


def carry_on(html: str) -> str | None:
    """Give where "Carry on with the questions" leads on the safety interruption page, if it is one."""
    found = CARRY_ON.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


def submit_form(review: str) -> list[tuple[str, str]]:
    """Give the hidden fields of the check-your-answers form (CSRF token and submission token)."""
    form = review[review.index('<form method="post"', review.index("<main")) :]
    return HIDDEN.findall(form.split("</form>")[0])
