"""The first run's numba compiling is told, not silent: sim.compiling reads numba's cache."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from sim import compiling

KERNEL = """
import numba


@numba.njit(cache=True)
def twice(x):
    return {body}
"""


@pytest.fixture
def kernel_module(tmp_path, monkeypatch):
    """A module of one cached numba kernel, in a fresh folder (an empty cache)."""
    name = f"kernel_{tmp_path.name.replace('-', '_')}"
    path = tmp_path / f"{name}.py"
    path.write_text(KERNEL.format(body="2 * x"))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, path
    sys.modules.pop(name, None)


def _compile_elsewhere(name, folder):
    """Call the kernel in another process: it compiles and writes the cache (compiling here,
    then reloading, would leave numba holding dead references to the old kernel)."""
    code = f"import {name}; assert {name}.twice(2.0) == 4.0"
    subprocess.run([sys.executable, "-c", code], cwd=folder, check=True, timeout=120)


def test_a_kernel_is_compiled_once_then_loaded_from_the_cache(kernel_module):
    name, path = kernel_module
    assert compiling.will_compile([name])  # nothing cached yet
    assert compiling.compile_notice([name]) == (
        f"compiling the model (first run only, about {compiling.COMPILE_SECONDS} s)"
    )
    _compile_elsewhere(name, path.parent)
    module = importlib.reload(sys.modules[name])  # as the next process finds it
    assert not module.twice.signatures and compiling.cached(module.twice)
    assert not compiling.will_compile([name]) and compiling.compile_notice([name]) is None


def test_an_edited_kernel_is_compiled_again(kernel_module):
    name, path = kernel_module
    _compile_elsewhere(name, path.parent)
    assert not compiling.will_compile([name])
    path.write_text(KERNEL.format(body="x + x"))  # the cache is now stale
    importlib.reload(sys.modules[name])
    assert compiling.will_compile([name])


def test_a_kernel_compiled_in_this_process_is_not_compiled_again(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(compiling, "cached", lambda kernel: False)  # no cache on disk
    compiled = SimpleNamespace(signatures=[("float64",)])
    monkeypatch.setattr(compiling, "kernels", lambda modules=(): [compiled])
    assert not compiling.will_compile()
    monkeypatch.setattr(
        compiling, "kernels", lambda modules=(): [compiled, SimpleNamespace(signatures=[])]
    )
    assert compiling.will_compile()


def test_numba_internals_it_cannot_read_raise_no_false_alarm():
    assert compiling.cached(object())


def test_the_models_kernels_are_found():
    names = {k.py_func.__name__ for k in compiling.kernels()}
    assert {"_round_kernel", "_solve"} <= names


def test_the_command_line_says_so_before_the_run(mini_path, tmp_path, monkeypatch, capsys):
    from sim.cli import main

    compiled = []
    monkeypatch.setattr(compiling, "will_compile", lambda modules=(): True)
    monkeypatch.setattr(compiling, "compile_kernels", lambda: compiled.append(1) or 0.0)
    out = tmp_path / "res"
    assert main(["run", str(mini_path), "-n", "20", "-w", "1", "--no-plots", "-o", str(out)]) == 0
    assert "compiling the model (first run only, about" in capsys.readouterr().err
    assert compiled == [1]  # compiled once, before the workers


def test_compiling_runs_the_baseline_once():
    """compile_kernels runs one replicate of the shipped baseline (a stale call, e.g. to a
    model method that no longer exists, fails here, not on a user's first run)."""
    assert compiling.compile_kernels() >= 0.0
