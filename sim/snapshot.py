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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .scenario import Scenario, build_scenario, load_raw


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

        Raises
        ------
        ScenarioError
            For any problem with the document, the policy or the overrides.
        """
        doc = copy.deepcopy(dict(self.document))
        return build_scenario(doc, self.source, dict(self.texts), policy, overrides)


def read_snapshot(path: str | Path | ScenarioSnapshot) -> ScenarioSnapshot:
    """Read a scenario file and its ``extends:`` parents once (a snapshot passes through).

    Raises
    ------
    ScenarioError
        When a file cannot be read or parsed.
    """
    if isinstance(path, ScenarioSnapshot):
        return path
    doc, texts = load_raw(path)
    return ScenarioSnapshot(source=str(path), document=doc, texts=dict(texts))
