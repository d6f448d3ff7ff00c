"""The validation table (docs/validation.md): every row is a test.

The fast suite runs each check at the ``--quick`` sizes; ``pytest -m slow`` runs them at
the sizes ``ceasefire reproduce`` uses.  Both are deterministic (fixed seeds).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.cli import main
from sim.mechanics import package
from sim.validation import checks as v

CHECKS = {check.__name__: (check, takes_quick) for _, check, takes_quick in v.CHECKS}
SIZED = [name for name, (_, takes_quick) in CHECKS.items() if takes_quick]


def _assert_row(row: v.Row) -> None:
    assert row.passed, f"{row.reference}: {row.claim}: ours {row.ours}, theirs {row.theirs}"


@pytest.mark.parametrize("name", list(CHECKS))
def test_row_quick(name: str) -> None:
    check, takes_quick = CHECKS[name]
    _assert_row(v.run_check(check, takes_quick, quick=True))


@pytest.mark.slow
@pytest.mark.parametrize("name", SIZED)
def test_row_full(name: str) -> None:
    check, takes_quick = CHECKS[name]
    _assert_row(v.run_check(check, takes_quick, quick=False))


def test_fearon_acceptance_set_is_the_bargaining_range() -> None:
    # the interval itself, not only its error: p = 0.3, c_A = 0.05, c_B = 0.2
    low, high, no_war = v.fearon_acceptance_set(0.3, 0.05, 0.2)
    assert low == pytest.approx(0.25) and high == pytest.approx(0.5) and no_war


def test_fearon_package_is_the_nash_split() -> None:
    # with linear utilities the tabled package is p - c_A + beta_A (c_A + c_B)
    beta = v.FEARON_BETAS
    pkg = v.fearon_package(0.3, 0.05, 0.2, beta)
    assert pkg.feasible.all()
    np.testing.assert_allclose(pkg.terms[:, 0], 0.25 + beta * 0.25, atol=1e-12)


@pytest.mark.parametrize("c_bar,x_star,p_war", [(0.05, 0.5, 0.0), (0.3, 0.6, 1 / 3)])
def test_fearon_screening_closed_form(c_bar: float, x_star: float, p_war: float) -> None:
    x, war = v.fearon_screening(c_bar, p=0.5, cost_a=0.1, draws=4000)
    assert x == pytest.approx(x_star, abs=0.005)
    assert war == pytest.approx(p_war, abs=0.01)


def test_ec_median_path_is_deterministic_and_flat() -> None:
    path = v.ec_median_path(6)
    np.testing.assert_array_equal(path, 0.5)
    assert v.eu_weighted_mean_forecast() == pytest.approx(0.3825 / 0.677)


def test_failing_check_becomes_a_failed_row() -> None:
    def broken() -> v.Row:
        raise RuntimeError("boom")

    row = v.run_check(broken, False, quick=True)
    assert not row.passed and "boom" in row.ours


def test_reproduce_exit_codes(monkeypatch, capsys) -> None:
    good = v.Row("a", "Ref", "claim [x, y]", "1", "1", True)
    bad = v.Row("b", "Ref", "claim", "1", "2", False, departure="on purpose")
    monkeypatch.setattr(v, "run_all", lambda quick, on_row: _feed([("1", good)], on_row))
    assert main(["reproduce", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "claim [x, y]" in out
    assert "1 row: 1 pass, 0 documented departures, 0 fail" in out
    documented = v.Row("c", "Ref", "claim", "1", "1", True, departure="as documented")
    rows = [("1", good), ("5", documented), ("2", bad)]  # section 5: no KeyError
    monkeypatch.setattr(v, "run_all", lambda quick, on_row: _feed(rows, on_row))
    assert main(["reproduce"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "on purpose" in out
    # a documented departure is counted apart, never as a pass
    assert "3 rows: 1 pass, 1 documented departure, 1 fail" in out
    assert "rows pass" not in out
    assert "Nash bargaining solution / c: as documented" in out


def _feed(rows: list[tuple[str, v.Row]], on_row) -> list[v.Row]:
    for section, row in rows:
        on_row(section, row)
    return [row for _, row in rows]


def test_nash_rows_grid_is_the_utility_of_each_package() -> None:
    # the Nash rows' brute force: per-issue sums over the product grid equal U of each package
    import itertools

    problem = v.nash_problems(np.random.default_rng(0), 5, 3, risk=(1.0, 3.0))
    grid = v.package_grid_utilities(problem, 4)
    low, high = problem["low"], problem["high"]
    values = low[..., None] + (high - low)[..., None] * np.linspace(0.0, 1.0, 4)
    for n, index in enumerate(itertools.product(range(4), repeat=3)):
        terms = values[:, np.arange(3), list(index)]
        u = problem["preferences"].utility(terms, problem["control"])
        np.testing.assert_allclose(grid[..., n], u, atol=1e-14)
    # about half the problems admit a deal, so both branches of the solver are checked
    many = v.nash_problems(np.random.default_rng(1), 400, 3)
    share = package.nash_package(**many).feasible.mean()
    assert 0.3 < share < 0.8
