"""The job lifecycle: a command's results folder, its checkpoint, resume and provenance.

A job is what a command does with its options once its input is checked: claim the output
folder, keep finished chunks in a checkpoint beside it (so ``--resume`` can complete an
interrupted job), run its arms on the one scheduler, write the folder atomically and drop
the checkpoint.  The command line only parses, calls :func:`run_job` (through the library
function of its command) and prints; Python callers may do the same.

The provenance (the command line that made the folder) is passed in (:attr:`Job.provenance`),
never read from a global: a folder made from Python records none.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .errors import JobError, ScenarioError, printable
from .options import RunOptions


class Writable(Protocol):
    def write(
        self,
        folder: Path,
        plots: bool = True,
        provenance: Mapping = ...,
        on_step: Callable[[str], None] | None = ...,
    ) -> Any: ...


R = TypeVar("R", bound=Writable)

Progress = Callable[[int, str], AbstractContextManager[Callable[[int], None]]]
"""``progress(total, description)``: a context giving the callback of finished replicates
(the command line's progress bar)."""


@dataclass(frozen=True)
class Job:
    """Where and how a job writes its results folder.

    Attributes
    ----------
    out : path, optional
        The folder (must not exist); default ``<root>/<kind>-<label>-<stamp>/``.
    resume : path, optional
        The folder of an interrupted job to complete (its checkpoint is beside it).
    plots : bool
        Draw the figures.
    provenance : mapping
        What the manifests record of the command that made the folder (``command``,
        ``working_directory``); empty from Python.
    progress : callable, optional
        ``progress(total, description)``, a context giving the progress callback.
    root : path
        Where default folders go.
    hint : callable, optional
        Called with a line for the user (the ``--resume`` hint) when an interrupted job
        keeps its finished chunks.
    """

    out: Path | None = None
    resume: Path | None = None
    plots: bool = True
    provenance: Mapping[str, object] = field(default_factory=dict)
    progress: Progress | None = None
    root: Path = Path("results")
    hint: Callable[[str], None] | None = None


def checkpoint_for(out: Path) -> Path:
    """Where a job writing ``out`` keeps its finished chunks until it completes."""
    return out.parent / f".{out.name}.checkpoint"


def out_folder(job: Job, label: str, root: Path | str | None = None) -> Path:
    """The folder a job writes: ``--out``, the folder ``--resume`` names (its checkpoint
    must be there), or a new one under ``root`` named after ``label``; checked, not made."""
    from .results import check_out_dir, default_out_dir

    out = job.out
    if job.resume is not None:
        if not checkpoint_for(job.resume).is_dir():
            raise ScenarioError("--resume", str(job.resume), "no interrupted job to resume there")
        out = job.resume
    out = out or default_out_dir(label, root if root is not None else job.root)
    check_out_dir(out, "--resume" if job.resume is not None else "--out")
    return out


@contextmanager
def resumable(
    out: Path,
    identity: Mapping,
    resume: Path | None = None,
    hint: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Reserve ``out`` and yield the job's checkpoint folder, claimed for ``identity``.

    Another job's checkpoint is refused before any work (and left as it is).  The
    checkpoint is dropped on success; when the job is interrupted or fails (a lost
    cluster, a full disk) its finished chunks are kept and the ``--resume`` hint given
    (on a :class:`~sim.errors.JobError` as its ``hint``, else to ``hint``).
    """
    from .checkpoint import claim_checkpoint, has_chunks
    from .results import reserved

    checkpoint = checkpoint_for(out)
    with reserved(out, "--resume" if resume is not None else "--out"):
        claim_checkpoint(checkpoint, identity)
        try:
            yield checkpoint
        except (KeyboardInterrupt, JobError) as err:
            if not has_chunks(checkpoint):
                shutil.rmtree(checkpoint, ignore_errors=True)  # nothing worth keeping
                raise
            line = f"finished chunks are kept: complete the job with --resume {printable(out)}"
            if isinstance(err, JobError):
                err.hint = line  # printed after the error line
            elif hint is not None:
                hint(line)
            raise
        shutil.rmtree(checkpoint, ignore_errors=True)


def run_job(
    job: Job,
    label: str,
    total: int,
    description: str,
    work: Callable[[RunOptions], R],
    options: RunOptions | None = None,
    identity: Mapping | None = None,
    root: Path | str | None = None,
) -> tuple[R, Path]:
    """Run a job whose input is checked: claim its folder, run ``work``, write the folder.

    Parameters
    ----------
    job : Job
    label : str
        Names the default folder (``compare-baseline``, ...).
    total : int
        Replicates the job runs (for the progress callback).
    description : str
        What the progress shows.
    work : callable
        ``work(options)``: runs the arms with these options (the progress callback and,
        when resumable, the checkpoint filled in) and returns the result object, whose
        ``write(folder, plots, provenance)`` writes the folder atomically.
    options : RunOptions, optional
    identity : mapping, optional
        The job's identity (:func:`sim.checkpoint.job_identity`): the job keeps a
        checkpoint and may be resumed; ``None``: it does not.
    root : path, optional
        Where the default folder goes (default :attr:`Job.root`).

    Returns
    -------
    (result, folder)
    """
    from .results import reserved

    options = options or RunOptions()
    out = out_folder(job, label, root)
    claimed: AbstractContextManager = (
        reserved(out)  # yields None: no checkpoint
        if identity is None
        else resumable(out, identity, job.resume, job.hint)
    )
    with claimed as checkpoint:
        bar = job.progress(total, description) if job.progress and total else nullcontext(None)
        with bar as advance:
            changes: dict = {}
            if advance is not None:
                changes["on_progress"] = advance
            if checkpoint is not None:
                changes["checkpoint"] = checkpoint
            result = work(options.with_(**changes) if changes else options)
            # atomically, the progress display naming each stage of the writing
            step = getattr(advance, "step", None)
            result.write(out, plots=job.plots, provenance=job.provenance, on_step=step)
    return result, out


def check_total(total: int, option: str, what: str) -> None:
    """Refuse a job whose replicates add up past :data:`sim.scenario.MAX_RUNS`."""
    from .scenario import MAX_RUNS

    if total > MAX_RUNS:
        raise ScenarioError(
            option, "", f"{what} is more than {MAX_RUNS:,} replicates in one command"
        )


class WritesFolder:
    """A result object that writes its results folder atomically (:func:`run_job` calls
    :meth:`write`); a subclass says what goes in it, :meth:`write_into`."""

    def write_into(self, tmp: Path, plots: bool = True, provenance: Mapping | None = None) -> None:
        """Write the folder's files into ``tmp`` (the temporary folder made atomic)."""
        raise NotImplementedError

    def write(
        self,
        out: Path,
        plots: bool = True,
        provenance: Mapping | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        """Write the folder into ``out`` (reserved by the caller), atomically; ``on_step`` is
        told the stage, for a progress display."""
        from .results import atomic_dir

        if on_step is not None:
            on_step("writing the folder")
        with atomic_dir(out) as tmp:
            self.write_into(tmp, plots, provenance)
