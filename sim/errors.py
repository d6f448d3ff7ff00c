"""The one error type users see: a bad input, said in one line."""

from __future__ import annotations


class ScenarioError(ValueError):
    """Bad input: names the source (file or option), the field path and the problem.

    Parameters
    ----------
    source : str
        The file (or command-line option) the bad value came from.
    field : str
        Dotted path of the offending field, e.g. ``actors.Russia.salience.nato``;
        empty when the problem concerns the whole source.
    problem : str
        What is wrong, in plain words.
    """

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source, self.field, self.problem = str(source), field, problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.problem}".replace("\n", " ")


class CheckpointError(ScenarioError):
    """A checkpoint that cannot be used: another job's, another code version's, or corrupt.

    Bad input like any other (exit code 2); the checkpoint is left as it is.
    """


class JobError(RuntimeError):
    """The environment failed a job under way (a backend lost, a disk full): one line.

    Parameters
    ----------
    message : str
        What failed, in plain words (one line).

    Attributes
    ----------
    hint : str or None
        What the user can do next (e.g. the ``--resume`` command), set by whoever knows.
    """

    hint: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class BackendError(JobError):
    """A Dask scheduler that does not answer, or a cluster lost during the job."""


class OutputError(JobError):
    """A results folder that cannot be written (no space, no permission)."""
