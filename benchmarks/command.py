"""The speed of whole commands against their simulation (run on demand, never a test).

    python benchmarks/command.py                  # both parts, 4 repetitions (~15 min, 2 cores)
    python benchmarks/command.py --part figures   # only (b)
    python benchmarks/command.py --quick          # a tenth of the replicates, same output

Every command runs end to end as its own subprocess of the real command line (start-up,
simulation, statistics, figures, report.html), ``--workers 2``, in a temporary folder:

(a) ``ceasefire compare scenarios/baseline.yaml --policies P1,...,P7 --runs 5000``: the
    baseline and its first seven policies, 8 arms (compare counts the reference as an
    arm), against ``ceasefire run scenarios/baseline.yaml --runs 40000``, the same
    replicates in one arm.  Four repetitions, the two commands in turn (alternating which
    goes first, so a change of load falls on both); target: a ratio of at most 1.3 in at
    least three of the four.
(b) ``ceasefire run scenarios/baseline.yaml --runs 10000`` with its figures and report
    against the same with ``--no-plots``; target: a ratio of at most 1.5 (the median of
    the repetitions).

Before timing, one small run compiles the model if numba's cache is empty (the first run
of an install, ``docs/performance.md``), so no repetition pays for
it.  Wall times are what the targets are about; the CPU times (user + system of the
command and its workers) are printed beside them, because on a machine shared with other
jobs the wall time of a 2-worker command says as much about the others as about it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
COMPARE_TARGET = 1.3
FIGURES_TARGET = 1.5
ARMS = 8


def ceasefire() -> list[str]:
    """The installed ``ceasefire`` script beside this Python, else ``python -m sim``."""
    script = Path(sys.executable).with_name("ceasefire")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sim"]


def policies(scenario: Path, arms: int) -> list[str]:
    """The file's first ``arms - 1`` policies (the baseline is the other arm)."""
    from sim.scenario import load_scenario

    names = list(load_scenario(scenario).spec.policies)
    if len(names) < arms - 1:
        raise SystemExit(f"{scenario} defines {len(names)} policies: at most {len(names) + 1} arms")
    return names[: arms - 1]


def timed(args: list[str], out: Path) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one command writing ``out``; its manifest's timings."""
    before = os.times()
    began = time.perf_counter()
    done = subprocess.run(
        [*ceasefire(), *args, "--out", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    wall = time.perf_counter() - began
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if done.returncode != 0:
        raise SystemExit(f"ceasefire {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    try:
        timings = json.loads((out / "manifest.json").read_text()).get("timings") or {}
    except (OSError, ValueError):
        timings = {}
    shutil.rmtree(out, ignore_errors=True)  # 10,000 runs leave ~17 MB
    return wall, cpu, timings


def stages(timings: dict) -> str:
    """The manifest's split of a run: simulation, tables, figures, report."""
    keys = (
        ("simulation", "wall_seconds"),
        ("tables", "write_seconds"),
        ("figures", "figures_seconds"),
        ("report", "report_seconds"),
    )
    parts = [f"{name} {timings[key]:.1f}" for name, key in keys if key in timings]
    return f"  [{', '.join(parts)} s]" if parts else ""


def compare_part(tmp: Path, runs: int, repeat: int, workers: str, extra: list[str]) -> None:
    chosen = policies(BASELINE, ARMS)
    compare = ["compare", str(BASELINE), "--policies", ",".join(chosen), "--runs", str(runs)]
    run = ["run", str(BASELINE), "--runs", str(runs * ARMS)]
    compare += ["--workers", workers, *extra]
    run += ["--workers", workers, *extra]
    print(f"(a) compare {ARMS} arms x {runs:,} runs against run of {runs * ARMS:,} runs")
    ratios = []
    for i in range(repeat):
        order = [("compare", compare), ("run", run)]
        if i % 2:
            order.reverse()
        times = {name: timed(args, tmp / f"{name}-{i}") for name, args in order}
        (tc, cc, _), (tr, cr, timings) = times["compare"], times["run"]
        ratios.append(tc / tr)
        verdict = "ok" if ratios[-1] <= COMPARE_TARGET else "above"
        print(
            f"  {i + 1}: compare {tc:6.1f} s (cpu {cc:6.1f})  run {tr:6.1f} s (cpu {cr:6.1f})"
            f"  ratio {ratios[-1]:.2f} {verdict}{stages(timings)}"
        )
    met = sum(r <= COMPARE_TARGET for r in ratios)
    need = -(-3 * repeat // 4)  # three of four
    print(
        f"  ratio <= {COMPARE_TARGET} in {met} of {repeat}: "
        f"{'met' if met >= need else 'NOT met'} (target: at least {need} of {repeat})"
    )


def figures_part(tmp: Path, runs: int, repeat: int, workers: str) -> None:
    run = ["run", str(BASELINE), "--runs", str(runs), "--workers", workers]
    print(f"(b) run of {runs:,} runs with figures and report against --no-plots")
    ratios = []
    for i in range(repeat):
        order = [("figures", run), ("no-plots", [*run, "--no-plots"])]
        if i % 2:
            order.reverse()
        times = {name: timed(args, tmp / f"{name}-{i}") for name, args in order}
        (tf, cf, timings), (tn, cn, _) = times["figures"], times["no-plots"]
        ratios.append(tf / tn)
        print(
            f"  {i + 1}: with figures {tf:6.1f} s (cpu {cf:6.1f})  --no-plots {tn:6.1f} s "
            f"(cpu {cn:6.1f})  ratio {ratios[-1]:.2f}{stages(timings)}"
        )
    median = statistics.median(ratios)
    verdict = "met" if median <= FIGURES_TARGET else "NOT met"
    print(f"  median ratio {median:.2f}: {verdict} (target <= {FIGURES_TARGET})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("compare", "figures", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=4, help="repetitions of each (4)")
    parser.add_argument("--workers", default="2", help="--workers of every command (2)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the replicates")
    parser.add_argument(
        "--no-plots", action="store_true", help="(a) without figures in both commands"
    )
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{' '.join(ceasefire())}; {os.cpu_count()} CPUs, load average {load:.2f}")
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as name:
        tmp = Path(name)
        # compiles the model when numba's cache is empty, so no repetition pays for it
        timed(["run", str(BASELINE), "--runs", "20", "--workers", "1", "--no-plots"], tmp / "w")
        if args.part in ("compare", "both"):
            extra = ["--no-plots"] if args.no_plots else []
            compare_part(tmp, 5000 // scale, args.repeat, args.workers, extra)
        if args.part in ("figures", "both"):
            figures_part(tmp, 10000 // scale, args.repeat, args.workers)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.2f} at the end: a busy machine inflates wall times)")


if __name__ == "__main__":
    main()
