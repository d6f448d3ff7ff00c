"""Whether a run will compile the model's numba kernels first; the line that says so.

The model's kernels (the bargaining ones in :mod:`sim.mechanics.bargaining_kernel` and
:mod:`sim.mechanics.package`, the small passes of :mod:`sim.mechanics.bounds` and
:mod:`sim.streams`) are compiled by numba on their first call and cached on disk
(``cache=True``: in the ``__pycache__`` folder beside them, or numba's user cache when that
is read-only).  A fresh install, a new numba or an edited kernel finds no valid cache, and the
first run then spends about :data:`COMPILE_SECONDS` compiling before the first replicate is
done (the next runs load the cache in a fraction of a second).
:func:`compile_notice` is what the command line prints before such a run, and
:func:`compile_kernels` compiles them there once, before any worker is forked
(``docs/performance.md``).

The check reads numba's cache index the way numba does when it loads a kernel (the source
file's hash, this machine's code generator, the kernel's bytecode): private numba API, so
any surprise there makes it say nothing rather than something wrong.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable

KERNEL_MODULES = (
    "sim.mechanics.bargaining_kernel",
    "sim.mechanics.package",
    "sim.mechanics.bounds",
    "sim.streams",
)
"""The modules whose numba kernels a simulation calls."""

COMPILE_SECONDS = 15
"""How long the first run compiles, measured on a 2-core machine (8 s of CPU unloaded; 13
to 17 s of wall time when other jobs share the cores)."""


def kernels(modules: Iterable[str] = KERNEL_MODULES) -> list:
    """The numba dispatchers defined in ``modules`` (imported if need be)."""
    from numba.core.dispatcher import Dispatcher

    found = []
    for name in modules:
        module = importlib.import_module(name)
        found += [v for v in vars(module).values() if isinstance(v, Dispatcher)]
    return found


def will_compile(modules: Iterable[str] = KERNEL_MODULES) -> bool:
    """Whether calling the kernels of ``modules`` will compile one: one neither compiled in
    this process nor found in a valid on-disk cache."""
    import numba

    if numba.config.DISABLE_JIT:
        return False
    return any(not kernel.signatures and not cached(kernel) for kernel in kernels(modules))


def cached(kernel) -> bool:
    """Whether numba's on-disk cache holds a compiled copy of ``kernel`` for this machine,
    this numba and this source (True when that cannot be told: no false alarm)."""
    cache = getattr(kernel, "_cache", None)
    try:
        files = cache._cache_file
        index = files._load_index()  # {} when missing, of another numba or a stale source
        wanted = cache._index_key(None, kernel.targetctx.codegen())[1:]
        return any(
            key[1:] == wanted and os.path.exists(files._data_path(name))
            for key, name in index.items()
        )
    except Exception:  # noqa: BLE001 - private numba API: better silent than wrong
        return True


def compile_kernels() -> float:
    """Compile the kernels in this process, once, by running one replicate of the shipped
    baseline (it calls every kernel with the argument types a run uses); returns seconds.

    Called before the worker processes are forked, it spares each of them compiling its
    own copy (8 s of CPU each, done side by side on cores other jobs may need): they
    inherit the compiled kernels, and numba's cache is written for the next run.
    """
    import time
    from pathlib import Path

    from . import scenarios
    from .model import NegotiationModel
    from .scenario import load_scenario

    began = time.perf_counter()
    baseline = load_scenario(Path(scenarios.__file__).parent / "baseline.yaml")
    NegotiationModel(baseline, replicates=1, seed=0, trajectory_replicates=0).run_model()
    return time.perf_counter() - began


def compile_notice(modules: Iterable[str] = KERNEL_MODULES) -> str | None:
    """``"compiling the model (first run only, about 15 s)"`` when the kernels will be
    compiled, else None."""
    if not will_compile(modules):
        return None
    return f"compiling the model (first run only, about {COMPILE_SECONDS} s)"
