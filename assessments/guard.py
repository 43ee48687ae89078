"""Prove every loaded rule set's guarantees and the library policies that apply to it.

A rule set that breaks a guarantee, or whose guarantee could not be decided, stays loaded (so
counsellors can analyse and try it) but is refused: it is listed in `Library.refused` with the
reasons, and every reason is a FileError at the guarantee's own `file:line:col` — in the rule
set, or in the policy file — so `validate` and `test` fail and the web app does not serve it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from assessments.analysis.guarantees import BROKEN, GuaranteeReport, prove
from assessments.analysis.report import describe_answers
from assessments.errors import GuaranteeFailure, Problem
from assessments.policies import Applied, applied_guarantees

if TYPE_CHECKING:
    from assessments.library import Library
    from assessments.loading import SourceFile

# Proofs are pure functions of the files' contents, and the web app loads the library in every
# worker (and the test suite in every test): a small memo keyed by content hashes saves redoing
# them. It holds no answers and nothing that can go stale.
_MEMO: dict[str, list[GuaranteeReport]] = {}
_MEMO_LIMIT = 256


def guard(library: Library, only: set[str] | None = None) -> None:
    """Prove every rule set's guarantees (or those in `only`); record the proofs and refuse the rule sets that fail."""
    policies = [library.policies[p] for p in sorted(library.policies)]
    policy_hashes = [library.sources[("policy", p.id)].content_hash for p in policies]
    errors: dict[tuple[str, str], list[Problem]] = {}
    places: dict[str, SourceFile] = {}
    for ruleset_id, ruleset in library.rulesets.items():
        if only is not None and ruleset_id not in only:
            continue
        scorer = library.scorer(ruleset_id)
        questionnaires = library.questionnaires_for(ruleset)
        applied, unfit = applied_guarantees(ruleset, scorer.ruleset, questionnaires, policies)
        reasons: list[tuple[SourceFile, tuple[str | int, ...], str]] = []
        for policy_id, index, message in unfit:
            reasons.append(
                (
                    library.sources[("policy", policy_id)],
                    ("guarantees", index),
                    f"rule set '{ruleset_id}' cannot keep this guarantee: {message}",
                )
            )
        examples = library.scenario_answers(ruleset_id)
        key = _key(library.content_key(ruleset_id), policy_hashes, examples)
        reports = _MEMO.get(key)
        if reports is None:
            reports = prove(scorer, [(a.guarantee, a.origin) for a in applied], examples=examples)
            if len(_MEMO) >= _MEMO_LIMIT:
                _MEMO.clear()
            _MEMO[key] = reports
        library.proofs[ruleset_id] = reports
        for item, report in zip(applied, reports, strict=True):
            if not report.ok:
                source = (
                    library.sources[("ruleset", ruleset_id)]
                    if item.policy is None
                    else library.sources[("policy", item.policy)]
                )
                reasons.append((source, ("guarantees", item.index), failure_message(report, ruleset_id, item)))
        if reasons:
            library.refused[ruleset_id] = []
        for source, keys, message in reasons:
            library.refused[ruleset_id].append(message)
            places[str(source.path)] = source
            errors.setdefault((str(source.path), ruleset_id), []).append(source.problem(keys, message))
    for (path, ruleset_id), problems in errors.items():
        source = places[path]
        library.errors.append(
            GuaranteeFailure(source.path, problems, root=source.root, declares=("ruleset", ruleset_id))
        )


def _key(content_key: str, policy_hashes: list[str], examples: list[Any]) -> str:
    digest = hashlib.sha256(content_key.encode())
    digest.update("".join(policy_hashes).encode())
    digest.update(json.dumps(examples, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def failure_message(report: GuaranteeReport, ruleset_id: str, item: Applied) -> str:
    """Give one line for a guarantee that is not proven: what broke, or why it was not decided."""
    whose = f"rule set '{ruleset_id}' breaks " if item.policy else ""
    if report.status == BROKEN:
        example = describe_answers(report.counterexample or {}, qualified=item.qualified)
        return (
            f"{whose}guarantee '{report.id}' ({report.says.rstrip('.')}): for {example}, {'; '.join(report.broke)};"
            f" see 'rekindle analyze {ruleset_id}' for this counterexample as a scenario case"
        )
    why = f" (the answers to {', '.join(report.approximate)} could only be sampled)" if report.approximate else ""
    return (
        f"{'rule set ' + repr(ruleset_id) + ': ' if item.policy else ''}guarantee '{report.id}' was not decided in"
        f" {report.steps:,} steps{why}, so it is not proven and the rule set is not served; simplify the"
        " conditions it depends on, or split the rule set"
    )
