"""Speed of the ensemble engine on this machine (run on demand, not part of the tests).

    python benchmarks/ensemble.py              # the full set of figures (a few minutes)
    python benchmarks/ensemble.py --quick      # smaller runs, same figures

Prints, for the baseline scenario with plots off: replicates per second for 10,000
replicates on all cores and on one core; per second when every replicate is its own model
(``--chunk-size 1``) and through Mesa's ``batch_run`` over single-replicate models; the
ratios; peak memory; and how time grows with the number of actors and weeks.
"""

from __future__ import annotations

import argparse
import copy
import resource
import time
from pathlib import Path

import mesa

from sim import load_scenario, run_ensemble
from sim.ensemble import default_workers
from sim.model import NegotiationModel
from sim.scenario import Scenario, load_raw, validate_document

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


class CollectingModel(NegotiationModel):
    """A single-replicate model with the DataCollector that ``mesa.batch_run`` requires."""

    def __init__(self, scenario: Scenario, first_replicate: int = 0, seed: int | None = None):
        super().__init__(
            scenario,
            replicates=1,
            first_replicate=first_replicate,
            seed=seed,
            trajectory_replicates=0,
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "ceasefire": lambda m: bool(m.first_ceasefire_week[0] >= 0),
                "final_control": lambda m: float(m.state["control"][0]),
            }
        )

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


def rate(runs: int, seconds: float) -> str:
    return f"{runs / seconds:10,.0f} replicates/s  ({runs:,} in {seconds:6.2f} s)"


def timed(scenario: Scenario, runs: int, **kwargs) -> float:
    began = time.perf_counter()
    run_ensemble(scenario, runs=runs, **kwargs)
    return time.perf_counter() - began


def batch_run_seconds(scenario: Scenario, runs: int, workers: int) -> float:
    began = time.perf_counter()
    mesa.batch_run(
        CollectingModel,
        parameters={"scenario": scenario, "first_replicate": range(runs)},
        number_processes=workers,
        iterations=1,
        max_steps=scenario.spec.horizon,
        data_collection_period=-1,
        display_progress=False,
    )
    return time.perf_counter() - began


def scaled(actors: int, weeks: int) -> Scenario:
    """The baseline with its supporters cloned up to ``actors`` actors and a new horizon."""
    doc, texts = load_raw(BASELINE)
    doc = copy.deepcopy(doc)
    doc["horizon"] = weeks
    doc.pop("policies", None)
    doc.pop("events", None)
    names = list(doc["actors"])
    supporters = [n for n in names if doc["actors"][n]["role"] == "supporter"]
    keep = [n for n in names if n not in supporters]
    chosen = {n: doc["actors"][n] for n in keep}
    i = 0
    while len(chosen) < actors:
        source = supporters[i % len(supporters)]
        chosen[f"{source}{i // len(supporters)}"] = copy.deepcopy(doc["actors"][source])
        i += 1
    doc["actors"] = dict(list(chosen.items())[:actors])
    spec = validate_document(doc, f"{BASELINE} (scaled)")
    return Scenario(spec=spec, source=str(BASELINE), texts=texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    big = 2_000 if args.quick else 10_000
    small = 100 if args.quick else 300
    cores = default_workers()
    scenario = load_scenario(BASELINE)
    spec = scenario.spec
    print(
        f"baseline: {len(spec.actors)} actors, {len(spec.issues)} issues, "
        f"{spec.horizon} weeks; {cores} cores; mesa {mesa.__version__}"
    )

    timed(scenario, 200, workers=1)  # warm caches (and compile any kernel) before timing
    all_cores = timed(scenario, big, workers=cores)
    one_core = timed(scenario, big, workers=1)
    per_model = timed(scenario, small, workers=1, chunk_size=1)
    batch = batch_run_seconds(scenario, small, cores)
    print(f"vectorised, {cores} cores      {rate(big, all_cores)}")
    print(f"vectorised, 1 core        {rate(big, one_core)}")
    print(f"one model per replicate   {rate(small, per_model)}   (--chunk-size 1, 1 core)")
    print(f"mesa.batch_run, {cores} cores  {rate(small, batch)}")
    print(f"speed-up over batch_run on the same cores: {(big / all_cores) / (small / batch):6.1f}x")
    print(
        f"speed-up over one model per replicate (1 core): "
        f"{(big / one_core) / (small / per_model):6.1f}x"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {own:,.0f} MiB (this process), {children:,.0f} MiB (largest worker)")

    n = 1_000 if args.quick else 2_000
    print(f"\nscaling, {n:,} replicates on 1 core (seconds):")
    base_time = None
    for actors in (8, 16, 32):
        seconds = timed(scaled(actors, spec.horizon), n, workers=1)
        base_time = base_time or seconds
        print(
            f"  {actors:3d} actors, {spec.horizon} weeks: {seconds:7.2f}  "
            f"(x{seconds / base_time:5.1f} of 8 actors)"
        )
    base_time = None
    for weeks in (52, 104, 208):
        seconds = timed(scaled(8, weeks), n, workers=1)
        base_time = base_time or seconds
        print(
            f"    8 actors, {weeks:3d} weeks: {seconds:7.2f}  (x{seconds / base_time:5.1f} of 52 weeks)"
        )


if __name__ == "__main__":
    main()
