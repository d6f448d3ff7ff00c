"""Resolved parameters: every numeric input of a scenario under its dotted path, and the
per-replicate samples of the uncertain ones."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .distributions import Distribution, Param
from .scenario import SECTIONS, ScenarioSpec
from .streams import uniforms


def flat_parameters(spec: ScenarioSpec) -> dict[str, Param]:
    """Every numeric parameter of ``spec`` by dotted path (distributions left as they are).

    Paths look like ``actors.Russia.resolve``, ``actors.US.position.nato``,
    ``battlefield.drift``, ``issues.nato.status_quo`` or ``events.aid_pause.probability``.
    """
    flat: dict[str, Param] = {}

    def put(prefix: str, values: Mapping) -> None:
        for key, value in values.items():
            if isinstance(value, bool) or isinstance(value, str) or value is None:
                continue
            if isinstance(value, Mapping):
                put(f"{prefix}.{key}", value)
            elif isinstance(value, int | float) or isinstance(value, Distribution):
                flat[f"{prefix}.{key}"] = float(value) if isinstance(value, int) else value

    for name, issue in spec.issues.items():
        flat[f"issues.{name}.status_quo"] = issue.status_quo
        if issue.at_war is not None:  # else the status quo's own draws (the model)
            flat[f"issues.{name}.at_war"] = issue.at_war
    for name, actor in spec.actors.items():
        put(f"actors.{name}", dict(actor))
    for section in SECTIONS:  # the sections of parameters (sim.scenario.fields)
        put(section, dict(getattr(spec, section)))
    for event in spec.events:
        flat[f"events.{event.name}.probability"] = event.probability
        put(f"events.{event.name}.set", event.set)
        put(f"events.{event.name}.scale", event.scale)
    return flat


def uncertain(flat: Mapping[str, Param]) -> dict[str, Distribution]:
    """The uncertain parameters among ``flat``."""
    return {k: v for k, v in flat.items() if isinstance(v, Distribution)}


def sample(flat: Mapping[str, Param], seed: int, start: int, stop: int) -> dict[str, np.ndarray]:
    """Values of every parameter for replicates ``start .. stop - 1``.

    Each uncertain parameter has its own stream keyed by its path, so its samples do not
    move when another parameter is fixed or added (common random numbers across policies).
    """
    n = stop - start
    out: dict[str, np.ndarray] = {}
    for path, value in flat.items():
        if isinstance(value, Distribution):
            out[path] = value.ppf(uniforms(seed, f"param:{path}", start, stop, 1)[:, 0])
        else:
            out[path] = np.full(n, float(value))
    return out


def describe(value: Param) -> float | dict:
    """A JSON-ready form of a parameter (number, or the distribution as written)."""
    return value.to_yaml() if isinstance(value, Distribution) else value
