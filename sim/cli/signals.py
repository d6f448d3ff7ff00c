"""Ctrl-C, SIGTERM and SIGHUP: every one stops a command the same clean way.

The first signal raises :class:`KeyboardInterrupt` in the main thread, so the command
unwinds as it does on any error: the worker processes are stopped
(:func:`sim.ensemble.executor_for` terminates them), the partial folder and the lock file
are removed, finished chunks are kept with the ``--resume`` hint, and :func:`sim.cli.main`
exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP) and
one line.

Further signals while that clean-up runs (a second and third Ctrl-C in quick succession)
are not raised again: an exception in the middle of the clean-up is what used to leave
workers running and the process hanging in its exit handlers.  The clean-up is bounded (a
few seconds at most), and a signal arriving after :data:`GRACE_SECONDS` of it ends the
process at once, after killing the workers, so no process is ever left that no signal
stops.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = tuple(
    s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None
)
GRACE_SECONDS = 10.0
"""How long the clean-up after the first signal may take before another signal ends the
process outright."""

_first: dict[str, float | int] = {}


def received() -> int | None:
    """The signal that interrupted the command (None when none did)."""
    signum = _first.get("signum")
    return int(signum) if signum is not None else None


def exit_code(default: int = 130) -> int:
    """128 + the signal that interrupted the command (the shell's convention)."""
    signum = received()
    return 128 + signum if signum is not None else default


def _handler(signum: int, frame: object) -> None:
    if "signum" not in _first:
        _first.update(signum=signum, at=time.monotonic())
        raise KeyboardInterrupt
    if time.monotonic() - float(_first["at"]) > GRACE_SECONDS:  # the clean-up is stuck
        from ..ensemble import kill_workers

        kill_workers()
        os._exit(128 + int(_first["signum"]))
    # otherwise: the clean-up of the first signal is under way; let it finish


@contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for the duration of a command (main thread only; elsewhere,
    as in a notebook's worker thread, the signals keep their handlers)."""
    _first.clear()
    try:
        previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    except ValueError:  # not the main thread
        previous = {}
    try:
        yield
    finally:
        # after a signal, later ones are ignored to the end: a second Ctrl-C arriving as
        # the process exits would otherwise kill it with a traceback or a signal status
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_IGN if received() is not None else handler)
