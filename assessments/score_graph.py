"""Scores built on other scores: cycles, and chains deeper than the nesting limit.

Scoring, bounds and analysis follow a score's uses recursively, so a rule set is only accepted
when its scores form no cycle and no chain longer than MAX_NESTING; both are found here without
recursion, since the file itself may hold thousands of scores.
"""

from __future__ import annotations

from assessments.models.conditions import condition_refs
from assessments.models.ruleset import QuestionItem, RuleSet
from assessments.yamlload import MAX_NESTING

Graph = dict[str, list[str]]


def score_uses(ruleset: RuleSet) -> Graph:
    """Give score id -> the declared scores it uses (through items or count conditions)."""
    declared = {s.id for s in ruleset.scores}
    graph: Graph = {}
    for score in ruleset.scores:
        if score.count is not None:
            names = [ref for condition in score.count for ref in condition_refs(condition)]
        else:
            names = [item.score for item in getattr(score, score.method) if not isinstance(item, QuestionItem)]
        graph.setdefault(score.id, []).extend(name for name in names if name in declared)
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """Give a cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in graph:
        if root in state:
            continue
        path = [root]
        pending = [iter(graph.get(root, ()))]
        state[root] = 1
        while pending:
            following = next(pending[-1], None)
            if following is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif following in graph and following not in state:
                state[following] = 1
                path.append(following)
                pending.append(iter(graph[following]))
    return None


def longest_chain(graph: Graph) -> list[str]:
    """Give the longest chain of uses [a, b, c] (a uses b uses c) in a graph without cycles."""
    below: dict[str, list[str]] = {}  # score -> its longest chain, itself first
    for root in graph:
        stack = [root]
        while stack:
            current = stack[-1]
            if current in below:
                stack.pop()
                continue
            waiting = [u for u in graph.get(current, ()) if u in graph and u not in below]
            if waiting:
                stack += waiting
                continue
            deepest = max((below[u] for u in graph.get(current, ()) if u in below), key=len, default=[])
            below[current] = [current, *deepest]
            stack.pop()
    return max(below.values(), key=len, default=[])


def chain_problem(graph: Graph) -> tuple[str, str] | None:
    """Give (score id, message) when scores use each other in a cycle or deeper than the limit."""
    cycle = find_cycle(graph)
    if cycle:
        return cycle[0], (
            f"scores depend on each other in a cycle: {' -> '.join(cycle)}; one of them must not use the other"
        )
    chain = longest_chain(graph)
    if len(chain) > MAX_NESTING:
        shown = " -> ".join([*chain[:3], "...", chain[-1]])
        return chain[0], (
            f"scores are built on other scores {len(chain)} levels deep ({shown}); the limit is {MAX_NESTING} —"
            " let a score use the questions directly instead of a chain of scores"
        )
    return None
