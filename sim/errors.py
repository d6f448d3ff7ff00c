"""The one error type users see: a bad input, said in one line; and the escaping of any
user text before it reaches the terminal."""

from __future__ import annotations

import re

# C0 controls (ESC, BEL, CR, newline...), DEL and C1 controls, and the Unicode format
# characters that reorder or hide text (bidi overrides and isolates, zero-width marks):
# printed raw, any of them can rewrite the terminal's title, clear the screen or disguise
# what a message says.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object) -> str:
    r"""``text`` with every control or invisible formatting character shown as an escape.

    Parameters
    ----------
    text : object
        Anything; it is converted with ``str`` first.

    Returns
    -------
    str
        The same text where, e.g., ESC is written ``\x1b`` and a newline ``\x0a``, so that
        it prints as one inert line.  Applying it twice changes nothing more.
    """
    return _UNPRINTABLE.sub(_visible, str(text))


def printable_markup(text: object) -> str:
    """:func:`printable`, with rich markup escaped too: for user text (scenario names,
    paths, options) placed in rich titles, table cells and progress labels."""
    from rich.markup import escape

    return escape(printable(text))


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

    Notes
    -----
    ``str()`` gives ``SOURCE: FIELD: PROBLEM`` on one line, with control characters from
    any part (a key, a file name, a value) escaped by :func:`printable`.
    """

    others: tuple[tuple[str, str], ...] = ()
    """Further problems of the same source, as ``(field, problem)``: a file's every error
    (:meth:`many`); :meth:`lines` gives them all, one line each."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source, self.field, self.problem = str(source), field, problem
        super().__init__(str(self))

    @classmethod
    def many(cls, source: str, found: list[tuple[str, str]], limit: int = 12) -> ScenarioError:
        """One error for several problems of one source (``(field, problem)`` pairs, at
        least one): the first is the error's own, the rest (at most ``limit`` in all)
        follow in :meth:`lines`."""
        first, *rest = found
        err = cls(source, *first)
        err.others = tuple(rest[: max(limit - 1, 0)])
        err.hidden = max(len(found) - limit, 0)
        err.args = (str(err),)
        return err

    hidden: int = 0
    """Problems beyond the ones listed."""

    def _line(self, field: str, problem: str) -> str:
        where = f"{self.source}: {field}" if field else self.source
        # a newline in a library's message becomes a space; anything else is escaped
        return printable(f"{where}: {problem}".replace("\n", " "))

    def lines(self) -> list[str]:
        """Every problem, one line each (the first is ``str(self)``)."""
        out = [self._line(self.field, self.problem)]
        out += [self._line(f, p) for f, p in self.others]
        if self.hidden:
            out.append(printable(f"{self.source}: ... and {self.hidden} more problems"))
        return out

    def __str__(self) -> str:
        # the first problem only: one line, as callers match it; lines() gives them all
        return self._line(self.field, self.problem)


class CheckpointError(ScenarioError):
    """A checkpoint that cannot be used: another job's, another code version's, or corrupt.

    Bad input like any other (exit code 2); the checkpoint is left as it is.
    """


class OptionError(ScenarioError):
    """A bad argument of a command or of a Python function (``runs=-1``, ``--seed x``).

    Bad input (exit code 2).  ``source`` is the argument as the caller spells it: the
    Python name (``chunk_size``) from the library, the flag (``--chunk-size``) from the
    command line (see :mod:`sim.options`).
    """

    def __init__(self, name: str, problem: str, field: str = "") -> None:
        super().__init__(name, field, problem)


class ResultsError(ScenarioError):
    """A results folder (or a file in it) that cannot be used: missing, foreign, corrupt,
    oversize, not a regular file, or not comparable with another.  Bad input (exit 2)."""


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
