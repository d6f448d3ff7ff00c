"""End-to-end cost of a comparison against a single run of the same number of replicates
(run on demand, not part of the tests).

    python benchmarks/compare_ratio.py                 # 8 arms x 5,000 runs vs 40,000 runs
    python benchmarks/compare_ratio.py --runs 1000     # quicker, same figures

Times two whole commands, each as its own subprocess (start-up, simulation, statistics
and writing the folder included), with plots off in both:

- ``ceasefire compare scenarios/baseline.yaml --policies P1,...,P7 --runs R --no-plots``:
  the baseline and its first seven policies, eight arms (``--arms`` to change; the
  baseline defines eight policies);
- ``ceasefire run scenarios/baseline.yaml --runs R*arms --no-plots``: the same number of
  replicates in one run.

and prints both wall times and their ratio.  A comparison should cost little more than
the replicates it runs: the target is a ratio of at most 1.3.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TARGET = 1.3


def policies(scenario: Path, arms: int) -> list[str]:
    """The file's first ``arms - 1`` policies (the baseline is the other arm)."""
    from sim.scenario import load_scenario

    names = list(load_scenario(scenario).spec.policies)
    if len(names) < arms - 1:
        raise SystemExit(f"{scenario} defines {len(names)} policies: at most {len(names) + 1} arms")
    return names[: arms - 1]


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5000, help="runs per arm (default 5000)")
    parser.add_argument("--workers", type=int, default=None, help="passed to both commands")
    parser.add_argument("--arms", type=int, default=8, help="arms incl. the baseline (8)")
    parser.add_argument("--scenario", type=Path, default=BASELINE)
    args = parser.parse_args(argv)
    chosen = policies(args.scenario, args.arms)
    n_arms = len(chosen) + 1
    total = args.runs * n_arms
    cli = [sys.executable, "-m", "sim"]
    extra = ["--no-plots"] + ([] if args.workers is None else ["--workers", str(args.workers)])
    with tempfile.TemporaryDirectory() as tmp:
        compare = [
            *cli,
            "compare",
            str(args.scenario),
            "--policies",
            ",".join(chosen),
            "--runs",
            str(args.runs),
            "--out",
            str(Path(tmp) / "compare"),
            *extra,
        ]
        run = [
            *cli,
            "run",
            str(args.scenario),
            "--runs",
            str(total),
            "--out",
            str(Path(tmp) / "run"),
            *extra,
        ]
        t_compare = timed(compare)
        t_run = timed(run)
    ratio = t_compare / t_run
    print(f"compare: {n_arms} arms x {args.runs:,} runs  {t_compare:8.1f} s")
    print(f"run:     {total:,} runs              {t_run:8.1f} s")
    verdict = "ok" if ratio <= TARGET else f"above the target of {TARGET}"
    print(f"ratio compare / run: {ratio:.2f} ({verdict})")


if __name__ == "__main__":
    main()
