"""A scenario file read once per command, so every arm or grid point runs the same text.

``compare`` and ``sweep`` build many scenarios (one per arm or grid point) from one file.
Reading the file again for each would let an edit made during a long job mix versions (the
first points from the old text, the last from the new) under a manifest that hashes only
one of them.  A :class:`ScenarioSnapshot` holds the merged document of the file and its
``extends:`` parents, read once, together with their texts; every scenario of the job is
built from it, and the texts (hence :attr:`~sim.scenario.Scenario.text_hash`) travel with
each.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ScenarioError
from .scenario import Scenario, ScenarioSpec, load_raw


@dataclass(frozen=True)
class ScenarioSnapshot:
    """A scenario file (and its parents) as read once.

    Attributes
    ----------
    source : str
        The file's path as given.
    document : Mapping
        The merged raw document (parents' ``extends:`` resolved), never modified.
    texts : Mapping
        The text of every file read, by path.
    """

    source: str
    document: Mapping
    texts: Mapping[str, str] = field(default_factory=dict)

    def build(self, policy: str | None = None, overrides: Iterable[str] = ()) -> Scenario:
        """Validate the snapshot with a policy and ``--set`` overrides, as
        :func:`~sim.scenario.load_scenario` does with a file, without reading it again.

        The file and every one of its policies are validated once per snapshot (a bad
        policy is reported whichever is applied, as by ``load_scenario``); an arm with no
        overrides is that validated document, one with overrides is validated once more.
        A comparison of a file's nine arms validates nine documents, not ninety.

        Raises
        ------
        ScenarioError
            For any problem with the document, the policy or the overrides.
        """
        from .scenario import apply_policy, parse_override, set_path, validate_document

        specs = self._validated
        overrides = tuple(overrides)
        if not overrides and policy in specs:
            spec = specs[policy]
        else:
            doc = copy.deepcopy(dict(self.document))
            if policy is not None:
                doc = apply_policy(doc, policy, self.source)
            for text in overrides:
                key, value = parse_override(text)
                set_path(doc, key, value, f"{self.source} (--set)")
            spec = validate_document(doc, f"{self.source} (--set)" if overrides else self.source)
        return Scenario(
            spec=spec,
            source=self.source,
            policy=policy,
            texts=dict(self.texts),
            overrides=overrides,
        )

    @functools.cached_property
    def _validated(self) -> dict[str | None, ScenarioSpec]:
        """The file's document (key ``None``) and each policy applied to it, validated."""
        from .scenario import validate_document, validate_policy

        doc = copy.deepcopy(dict(self.document))
        base = validate_document(doc, self.source)
        specs: dict[str | None, ScenarioSpec] = {None: base}
        for name in base.policies:
            specs[name] = validate_policy(doc, name, self.source)
        return specs


def read_snapshot(path: str | Path | ScenarioSnapshot | Scenario) -> ScenarioSnapshot:
    """Read a scenario file and its ``extends:`` parents once (a snapshot passes through; a
    :class:`~sim.scenario.Scenario` gives the snapshot of the texts it was loaded from, see
    :func:`snapshot_of`: its policy and overrides are not part of it).

    Raises
    ------
    ScenarioError
        When a file cannot be read or parsed.
    """
    if isinstance(path, ScenarioSnapshot):
        return path
    if isinstance(path, Scenario):
        return snapshot_of(path)
    doc, texts = load_raw(path)
    return ScenarioSnapshot(source=str(path), document=doc, texts=dict(texts))


def snapshot_of(scenario: Scenario) -> ScenarioSnapshot:
    """The snapshot a loaded scenario was built from, rebuilt from the texts it carries
    (:attr:`~sim.scenario.Scenario.texts`), without reading any file: its arms (policies,
    overrides, grid points) are built from the same text, so they share its hash.

    Raises
    ------
    ScenarioError
        When the scenario does not carry the text of its file (one built in code).
    """
    from .scenario.reading import _load_document

    texts = dict(scenario.texts)

    def read(path: Path) -> str:
        text = texts.get(str(path))
        if text is None:  # a parent resolved from another working folder: find it by name
            named = [t for k, t in texts.items() if Path(k).name == path.name]
            text = named[0] if len(named) == 1 else None
        if text is None:
            raise ScenarioError(
                scenario.source,
                "",
                f"this Scenario does not carry the text of {path}, so its policies and "
                "overrides cannot be applied again: pass the scenario file's path instead",
            )
        return text

    found: dict[str, str] = {}
    doc = _load_document(Path(scenario.source), (Path(scenario.source),), found, read)
    return ScenarioSnapshot(source=scenario.source, document=doc, texts=texts)


def as_snapshot(
    scenario: str | Path | ScenarioSnapshot | Scenario,
    policy: str | None = None,
    overrides: Iterable[str] = (),
) -> tuple[ScenarioSnapshot, str | None, tuple[str, ...]]:
    """A scenario given as a path, a snapshot or a loaded :class:`~sim.scenario.Scenario`,
    as ``(snapshot, policy, overrides)`` to build its arms from.

    A Scenario brings its own policy and overrides: ``overrides`` are applied after its
    own, and ``policy`` may only repeat its policy (a policy cannot be applied on top of
    another; load the file without one instead).

    Raises
    ------
    ScenarioError
        For a Scenario without its text, or two different policies.
    """
    overrides = tuple(overrides)
    if not isinstance(scenario, Scenario):
        return read_snapshot(scenario), policy, overrides
    if policy is not None and scenario.policy not in (None, policy):
        raise ScenarioError(
            scenario.source,
            f"policies.{policy}",
            f"the Scenario already has the policy {scenario.policy!r}: a policy cannot be "
            "applied on top of another (load the file without a policy)",
        )
    return snapshot_of(scenario), policy or scenario.policy, (*scenario.overrides, *overrides)
