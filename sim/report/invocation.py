"""The command line that is making a results folder, for its manifest.

:func:`sim.cli.app.main` records its arguments when it starts and forgets them when it
returns; the command line (and only it) reads :func:`record` into the job it hands the
library (:attr:`sim.jobs.Job.provenance`), whose writers of ``manifest.json`` (and
``deal.json``) add what they are given.  No library writer reads this module: a folder
made from Python (``sim.run`` and friends) records no command.
"""

from __future__ import annotations

import os
import shlex

_ARGS: list[str] | None = None


def start(argv: list[str] | None) -> None:
    """Remember the command's arguments (``argv``, or ``sys.argv[1:]`` when None)."""
    import sys

    global _ARGS
    _ARGS = [str(a) for a in (sys.argv[1:] if argv is None else argv)]


def end() -> None:
    """Forget them (the command has returned)."""
    global _ARGS
    _ARGS = None


def command() -> str | None:
    """The running command as a shell line (``ceasefire run ...``), or None outside one."""
    if _ARGS is None:
        return None
    return shlex.join(["ceasefire", *_ARGS])


def record() -> dict:
    """What a manifest records: ``command`` and the working directory it ran in
    (``{}`` outside a command)."""
    line = command()
    if line is None:
        return {}
    return {"command": line, "working_directory": os.getcwd()}
