"""The shipped scenario library: every file validates and runs, every policy changes the
world, every number carries its source, and seeds/README.md documents every policy."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import load_scenario, run_ensemble
from sim.parameters import flat_parameters

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SEEDS_README = ROOT / "seeds" / "README.md"
RUNS = 50

_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?\d+(?:\.\d+)?")
_BLOCK = re.compile(r":\s*[>|][-+0-9]*\s*$")


def _policies(path: Path) -> list[str]:
    return list(load_scenario(path).spec.policies)


POLICY_CASES = [(path, name) for path in SCENARIOS for name in _policies(path)]


def _ids(case: tuple[Path, str]) -> str:
    return f"{case[0].stem}:{case[1]}"


def test_library_is_not_empty():
    assert (ROOT / "scenarios" / "baseline.yaml") in SCENARIOS
    assert len(POLICY_CASES) >= 8


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path: Path):
    scenario = load_scenario(path)
    result = run_ensemble(scenario, runs=RUNS, workers=1)
    runs = result.runs
    assert len(runs) == RUNS
    assert runs["final_control"].between(0.0, 1.0).all()
    reached = runs["ceasefire"].to_numpy()
    for issue in scenario.spec.issues:
        terms = runs[f"terms_{issue}"].to_numpy(dtype=float)
        assert np.isfinite(terms[reached]).all()


@pytest.mark.parametrize("case", POLICY_CASES, ids=_ids)
def test_policy_changes_a_resolved_parameter(case: tuple[Path, str]):
    path, policy = case
    base = flat_parameters(load_scenario(path).spec)
    changed = flat_parameters(load_scenario(path, policy=policy).spec)
    differs = set(base) ^ set(changed) | {
        k for k in base.keys() & changed.keys() if base[k] != changed[k]
    }
    # an offer changes the package rather than a parameter of the world
    before, after = load_scenario(path).spec.offer, load_scenario(path, policy=policy).spec.offer
    differs |= {f"offer.{k}" for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert differs, f"policy {policy!r} of {path.name} changes no parameter"
    spec = load_scenario(path).spec.policies[policy]
    assert spec.description.strip(), f"policy {policy!r} of {path.name} has no description"


@pytest.mark.parametrize("case", POLICY_CASES, ids=_ids)
def test_policy_runs(case: tuple[Path, str]):
    path, policy = case
    result = run_ensemble(load_scenario(path, policy=policy), runs=RUNS, workers=1)
    assert len(result.runs) == RUNS


def _uncommented_numbers(text: str) -> list[tuple[int, str]]:
    """Lines that hold a number but no comment, outside block strings (``>`` / ``|``).

    A comment on the line itself or on the line just above counts as the number's source.
    """
    bad: list[tuple[int, str]] = []
    lines = text.splitlines()
    block_indent: int | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue  # inside a block string: prose, not parameters
            block_indent = None
        code, _, comment = line.partition("#")
        if _BLOCK.search(code):
            block_indent = indent
            continue
        if not _NUMBER.search(code) or comment.strip():
            continue
        if i and lines[i - 1].strip().startswith("#"):
            continue
        bad.append((i + 1, line))
    return bad


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_number_has_a_source_comment(path: Path):
    bad = _uncommented_numbers(path.read_text(encoding="utf-8"))
    assert not bad, "numbers without a source comment:\n" + "\n".join(
        f"  {path.name}:{n}: {line.strip()}" for n, line in bad
    )


def test_comment_check_catches_bare_numbers():
    text = "a: 1  # source\nb: 2\nc: >\n  a block with 3 numbers 4\nd: x\n"
    assert _uncommented_numbers(text) == [(2, "b: 2")]


def test_seeds_readme_mentions_every_policy_and_scenario():
    readme = SEEDS_README.read_text(encoding="utf-8")
    for _path, policy in POLICY_CASES:
        assert f"`{policy}`" in readme, f"seeds/README.md does not mention policy {policy}"
    for path in SCENARIOS:
        assert path.name in readme, f"seeds/README.md does not mention {path.name}"


def test_scenario_files_are_plain_yaml():
    for path in SCENARIOS:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(doc, dict) and doc.get("name") == path.stem
