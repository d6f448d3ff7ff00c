"""The run options, each constraint declared once, checked for Python and the command line.

Every public function (:func:`sim.run`, :func:`sim.compare`, :func:`sim.sweep`,
:func:`sim.sensitivity`, :func:`sim.evaluate_deal`) and every command checks its
arguments here, before any work, so both refuse the same values with the same words:
one :class:`~sim.errors.OptionError` that names the argument as the caller spells it
(``chunk_size`` from Python, ``--chunk-size`` from the command line).

Why strict types: Python would otherwise accept ``runs=True`` (a bool is an int),
iterate ``policies="us_aid_cut"`` character by character, and fail 14 frames deep in
NumPy on ``seed=-1``.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import OptionError, printable

MAX_SEED = 2**63 - 1
"""The largest seed (as the schema's ``seed:``): seeds are 64-bit words of the streams."""

MAX_WORKERS_PER_CPU = 4
MAX_WORKERS = 256
"""Local workers are capped at :data:`MAX_WORKERS_PER_CPU` per CPU and at most this many:
each worker is a forked process holding a copy of the model, and more processes than
cores only add memory and start-up time."""

MAX_CHUNKS = 100_000
"""Chunks per ensemble: each is a task with its own model set-up and a file in a
checkpoint, so ``--runs 10000000 --chunk-size 1`` (ten million of them) is refused up front."""


def max_workers() -> int:
    """The largest number of local workers accepted on this machine (see :data:`MAX_WORKERS`)."""
    return max(1, min(MAX_WORKERS, MAX_WORKERS_PER_CPU * (os.cpu_count() or 1)))


def _max_runs() -> int:
    from .scenario import MAX_RUNS  # pydantic: imported when a count is first checked

    return MAX_RUNS


@dataclass(frozen=True)
class Option:
    """One run option: its two spellings and its constraint.

    Attributes
    ----------
    name : str
        The argument as Python spells it (``chunk_size``).
    flag : str
        The option as the command line spells it (``--chunk-size``).
    kind : {"count", "seed", "names", "sequence", "weeks", "address"}
        ``count``: a whole number in [``low``, ``high()``] (bools refused); ``seed``: a
        whole number in [0, :data:`MAX_SEED`]; ``names``: a sequence of strings (a string
        itself refused); ``sequence``: any sequence but a string; ``weeks``: a sequence of whole numbers of at least 1, none twice;
        ``address``: a Dask scheduler address (:func:`check_address`).
    low : int
        Smallest count.
    high : callable, optional
        Largest count (a function: the worker cap depends on the machine).
    short : str
        The option's one-letter flag on the command line (``-n``), if any.
    help : str
        Its help on the command line (the run options': ``sim.cli.app.RUN_OPTIONS``).
    envvar : str, optional
        An environment variable the command line reads it from.
    """

    name: str
    flag: str
    kind: str
    low: int = 1
    high: Callable[[], int] | None = None
    short: str = ""
    help: str = ""
    envvar: str | None = None

    def spelled(self, cli: bool) -> str:
        return self.flag if cli else self.name

    def check(self, value: object, cli: bool = False) -> object:
        """``value`` normalised (NumPy integers become ``int``), or an OptionError."""
        name = self.spelled(cli)
        if self.kind in ("count", "seed"):
            number = _whole(value, name)
            if self.kind == "seed" and not 0 <= number <= MAX_SEED:
                raise OptionError(name, f"must be between 0 and {MAX_SEED}, got {number}")
            low, high = self.low, self.high
            top = high() if callable(high) else high
            if number < low:
                raise OptionError(name, f"must be at least {low}, got {number}")
            if top is not None and number > top:
                raise OptionError(name, f"must be at most {top:,}, got {number:,}")
            return number
        if self.kind == "names":
            items = _sequence(value, name, "names")
            for item in items:
                if not isinstance(item, str):
                    raise OptionError(name, f"expected text, got {type(item).__name__} {item!r}")
            return items
        if self.kind == "sequence":
            return _sequence(value, name, "items")
        if self.kind == "weeks":
            weeks = [_whole(w, name, what="weeks") for w in _sequence(value, name, "weeks")]
            if not weeks:
                raise OptionError(name, "give at least one week")
            for week in weeks:
                if week < 1:
                    raise OptionError(
                        name, f"weeks must be whole numbers of at least 1, got {week}"
                    )
            if len(set(weeks)) != len(weeks):
                raise OptionError(name, f"a week is listed twice: {weeks}")
            return weeks
        if self.kind == "address":
            return check_address(value, name)
        raise AssertionError(self.kind)  # pragma: no cover - a declaration's typo


OPTIONS: dict[str, Option] = {
    o.name: o
    for o in (
        Option(
            "runs",
            "--runs",
            "count",
            high=_max_runs,
            short="-n",
            help="Replicates (default: the file's runs).",
        ),
        Option("seed", "--seed", "seed", short="-s", help="Run seed (default: the file's seed)."),
        Option(
            "workers",
            "--workers",
            "count",
            high=max_workers,
            short="-w",
            help="Local processes (default: all cores).",
        ),
        Option(
            "chunk_size",
            "--chunk-size",
            "count",
            high=_max_runs,
            help="Replicates per chunk (default: automatic).",
        ),
        Option("trajectory_replicates", "--trajectory-replicates", "count", low=0),
        Option("replicates", "--replicates", "count", high=_max_runs),
        Option("samples", "--samples", "count", high=_max_runs),
        Option("n_resamples", "--resamples", "count", high=lambda: 1_000_000),
        Option("policies", "--policies", "names"),
        Option("overrides", "--set", "names"),
        Option("vary", "--vary", "sequence"),
        Option("weeks", "--weeks", "weeks"),
        Option(
            "scheduler",
            "--scheduler",
            "address",
            envvar="CEASEFIRE_SCHEDULER",
            help="Dask scheduler address, e.g. tcp://host:8786.",
        ),
    )
}
"""Every checked option, by its Python name: the one place its constraint is declared."""


def check_options(cli: bool = False, **values: object) -> dict[str, object]:
    """Check run options by name; ``None`` means "the default" and passes.

    Parameters
    ----------
    cli : bool
        Name the options as the command line spells them (``--chunk-size``), not as
        Python does (``chunk_size``).
    **values
        Options by their Python name (a key of :data:`OPTIONS`).

    Returns
    -------
    dict
        The values normalised (NumPy integers as ``int``, sequences as lists).

    Raises
    ------
    OptionError
        For the first value that breaks its option's constraint, naming the option.
    """
    checked = {
        name: None if value is None else OPTIONS[name].check(value, cli)
        for name, value in values.items()
    }
    runs, size = checked.get("runs"), checked.get("chunk_size")
    if isinstance(runs, int) and isinstance(size, int):
        check_chunking(runs, size, cli)
    return checked


def check_chunking(runs: int, chunk_size: int, cli: bool = False) -> None:
    """Refuse a chunk size that cuts ``runs`` into more than :data:`MAX_CHUNKS` chunks."""
    count = -(-runs // chunk_size)
    if count > MAX_CHUNKS:
        raise OptionError(
            OPTIONS["chunk_size"].spelled(cli),
            f"{chunk_size:,} cuts {runs:,} runs into {count:,} chunks; at most "
            f"{MAX_CHUNKS:,} (give a larger chunk size, or leave it to the default)",
        )


def _whole(value: object, name: str, what: str = "") -> int:
    # bool is an int in Python: runs=True would be one replicate, said by nobody
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = f"{type(value).__name__} {printable(repr(value))[:60]}"
        raise OptionError(name, f"{what or 'must be'} a whole number, got {kind}".lstrip())
    return int(value)


def _sequence(value: object, name: str, what: str) -> list:
    if isinstance(value, str | bytes):
        raise OptionError(
            name, f"expected a list of {what}, not a string: {printable(repr(value))[:80]}"
        )
    if not isinstance(value, Sequence | set | frozenset | tuple) or isinstance(value, Mapping):
        raise OptionError(name, f"expected a list of {what}, got {type(value).__name__}")
    return list(value)


# --------------------------------------------------------------------------- RunOptions
@dataclass(frozen=True)
class RunOptions:
    """How a job runs its replicates: the one options object of every command and function.

    Every field works for every command (``run``, ``compare``, ``sweep``, ``sensitivity``,
    ``deal``) and every function (:func:`sim.run`, :func:`sim.compare`, ...): the one
    scheduler (:func:`sim.ensemble.run_arms`) reads them all.  Each field is checked when
    the object is made, against its declaration in :data:`OPTIONS`.

    Attributes
    ----------
    runs : int, optional
        Replicates per arm (grid point, week); default: the scenario's ``runs``.
    seed : int, optional
        Run seed; default: the scenario's ``seed``.
    workers : int, optional
        Local processes (default: all cores); ignored with ``scheduler``.
    chunk_size : int, optional
        Replicates per chunk (default: sized so the workers finish together).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``) to run the chunks on.
    checkpoint : path, optional
        Folder where finished chunks are kept (one subfolder per arm of a job of several),
        so that an interrupted job can be completed without running them again.
    on_progress : callable, optional
        Called with the number of replicates each finished chunk adds.

    Examples
    --------
    >>> RunOptions(runs=500, seed=7).runs
    500
    >>> RunOptions(runs=0)
    Traceback (most recent call last):
    ...
    sim.errors.OptionError: runs: must be at least 1, got 0
    """

    runs: int | None = None
    seed: int | None = None
    workers: int | None = None
    chunk_size: int | None = None
    scheduler: str | None = None
    checkpoint: Path | None = None
    on_progress: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        self._check(cli=False)

    def _check(self, cli: bool) -> None:
        # every field with a declaration in OPTIONS is checked against it: a new option is
        # a field and its declaration, nothing more
        checked = check_options(cli, **{n: getattr(self, n) for n in RUN_FIELDS})
        for name, value in checked.items():
            object.__setattr__(self, name, value)  # normalised: NumPy integers as int
        if self.checkpoint is not None:
            object.__setattr__(self, "checkpoint", Path(self.checkpoint))
        if self.on_progress is not None and not callable(self.on_progress):
            raise OptionError("on_progress", f"expected a callable, got {self.on_progress!r}")

    @classmethod
    def from_cli(cls, **values: object) -> RunOptions:
        """The options of a command: a bad value is named as the command line spells it
        (``--chunk-size``), checked once, before any work."""
        check_options(True, **{k: v for k, v in values.items() if k in OPTIONS})
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def merged(cls, options: RunOptions | None = None, **values: object) -> RunOptions:
        """``options`` with the keyword arguments a function was also given (the old
        spelling: ``runs=``, ``seed=``, ...); an option given both ways, differently,
        is refused."""
        given = {k: v for k, v in values.items() if v is not None}
        if options is None:
            return cls(**given)  # type: ignore[arg-type]
        if not isinstance(options, RunOptions):
            raise OptionError("options", f"expected RunOptions, got {type(options).__name__}")
        for name, value in given.items():
            held = getattr(options, name)
            if held is not None and held != value:
                raise OptionError(name, f"given as {value!r} and as options.{name}={held!r}")
        return replace(options, **given) if given else options

    def with_(self, **changes: object) -> RunOptions:
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


RUN_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RunOptions) if f.name in OPTIONS)
"""The fields of :class:`RunOptions` declared in :data:`OPTIONS` (all but ``checkpoint`` and
``on_progress``, which a command makes itself): each is checked against its declaration,
and the command line gives each to every command (``sim.cli.app.run_command``)."""


# --------------------------------------------------------------------------- Dask
SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
"""Address schemes Dask's communications speak; ``host:port`` alone means ``tcp://``."""

_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.\-_]*[A-Za-z0-9])?)$")


def check_address(value: object, name: str = "scheduler") -> str:
    """A Dask scheduler address (``tcp://host:port``, ``tls://...``, ``host:port``) as given,
    or an OptionError at once: a malformed address is bad input, not a network wait.

    Raises
    ------
    OptionError
        For anything but ``[SCHEME://]HOST:PORT`` with a scheme Dask speaks and a port in
        1-65535 (``inproc://`` addresses, made by in-process clusters, are taken as they are).
    """
    if not isinstance(value, str):
        raise OptionError(name, f"expected an address such as tcp://host:8786, got {value!r}")
    text = value.strip()
    scheme, sep, location = text.rpartition("://")
    scheme = scheme.lower() if sep else "tcp"
    shown = printable(repr(value))[:100]
    if scheme not in SCHEMES:
        raise OptionError(
            name,
            f"not a Dask scheduler address: {shown} (scheme {scheme!r}; expected one of "
            f"{', '.join(s + '://' for s in SCHEMES)})",
        )
    if scheme == "inproc":
        if not location:
            raise OptionError(name, f"not a Dask scheduler address: {shown}")
        return text
    host, colon, port = location.rpartition(":")
    if not colon or not _HOST.match(host) or not port.isdecimal() or not port.isascii():
        raise OptionError(name, f"not a Dask scheduler address: {shown} (expected tcp://HOST:PORT)")
    if not 1 <= int(port) <= 65535:
        raise OptionError(name, f"not a Dask scheduler address: {shown} (port {port})")
    return text
