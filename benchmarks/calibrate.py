"""End-to-end cost of ``calibrate`` against a plain run of the same number of replicates
(run on demand, not part of the tests).

    python benchmarks/calibrate.py                 # 100,000 replicates each
    python benchmarks/calibrate.py --runs 20000    # quicker

Times two whole commands, each as its own subprocess (start-up, simulation, statistics and
writing the folder included):

- ``ceasefire calibrate scenarios/baseline.yaml seeds/record-2025.yaml --runs N``
  (figure and report included: calibrate has no --no-plots by default here);
- ``ceasefire run scenarios/baseline.yaml --runs N --no-plots``.

and prints both wall times and their ratio.  The target (issue 19) is a ratio of at most 2:
the record's facts are probes on the replicates as they run (a tabled fact is one
acceptance evaluation per replicate), not re-runs of the war.
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
RECORD = ROOT / "seeds" / "record-2025.yaml"
TARGET = 2.0


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100_000, help="replicates (100,000)")
    parser.add_argument("--workers", type=int, default=None, help="passed to both commands")
    parser.add_argument("--scenario", type=Path, default=BASELINE)
    parser.add_argument("--record", type=Path, default=RECORD)
    args = parser.parse_args(argv)
    cli = [sys.executable, "-m", "sim"]
    extra = ["--workers", str(args.workers)] if args.workers else []
    with tempfile.TemporaryDirectory() as tmp:
        calibrate = timed(
            [
                *cli,
                "calibrate",
                str(args.scenario),
                str(args.record),
                "--runs",
                str(args.runs),
                "--out",
                f"{tmp}/calibrate",
                *extra,
            ]
        )
        run = timed(
            [
                *cli,
                "run",
                str(args.scenario),
                "--runs",
                str(args.runs),
                "--no-plots",
                "--out",
                f"{tmp}/run",
                *extra,
            ]
        )
    ratio = calibrate / run
    print(f"calibrate {args.runs:,} replicates: {calibrate:.1f} s")
    print(f"run --no-plots {args.runs:,} replicates: {run:.1f} s")
    verdict = "within" if ratio <= TARGET else "ABOVE"
    print(f"ratio {ratio:.2f} ({verdict} the target of {TARGET:g})")


if __name__ == "__main__":
    main()
