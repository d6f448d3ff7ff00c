"""Start-up time of the command line on this machine (run on demand, not part of the tests).

    python benchmarks/startup.py               # best of 5 per command
    python benchmarks/startup.py --repeat 10   # best of 10

Times each whole command in a fresh process, as a user would run it, from the ``ceasefire``
script next to this Python (``python -m sim`` when there is none): ``ceasefire --help``,
``ceasefire run --help`` and ``ceasefire validate scenarios/baseline.yaml``. Prints the best
wall-clock time of each, its CPU time (user + system, less disturbed by other processes on a
busy machine) and the target: under 0.5 s. Nothing is asserted: the tests check what makes
start-up light (tests/test_cli_conventions.py: ``import sim`` and ``import sim.cli`` load no
numerical library); ``python -X importtime -m sim --help`` shows where the time goes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.5
COMMANDS = (
    ["--help"],
    ["run", "--help"],
    ["validate", "scenarios/baseline.yaml"],
)


def ceasefire() -> list[str]:
    """The command to time: the installed ``ceasefire`` script, else ``python -m sim``."""
    script = Path(sys.executable).with_name("ceasefire")
    if script.is_file():
        return [str(script)]
    found = shutil.which("ceasefire")
    return [found] if found else [sys.executable, "-m", "sim"]


def best_of(command: list[str], repeat: int) -> tuple[float, float]:
    """The shortest wall-clock time and the shortest CPU time of ``repeat`` runs, in seconds."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = os.times()
        began = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        walls.append(time.perf_counter() - began)
        after = os.times()
        cpus.append(
            (after.children_user - before.children_user)
            + (after.children_system - before.children_system)
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per command (best of)")
    args = parser.parse_args()
    base = ceasefire()
    print(f"start-up of {' '.join(base)} (best of {args.repeat}; target < {TARGET_SECONDS} s)")
    print(f"{'command':<44} {'wall s':>7} {'cpu s':>7}  target")
    for command in COMMANDS:
        wall, cpu = best_of([*base, *command], args.repeat)
        verdict = "ok" if wall < TARGET_SECONDS else "SLOW"
        print(f"{'ceasefire ' + ' '.join(command):<44} {wall:7.3f} {cpu:7.3f}  {verdict}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.2f} on {os.cpu_count()} CPUs: a busy machine inflates wall time)")


if __name__ == "__main__":
    main()
