"""Loading a scenario: read, apply the policy and the overrides, validate, and hold the
result (:class:`Scenario`) with the text it came from.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import ScenarioError
from .crossrefs import _problem, _where, validate_document
from .fields import DYNAMIC_ACTOR_FIELDS, DYNAMIC_GLOBAL_FIELDS, DYNAMIC_ISSUE_FIELDS
from .overrides import parse_override, set_path
from .reading import _load_document, resolve_path
from .schema import PolicySpec, ScenarioSpec


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run.

    Attributes
    ----------
    spec : ScenarioSpec
        The validated content (policy and overrides applied).
    source : str
        The file it was loaded from.
    policy : str or None
        The policy applied, if any.
    texts : dict
        The text of every file read (the file and its parents), for the manifest.
    overrides : tuple of str
        The ``--set`` overrides applied, as given.
    """

    spec: ScenarioSpec
    source: str
    policy: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        """Name of this arm: the scenario name, plus the policy when one is applied."""
        return f"{self.spec.name}+{self.policy}" if self.policy else self.spec.name

    @property
    def text_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.texts):
            digest.update(name.encode() + b"\0" + self.texts[name].encode() + b"\0")
        return digest.hexdigest()

    def with_policy(self, policy: str | None) -> Scenario:
        """The same file loaded again with another policy (``None`` for the baseline)."""
        return load_scenario(self.source, policy=policy, overrides=self.overrides)


def load_raw(path: str | Path) -> tuple[dict, dict[str, str]]:
    """Read a scenario file and its ``extends:`` parents into one merged raw document."""
    path = Path(path)
    texts: dict[str, str] = {}
    doc = _load_document(path, (resolve_path(path, str(path)),), texts)
    return doc, texts


def apply_policy(doc: dict, policy: str, source: str) -> dict:
    """Apply a named policy's overrides to a raw document (before validation)."""
    policies = doc.get("policies") or {}
    if not isinstance(policies, dict) or policy not in policies:
        known = ", ".join(policies) if isinstance(policies, dict) and policies else "none"
        raise ScenarioError(source, f"policies.{policy}", f"no such policy (defined: {known})")
    if not isinstance(policies[policy], dict):
        raise ScenarioError(source, f"policies.{policy}", "must be a mapping")
    try:
        spec = PolicySpec.model_validate(policies[policy])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(("policies", policy, *first["loc"]))
        raise ScenarioError(source, where, _problem(first)) from None
    out = copy.deepcopy(doc)
    if spec.from_ is not None:
        return _apply_from(out, policy, spec, source)
    for path, value in spec.set.items():
        try:
            set_path(out, path, copy.deepcopy(value), source)
        except ScenarioError as err:
            raise ScenarioError(source, f"policies.{policy}.set.{path}", err.problem) from None
    if spec.events:
        out["events"] = [*(out.get("events") or []), *copy.deepcopy(spec.events)]
    if spec.offer:
        base_offer = out.get("offer") or {}
        out["offer"] = {**(base_offer if isinstance(base_offer, dict) else {}), **spec.offer}
    if spec.offer_holds:
        base_holds = out.get("offer_holds") or {}
        out["offer_holds"] = {
            **(base_holds if isinstance(base_holds, dict) else {}),
            **spec.offer_holds,
        }
    return out


def policy_start(value: int | str, doc: dict, source: str, where: str) -> int:
    """A policy's ``from:`` as a week: a week as given, a date on the scenario's calendar."""
    if isinstance(value, int):
        return value
    from ..dates import as_date, week_of

    start = doc.get("start")
    if start is None:
        raise ScenarioError(source, where, "a date needs a calendar: the scenario sets no start:")
    try:
        as_date(start)
    except ValueError:
        raise ScenarioError(source, "start", "must be a date written YYYY-MM-DD") from None
    week = week_of(value, start)
    if week < 1:
        raise ScenarioError(source, where, f"{value} is not after the start ({start})")
    return week


def _apply_from(out: dict, policy: str, spec: PolicySpec, source: str) -> dict:
    """A policy that takes effect at week ``from:``, through the events mechanism: its
    ``set:`` becomes an event at that week, its events count their weeks from it and
    none fires or is foreseen before it, its ``offer:`` binds the mediator from it."""
    where = f"policies.{policy}"
    week = policy_start(spec.from_, out, source, f"{where}.from")
    changes = {}
    for path in spec.set:
        parts = path.split(".")
        dynamic = path in DYNAMIC_GLOBAL_FIELDS or (
            parts[0] == "actors"
            and (
                (len(parts) == 3 and parts[2] in DYNAMIC_ACTOR_FIELDS)
                or (len(parts) == 4 and parts[2] in DYNAMIC_ISSUE_FIELDS)
            )
        )
        if not dynamic:
            raise ScenarioError(
                source,
                f"{where}.set.{path}",
                f"cannot take effect from week {week}: only fields events may change can "
                "(docs/scenarios.md, Events); drop from: or this change",
            )
        changes[path] = copy.deepcopy(spec.set[path])
    events = []
    if changes:
        events.append(
            {"name": f"{policy}_from_week_{week}", "at": week, "set": changes, "from": week}
        )
    for event in copy.deepcopy(spec.events):
        if isinstance(event, dict):
            # the policy's weeks count from its start: week 1 of the policy is week `from`
            if isinstance(event.get("at"), int):
                event["at"] += week - 1
            window = event.get("window")
            if isinstance(window, list) and all(isinstance(w, int) for w in window):
                event["window"] = [w + week - 1 for w in window]
            # not before the policy is adopted: a condition that holds earlier waits, and
            # no side foresees the event while the policy is not yet announced (phase 5)
            event["from"] = week
        events.append(event)
    if events:
        out["events"] = [*(out.get("events") or []), *events]
    if spec.offer:
        if out.get("offer"):
            raise ScenarioError(
                source,
                f"{where}.from",
                "the scenario has its own offer:, which binds from the start",
            )
        out["offer"] = dict(spec.offer)
        holds = out.get("offer_holds") if isinstance(out.get("offer_holds"), dict) else {}
        out["offer_holds"] = {**holds, **spec.offer_holds, "from_week": week}
    return out


def validate_policy(doc: dict, policy: str, source: str) -> ScenarioSpec:
    """Validate ``doc`` with ``policy`` applied; errors name the policy's own field.

    A bad value the policy sets is reported at ``policies.<name>.set.<path>``, a bad event
    it adds at ``policies.<name>.events[i]``, and any other problem the policy causes as
    ``policies.<name>: once applied, <field>: <problem>``.
    """
    applied = apply_policy(doc, policy, source)
    try:
        return validate_document(applied, source)
    except ScenarioError as err:
        field_, prefix = err.field, f"policies.{policy}"
        for path in doc["policies"][policy].get("set") or {}:
            if field_ == path or field_.startswith((f"{path}.", f"{path}[")):
                raise ScenarioError(source, f"{prefix}.set.{field_}", err.problem) from None
        base_events = len(doc.get("events") or []) if isinstance(doc.get("events"), list) else 0
        match = re.match(r"^events\[(\d+)\](.*)$", field_)
        if match and int(match.group(1)) >= base_events:
            index = int(match.group(1)) - base_events
            where = f"{prefix}.events[{index}]{match.group(2)}"
            raise ScenarioError(source, where, err.problem) from None
        problem = f"once applied, {field_}: {err.problem}" if field_ else err.problem
        raise ScenarioError(source, prefix, problem) from None


def load_scenario(
    path: str | Path, policy: str | None = None, overrides: Iterable[str] = ()
) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The YAML scenario file.
    policy : str, optional
        A policy defined in the file to apply.
    overrides : iterable of str
        ``PATH=VALUE`` overrides (as from ``--set``), applied after the policy.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For any problem with the file, the policy or the overrides.
    """
    doc, texts = load_raw(path)
    return build_scenario(doc, str(path), texts, policy, overrides)


def build_scenario(
    doc: dict,
    source: str,
    texts: dict[str, str],
    policy: str | None = None,
    overrides: Iterable[str] = (),
) -> Scenario:
    """Validate a merged raw document with a policy and ``--set`` overrides.

    ``doc`` is modified in place (pass a copy to keep it).  Every policy of the document is
    validated first, so a bad one is reported whichever policy is applied.
    """
    base = validate_document(doc, source)
    for name in base.policies:
        validate_policy(doc, name, source)
    if policy is not None:
        doc = apply_policy(doc, policy, source)
    overrides = tuple(overrides)
    for text in overrides:
        key, value = parse_override(text)
        set_path(doc, key, value, f"{source} (--set)")
    spec = validate_document(doc, f"{source} (--set)" if overrides else source)
    return Scenario(spec=spec, source=source, policy=policy, texts=texts, overrides=overrides)
