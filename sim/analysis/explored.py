"""What :func:`~sim.analysis.sweep.sweep`, :func:`~sim.analysis.sensitivity.sensitivity` and
:func:`~sim.analysis.discover.discover` return: a small result object holding the table
(``.table``) and, as attributes, what the table means and what produced it (as EMA
Workbench's ``PrimBox`` or a statsmodels results object does; nothing rides in
``DataFrame.attrs``).

Each has a short ``repr``, an HTML table for notebooks (``_repr_html_``), ``.summary()``,
``.plot()`` (the figures of :mod:`sim.plots`) and ``.save(folder)``, which writes the
folder the command writes (the commands call the same writers: :func:`write_sweep`,
:func:`write_sensitivity`, :func:`write_discovery`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..display import html_table, interval, number, share, shorten
from ..jobs import WritesFolder
from ..outcomes import HEADLINE
from ..scenario import Scenario
from ..spreadsheet import to_csv


# --------------------------------------------------------------------------- helpers
def write_json(path: Path, data: dict, provenance: Mapping | None = None) -> None:
    """A folder's JSON file, with the command line (``provenance``, if a command made
    it: :class:`sim.jobs.Job`), versions and time."""
    from ..results import versions

    data = {
        **data,
        **(provenance or {}),  # the command line
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def run_name(scenario: Scenario) -> str:
    """A scenario's name in a figure's title: label (with the policy) and overrides."""
    overrides = ", ".join(scenario.overrides)
    return f"{scenario.label} (overrides: {overrides})" if overrides else scenario.label


def baselines(scenario: Scenario, paths: Sequence[str]) -> dict:
    """The scenario's own value of each swept parameter: a number, or (5%, 50%, 95%) of
    its distribution; absent when the path is not a parameter."""
    from ..parameters import flat_parameters

    flat = flat_parameters(scenario.spec)
    out: dict = {}
    for path in paths:
        value = flat.get(path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[path] = float(value)
        elif hasattr(value, "ppf"):
            lo, mid, hi = (float(v) for v in value.ppf(np.array([0.05, 0.5, 0.95])))
            out[path] = (lo, mid, hi)
    return out


def save_folder(folder: str | Path, write) -> Path:
    """Reserve ``folder`` (it must not exist), write it atomically with ``write(tmp)``
    and add its report.html (:func:`sim.results.atomic_dir`); returns its path."""
    from ..results import atomic_dir, reserved

    out = Path(folder)
    with reserved(out, "folder"), atomic_dir(out) as tmp:
        write(tmp)
    return out


def _headline_rows(row: Mapping, horizon: object = "the horizon") -> list[tuple[str, str, str]]:
    """A table row's headline outcomes as (title, value, 95% interval) cells."""
    rows = []
    for outcome in HEADLINE:
        if outcome.key not in row:
            continue
        lo, hi = row.get(f"{outcome.key}_lo"), row.get(f"{outcome.key}_hi")
        fmt = share if outcome.kind == "proportion" else number
        rows.append(
            (outcome.title(horizon), outcome.format(row[outcome.key]), interval(lo, hi, fmt))
        )
    return rows


# --------------------------------------------------------------------------- sweep
@dataclass(repr=False)
class SweepResult(WritesFolder):
    """A scenario run on a grid of one or two parameters (:func:`sim.sweep`).

    Attributes
    ----------
    table : DataFrame
        One row per grid point: the varied paths, ``runs``, then every headline outcome
        with ``_lo``/``_hi``.
    runs : DataFrame or None
        Every point's replicates, with the grid values as ``vary:<path>`` columns (kept
        unless ``keep_runs=False``; ``.save`` needs them).
    scenario : Scenario
        The scenario at its own values (policy and overrides applied, no grid value).
    vary : list of str
        The grid as given (``PATH=START:STOP:COUNT``).
    policy, overrides
        Applied at every point.
    paths : list of str
        The varied parameters (the table's first columns).
    seed : int
    runs_per_point : int
        Replicates at each grid point.
    horizon : int, optional
        The horizon the outcomes are measured at (default: the scenario's).
    """

    table: pd.DataFrame
    runs: pd.DataFrame | None
    scenario: Scenario
    vary: list[str]
    policy: str | None = None
    overrides: tuple[str, ...] = ()
    paths: list[str] = field(default_factory=list)
    seed: int = 0
    runs_per_point: int = 0
    horizon: int | None = None

    def __post_init__(self) -> None:
        if self.horizon is None and self.scenario is not None:
            self.horizon = self.scenario.spec.horizon

    def summary(self) -> pd.DataFrame:
        """The grid's headline outcomes: the table without the interval columns."""
        keep = [c for c in self.table.columns if not c.endswith(("_lo", "_hi"))]
        return self.table[keep].copy()

    def plot(self):
        """The sweep's figure (lines for one parameter, heat maps for two)."""
        from ..plots.sweep import plot_sweep

        return plot_sweep(
            self, label=run_name(self.scenario), baseline=baselines(self.scenario, self.paths)
        )

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire sweep`` writes (must not exist); returns it."""
        return save_folder(folder, lambda tmp: write_sweep(self, tmp, plots))

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        write_sweep(self, tmp, plots, provenance)

    def _title(self) -> str:
        return (
            f"Sweep of {', '.join(self.paths)} on {shorten(run_name(self.scenario), 80)}: "
            f"{len(self.table)} points x {self.runs_per_point:,} runs, seed {self.seed}"
        )

    def __repr__(self) -> str:
        p = self.table["p_ceasefire"] if "p_ceasefire" in self.table else pd.Series([])
        span = f"; P(ceasefire) {share(p.min())} to {share(p.max())}" if len(p) else ""
        return f"SweepResult({self._title()}{span})"

    def _repr_html_(self) -> str:
        shown = [o for o in HEADLINE if o.short and o.key in self.table]
        rows = []
        for _, row in self.table.iterrows():
            cells = [f"{row[p]:.4g}" for p in self.paths]
            for o in shown:
                value = o.format(row[o.key])
                if o.kind == "proportion":
                    value = f"{value} {interval(row[f'{o.key}_lo'], row[f'{o.key}_hi'])}".strip()
                cells.append(value)
            rows.append(cells)
        return html_table(
            self._title(),
            [*self.paths, *(o.short for o in shown)],
            rows,
            "Brackets: 95% intervals. .table holds every column; .plot() draws the sweep.",
        )


def write_sweep(
    result: SweepResult, out: Path, plots: bool = True, provenance: Mapping | None = None
) -> None:
    """Write a sweep folder into ``out`` (which the caller makes atomic): sweep.csv,
    runs.parquet, manifest.json and plots/sweep.png."""
    from ..errors import ScenarioError

    if result.runs is None:
        raise ScenarioError("save", "", "the sweep kept no runs (keep_runs=False)")
    table, base = result.table, result.scenario
    to_csv(table, out / "sweep.csv")
    result.runs.to_parquet(out / "runs.parquet", index=False)
    write_json(
        out / "manifest.json",
        {
            "kind": "sweep",
            "source": base.source,
            "policy": result.policy,
            "overrides": list(result.overrides),
            "vary": list(result.vary),
            "runs": result.runs_per_point,
            "seed": result.seed,
            "scenario_sha256": base.text_hash,
            "scenario_texts": base.texts,
        },
        provenance,
    )
    if plots:
        from ..plots.style import save_figures

        save_figures({"sweep": result.plot()}, out / "plots")


# --------------------------------------------------------------------------- sensitivity
@dataclass(repr=False)
class SensitivityResult(WritesFolder):
    """Global sensitivity of the headline outcomes (:func:`sim.sensitivity`).

    Attributes
    ----------
    table : DataFrame
        Sobol: ``outcome, input, S1, S1_conf, ST, ST_conf``; Morris: ``outcome, input,
        mu_star, mu_star_conf, mu, sigma``.
    scenario : Scenario
        The scenario analysed (policy and overrides applied).
    policy, overrides
    method : {"sobol", "morris"}
    points : int
        Design points (each run ``replicates`` times).
    replicates : int
    seed : int
    design : DataFrame
        Every design point's inputs (and their unit-cube coordinates ``u:<input>``) and
        outcomes.
    labels : dict
        Each outcome's title, by key.
    samples : int
        Sobol base sample N, or Morris trajectories.
    warnings : list of str
        Indices the sample cannot support (empty when there is nothing to flag).
    """

    table: pd.DataFrame
    scenario: Scenario
    policy: str | None = None
    overrides: tuple[str, ...] = ()
    method: str = "sobol"
    points: int = 0
    replicates: int = 1
    seed: int = 0
    design: pd.DataFrame = field(default_factory=pd.DataFrame)
    labels: dict[str, str] = field(default_factory=dict)
    samples: int = 0
    warnings: list[str] = field(default_factory=list)

    def _key(self) -> str:
        return "ST" if self.method == "sobol" else "mu_star"

    def summary(self, top: int = 5) -> pd.DataFrame:
        """The ``top`` inputs of each outcome (by total index or mu*)."""
        return self.table.groupby("outcome", sort=False).head(top).reset_index(drop=True)

    def plot(self):
        """The sensitivity figure (indices of the top inputs, per outcome)."""
        from ..plots.sensitivity import plot_sensitivity

        return plot_sensitivity(self, label=run_name(self.scenario))

    def figures(self) -> dict:
        """Every page of the sensitivity figure, by file name (slide-sized pages)."""
        from ..plots.sensitivity import sensitivity_figures

        return sensitivity_figures(self, label=run_name(self.scenario))

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire sensitivity`` writes (must not exist); returns it."""
        return save_folder(folder, lambda tmp: write_sensitivity(self, tmp, plots))

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        write_sensitivity(self, tmp, plots, provenance)

    def _title(self) -> str:
        return (
            f"Sensitivity ({self.method}) of {shorten(run_name(self.scenario), 80)}: "
            f"{self.points:,} points x {self.replicates} runs, seed {self.seed}"
        )

    def __repr__(self) -> str:
        key = self._key()
        rows = self.table.dropna(subset=[key])
        rows = (
            rows[rows["outcome"] == "p_ceasefire"]
            if "p_ceasefire" in set(rows["outcome"])
            else rows
        )
        top = ", ".join(shorten(i, 40) for i in rows["input"].head(3))
        lead = f"; top inputs for {rows['outcome'].iloc[0]}: {top}" if len(rows) else ""
        note = f"; {len(self.warnings)} warnings" if self.warnings else ""
        return f"SensitivityResult({self._title()}{lead}{note})"

    def _repr_html_(self) -> str:
        sobol = self.method == "sobol"
        cols = (
            (("S1", "S1_conf"), ("ST", "ST_conf"))
            if sobol
            else (("mu_star", "mu_star_conf"), ("sigma", None))
        )

        def fmt(row, a, b) -> str:
            if not np.isfinite(row[a]):
                return "-"
            return f"{row[a]:.3g}" + (f" ± {row[b]:.2g}" if b else "")

        rows = [
            (row["outcome"], row["input"], *(fmt(row, a, b) for a, b in cols))
            for _, row in self.summary(5).iterrows()
        ]
        note = "Top 5 inputs per outcome; ± half-width of the 95% interval."
        if self.warnings:
            note += " Warnings: " + " ".join(self.warnings)
        return html_table(self._title(), ("Outcome", "Input", *(a for a, _ in cols)), rows, note)


def write_sensitivity(
    result: SensitivityResult, out: Path, plots: bool = True, provenance: Mapping | None = None
) -> None:
    """Write a sensitivity folder into ``out`` (which the caller makes atomic):
    sensitivity.csv, design.parquet, manifest.json and plots/sensitivity.png."""
    from ..parameters import flat_parameters, uncertain

    table, base = result.table, result.scenario
    inputs = uncertain(flat_parameters(base.spec))
    to_csv(table, out / "sensitivity.csv")
    result.design.to_parquet(out / "design.parquet", index=False)
    write_json(
        out / "manifest.json",
        {
            "kind": "sensitivity",
            "source": base.source,
            "policy": result.policy,
            "overrides": list(result.overrides),
            "method": result.method,
            "points": result.points,
            "replicates": result.replicates,
            "seed": result.seed,
            "inputs": {k: v.to_yaml() for k, v in inputs.items()},
            "scenario_sha256": base.text_hash,
            "scenario_texts": base.texts,
            "warnings": list(result.warnings),
        },
        provenance,
    )
    if plots:
        from ..plots.style import save_figures

        save_figures(result.figures(), out / "plots")


# --------------------------------------------------------------------------- discover
@dataclass(repr=False)
class DiscoveryResult(WritesFolder):
    """A PRIM box: which ranges of the uncertain inputs make an outcome likely
    (:func:`sim.discover`).

    Attributes
    ----------
    table : DataFrame
        One row per input (``input, lower, upper, data_min, data_max, restricted,
        quasi_p``, and the box's ``coverage``, ``density``, ``mass``).
    folder : Path or None
        The results folder explored (None for runs given in memory).
    name : str
        The run explored, for titles (label and overrides).
    settings : dict
        ``alpha``, ``min_mass``, ``min_coverage``, ``paste``.
    outcome : str
        The outcome, as given (``ceasefire_week <= 52``).
    trajectory : DataFrame
        The peeling trajectory (one row per box: coverage, density, mass, restricted).
    step : int
        The trajectory's box reported.
    runs, hits : int
        Runs explored, and those with the outcome.
    base_rate : float
        The share of all runs with the outcome.
    label : str
        The run's label (the results folder's, or the scenario's).
    peeling : object, optional
        PRIM's trajectory object (:func:`sim.analysis.prim.peel`; not kept in a folder).
    """

    table: pd.DataFrame
    folder: Path | None
    name: str
    settings: dict = field(default_factory=dict)
    outcome: str = ""
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)
    step: int = 0
    runs: int = 0
    hits: int = 0
    base_rate: float = float("nan")
    label: str = ""
    peeling: object = field(default=None, repr=False)

    @property
    def box(self) -> pd.DataFrame:
        """The restricted inputs only."""
        return self.table[self.table["restricted"]].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """The box as a table, the same kind as every result's ``.summary()``: one row per
        restricted input (``input``, ``lower``, ``upper``, ``quasi_p``); the box's figures
        are :meth:`summary_json`."""
        keep = [c for c in ("input", "lower", "upper", "quasi_p") if c in self.box]
        return self.box[keep].copy()

    def summary_json(self) -> dict:
        """The box's coverage, density and mass, the share of all runs with the outcome,
        and the restricted inputs' ranges."""
        t = self.table
        return {
            "outcome": self.outcome,
            "runs": int(self.runs),
            "hits": int(self.hits),
            "base_rate": float(self.base_rate),
            "coverage": float(t["coverage"].iloc[0]),
            "density": float(t["density"].iloc[0]),
            "mass": float(t["mass"].iloc[0]),
            "box": {
                row["input"]: (float(row["lower"]), float(row["upper"]))
                for _, row in self.box.iterrows()
            },
        }

    def plot(self) -> dict:
        """The peeling trajectory and the box's ranges: a dict of figures."""
        from ..plots.discover import plot_discovery

        return plot_discovery(self, label=self.name)

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write the folder ``ceasefire discover`` writes (must not exist); returns it."""
        return save_folder(folder, lambda tmp: write_discovery(self, tmp, plots))

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """The folder's files, into ``tmp`` (:class:`sim.jobs.WritesFolder`)."""
        write_discovery(self, tmp, plots, provenance)

    def _title(self) -> str:
        s = self.summary_json()
        return (
            f"PRIM box for '{shorten(self.outcome, 60)}' in {shorten(self.name, 60)} "
            f"({s['runs']:,} runs): coverage {share(s['coverage'])}, density "
            f"{share(s['density'])} (all runs: {share(s['base_rate'])}), mass {share(s['mass'])}"
        )

    def __repr__(self) -> str:
        inputs = ", ".join(shorten(i, 40) for i in self.box["input"].head(4)) or "none"
        return f"DiscoveryResult({self._title()}; restricted: {inputs})"

    def _repr_html_(self) -> str:
        rows = [
            (
                row["input"],
                f"{row['lower']:.4g}",
                f"{row['upper']:.4g}",
                f"{row['data_min']:.4g} - {row['data_max']:.4g}",
                f"{row['quasi_p']:.2g}",
            )
            for _, row in self.box.iterrows()
        ] or [("(no input restricted)", "", "", "", "")]
        return html_table(
            self._title(), ("Input", "Box from", "to", "Range in runs", "quasi-p"), rows
        )


def write_discovery(
    result: DiscoveryResult, out: Path, plots: bool = True, provenance: Mapping | None = None
) -> None:
    """Write a discover folder into ``out`` (which the caller makes atomic):
    discover.csv, trajectory.csv, manifest.json and the plots."""
    box = result.table
    to_csv(box, out / "discover.csv")
    to_csv(result.trajectory, out / "trajectory.csv")
    write_json(
        out / "manifest.json",
        {
            "kind": "discover",
            "results": None if result.folder is None else str(result.folder),
            "outcome": result.outcome,
            **result.settings,
            "step": result.step,
            "runs": result.runs,
            "hits": result.hits,
        },
        provenance,
    )
    if plots:
        from ..plots.style import save_figures

        save_figures(result.plot(), out / "plots")
