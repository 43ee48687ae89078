"""A library: the bundled files plus any folders a deployment names, checked together.

One broken file is reported and skipped; the rest load. Checks that span files (a rule set's
questions exist, a questionnaire's default rule set exists, ids are unique) run once all files
are read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assessments.checks import check_questionnaire, check_ruleset
from assessments.duplicate_ids import duplicate_message, settle
from assessments.engine import Scorer
from assessments.errors import FileError, Problem, UnknownId, display_path
from assessments.guard import guard
from assessments.loading import SourceFile, load_source, read_source
from assessments.models.policy import Policy
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import RuleSet
from assessments.models.scenarios import ScenarioFile
from assessments.partial import check_rest, unknown_default_ruleset
from assessments.policies import check_policy, declared_tags
from assessments.scenario_checks import check_scenarios

BUNDLED = Path(__file__).parent
ENV_VAR = "REKINDLE_LIBRARY"


def bundled_dirs() -> list[Path]:
    """Give the folders of the bundled policies, questionnaires and rule sets."""
    return [BUNDLED / "policies", BUNDLED / "questionnaires", BUNDLED / "rules"]


def env_dirs(environ: dict[str, str] | os._Environ[str] | None = None) -> list[Path]:
    """Give the folders named by REKINDLE_LIBRARY (os.pathsep-separated)."""
    value = (environ if environ is not None else os.environ).get(ENV_VAR, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


@dataclass
class Library:
    """Every valid questionnaire, rule set and scenario file, and every file that failed."""

    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    rulesets: dict[str, RuleSet] = field(default_factory=dict)
    scenarios: list[ScenarioFile] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    sources: dict[tuple[str, str], SourceFile] = field(default_factory=dict)
    scenario_sources: list[SourceFile] = field(default_factory=list)
    stand_ins: list[tuple[Path, Path]] = field(default_factory=list)  # (file named, the one it stands in for)
    sound_questionnaires: dict[str, Questionnaire] = field(default_factory=dict, repr=False)  # see partial.py
    policies: dict[str, Policy] = field(default_factory=dict)
    # rule set id -> the proof of each guarantee it must keep (its own and the policies')
    proofs: dict[str, list[Any]] = field(default_factory=dict)
    # rule set id -> why it may not be served: a guarantee broken, not decided or not checkable
    refused: dict[str, list[str]] = field(default_factory=dict)
    _scorers: dict[str, Scorer] = field(default_factory=dict, repr=False)

    def content_key(self, ruleset_id: str) -> str:
        """Give a key that changes whenever the rule set or one of its questionnaires changes."""
        ruleset = self.ruleset(ruleset_id)
        hashes = [self.sources[("ruleset", ruleset_id)].content_hash]
        hashes += [self.sources[("questionnaire", q)].content_hash for q in ruleset.questionnaires]
        return ":".join(hashes)

    def scenario_answers(self, ruleset_id: str) -> list[dict[str, dict[str, Any]]]:
        """Give the answers of every scenario case written for a rule set."""
        return [case.answers for f in self.scenarios if f.ruleset == ruleset_id for case in f.cases]

    def scorer(self, ruleset_id: str) -> Scorer:
        """Give the compiled Scorer for a rule set, built once per content hash."""
        ruleset = self.ruleset(ruleset_id)
        source = self.sources[("ruleset", ruleset_id)]
        questionnaires = self.questionnaires_for(ruleset)
        hashes = {q.id: self.sources[("questionnaire", q.id)].content_hash for q in questionnaires}
        key = self.content_key(ruleset_id)
        if key not in self._scorers:
            self._scorers[key] = Scorer(
                ruleset, questionnaires, ruleset_hash=source.content_hash, questionnaire_hashes=hashes
            )
        return self._scorers[key]

    def questionnaire(self, questionnaire_id: str) -> Questionnaire:
        """Give the questionnaire with this id, or raise UnknownId."""
        try:
            return self.questionnaires[questionnaire_id]
        except KeyError:
            raise UnknownId("questionnaire", questionnaire_id, list(self.questionnaires)) from None

    def ruleset(self, ruleset_id: str) -> RuleSet:
        """Give the rule set with this id, or raise UnknownId."""
        try:
            return self.rulesets[ruleset_id]
        except KeyError:
            raise UnknownId("rule set", ruleset_id, list(self.rulesets)) from None

    def questionnaires_for(self, ruleset: RuleSet) -> list[Questionnaire]:
        """Give the questionnaires a rule set scores, in its order."""
        return [self.questionnaire(q) for q in ruleset.questionnaires]

    def source(self, kind: str, item_id: str) -> SourceFile:
        """Give the file a questionnaire or rule set came from."""
        return self.sources[(kind, item_id)]


def yaml_files(directory: Path) -> list[Path]:
    """Give the .yaml/.yml files under a folder, sorted, hidden ones skipped."""
    found = [
        p
        for p in directory.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    ]
    return sorted(found)


def load_library(
    dirs: Sequence[Path] = (),
    *,
    bundled: bool = True,
    files: Iterable[Path] = (),
    replace: bool = False,
    prove: Callable[[Library], Iterable[str]] | None = None,
) -> Library:
    """Load the bundled files, the folders in `dirs` and single `files`, checking them together.

    With `replace`, a file in `files` whose id is already taken stands in for the library's (how a
    counsellor checks an edited copy) instead of being a duplicate; `stand_ins` lists each. `prove`,
    when given, names the rule sets whose guarantees are proven (it is asked once every file is
    read); the others are left unproven, so such a library is for reporting on those files only.
    """
    roots = [*(bundled_dirs() if bundled else []), *dirs]
    entries: list[tuple[Path, Path | None, bool]] = []
    for root in roots:
        if not root.is_dir():
            entries.append((root, None, False))
            continue
        entries += [(path, root, False) for path in yaml_files(root)]
    seen = {path.resolve(): index for index, (path, _, _) in enumerate(entries)}
    for named in map(Path, files):
        index = seen.get(named.resolve())
        if index is not None:  # named explicitly and also inside a library folder: read it once
            entries[index] = (named, entries[index][1], True)
        else:
            entries.append((named, None, True))
    library = Library()
    loaded: list[tuple[SourceFile, bool]] = []
    for path, folder, explicit in entries:
        if folder is None and not explicit and not path.exists():
            library.errors.append(FileError(path, [Problem("library folder does not exist; check the path")]))
            continue
        try:
            loaded.append((load_source(path, folder), explicit))
        except FileError as exc:
            library.errors.append(exc)
    return _assemble(library, loaded, replace, prove)


def build_library(sources: Iterable[tuple[Path, bytes]]) -> Library:
    """Check (path, content) pairs together as one library, as load_library checks files.

    For libraries kept elsewhere than in folders (the web app keeps its versions in a
    database); each path only names the document in messages. No bundled files are added.
    """
    library = Library()
    loaded: list[tuple[SourceFile, bool]] = []
    for path, raw in sources:
        try:
            loaded.append((read_source(raw, path), False))
        except FileError as exc:
            library.errors.append(exc)
    return _assemble(library, loaded, replace=False)


def _assemble(
    library: Library,
    loaded: list[tuple[SourceFile, bool]],
    replace: bool,
    prove: Callable[[Library], Iterable[str]] | None = None,
) -> Library:
    _register(library, loaded, replace)
    _cross_check(library)
    check_rest(library)  # files with structural mistakes: the checks of what is sound in them
    guard(library, only=None if prove is None else set(prove(library)))
    return library


def _register(library: Library, loaded: list[tuple[SourceFile, bool]], replace: bool) -> None:
    """Register each questionnaire and rule set under its id; two files with one id are settled
    here, as assessments.duplicate_ids says."""
    groups: dict[tuple[str, str], list[tuple[SourceFile, bool]]] = {}
    for source, explicit in loaded:
        model = source.model
        if isinstance(model, ScenarioFile):
            library.scenario_sources.append(source)
            continue
        kind = (
            "questionnaire"
            if isinstance(model, Questionnaire)
            else "policy"
            if isinstance(model, Policy)
            else "ruleset"
        )
        groups.setdefault((kind, model.id), []).append((source, explicit and replace))
    shipped = bundled_dirs()
    for (kind, item_id), group in groups.items():
        # each file with whether it was named on the command line to stand in for the library's
        settled = settle(group, bundled=lambda file: file[0].root in shipped, named=lambda file: file[1])
        if settled.kept is not None:
            kept = settled.kept[0]
            library.sources[(kind, item_id)] = kept
            library.stand_ins += [(kept.path, other.path) for other, _ in settled.stood_in_for]
        for (source, _), others in settled.refused:
            where = ", ".join(f"{display_path(o.path)}:{o.document.locate(('id',))[1]}" for o, _ in others)
            message = duplicate_message(kind, item_id, where, by_bundled=settled.by_bundled)
            library.errors.append(
                FileError(source.path, [source.problem(("id",), message)], root=source.root, declares=(kind, item_id))
            )


def _cross_check(library: Library) -> None:
    by_kind = {
        kind: [s.model for (k, _), s in library.sources.items() if k == kind] for kind in ("policy", "questionnaire")
    }
    declared = declared_tags(by_kind["policy"], by_kind["questionnaire"])  # type: ignore[arg-type]
    for (kind, item_id), source in list(library.sources.items()):
        if kind == "policy":
            assert isinstance(source.model, Policy)
            if _keep(library, source, check_policy(source.model, declared)):
                library.policies[item_id] = source.model
    policy_tags = frozenset(t.id for p in library.policies.values() for t in p.tags)
    questionnaires: dict[str, Questionnaire] = {}
    for (kind, item_id), source in list(library.sources.items()):
        if kind == "questionnaire":
            assert isinstance(source.model, Questionnaire)
            own = check_questionnaire(source.model, policy_tags)
            if own:  # the usual check of default_ruleset needs the questionnaire sound; this one does not
                own += unknown_default_ruleset(library, source.model)
            if _keep(library, source, own):
                questionnaires[item_id] = source.model
    library.sound_questionnaires = dict(questionnaires)  # before default_ruleset is checked (partial.py)
    failed = frozenset(e.declares[1] for e in library.errors if e.declares and e.declares[0] == "questionnaire") - set(
        questionnaires
    )
    rulesets: dict[str, RuleSet] = {}
    for (kind, item_id), source in list(library.sources.items()):
        if kind == "ruleset":
            assert isinstance(source.model, RuleSet)
            if _keep(library, source, check_ruleset(source.model, questionnaires, failed)):
                rulesets[item_id] = source.model
    failed_rulesets = {e.declares[1] for e in library.errors if e.declares and e.declares[0] == "ruleset"}
    for item_id, questionnaire in list(questionnaires.items()):
        source = library.sources[("questionnaire", item_id)]
        wanted = questionnaire.default_ruleset
        ruleset = rulesets.get(wanted)
        findings: list[tuple[tuple[str | int, ...], str]] = []
        if ruleset is None and wanted in failed_rulesets:
            findings.append(
                (("default_ruleset",), f"default rule set '{wanted}' failed to load; fix the errors reported for it")
            )
        elif ruleset is None:
            known = ", ".join(r for r, rs in rulesets.items() if item_id in rs.questionnaires) or "none"
            findings.append(
                (
                    ("default_ruleset",),
                    f"default rule set '{wanted}' is not loaded; name a rule set that scores this questionnaire (loaded ones that do: {known})",
                )
            )
        elif item_id not in ruleset.questionnaires:
            findings.append(
                (
                    ("default_ruleset",),
                    f"default rule set '{wanted}' does not score '{item_id}'; name one that lists it under questionnaires",
                )
            )
        if not _keep(library, source, findings):
            del questionnaires[item_id]
    for ruleset_id, ruleset in list(rulesets.items()):
        if any(q not in questionnaires for q in ruleset.questionnaires):
            missing = [q for q in ruleset.questionnaires if q not in questionnaires]
            source = library.sources[("ruleset", ruleset_id)]
            _keep(
                library,
                source,
                [(("questionnaires",), f"questionnaire {', '.join(missing)} failed to load; fix it first")],
            )
            del rulesets[ruleset_id]
    library.questionnaires = questionnaires
    library.rulesets = rulesets
    kept = []
    for source in library.scenario_sources:
        assert isinstance(source.model, ScenarioFile)
        failed_now = frozenset(e.declares[1] for e in library.errors if e.declares and e.declares[0] == "ruleset")
        if _keep(library, source, check_scenarios(source.model, rulesets, questionnaires, failed_now)):
            kept.append(source)
            library.scenarios.append(source.model)
    library.scenario_sources = kept


def _keep(library: Library, source: SourceFile, findings: list[tuple[tuple[str | int, ...], str]]) -> bool:
    if not findings:
        return True
    problems = [source.problem(keys, message) for keys, message in findings]
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    model = source.model
    kind = "questionnaire" if isinstance(model, Questionnaire) else "policy" if isinstance(model, Policy) else "ruleset"
    declares = None if isinstance(model, ScenarioFile) else (kind, model.id)
    library.errors.append(FileError(source.path, problems, root=source.root, declares=declares))
    if not isinstance(source.model, ScenarioFile):
        library.sources.pop((kind, source.model.id), None)
    return False
