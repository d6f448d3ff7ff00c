"""Reading the files of a results folder: regular files inside it, of bounded size.

A results folder may come from anyone (mailed on, unpacked from an archive, edited), so
every reader of one (``report``, ``plot``, ``discover``, ``compare DIR DIR``) opens its
files here:

- the path, resolved (symbolic links followed), must lie inside the folder: a link to a
  file elsewhere on the disk is refused, so a report never inlines a file its author did
  not put in the folder;
- it must be a regular file (checked on the open descriptor, so a FIFO cannot hang the
  reader and ``/dev/zero`` cannot fill memory);
- it must be at most a bound in size for its kind (:data:`LIMITS`), and JSON at most
  :data:`MAX_JSON_DEPTH` levels deep.

Anything else is a :class:`~sim.errors.ResultsError` naming the file (exit 2).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import ResultsError

MB = 1024**2
LIMITS = {
    ".json": 64 * MB,
    ".csv": 512 * MB,
    ".png": 32 * MB,
    ".parquet": 8 * 1024 * MB,
    ".npz": 8 * 1024 * MB,
}
"""Largest file read, by suffix.  Generous for what the tool writes (a manifest is a few
kB, a figure under 1 MB, ``runs.parquet`` of 10 million runs about 1 GB), small enough that
nothing is read into memory without bound."""

DEFAULT_LIMIT = 64 * MB
MAX_JSON_DEPTH = 64
"""Deepest JSON nesting read (the tool's own files are at most five levels deep)."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Unreadable(ResultsError):
    """A regular file of the folder, within bounds, whose content is not what it should be
    (not UTF-8, not JSON): readers that tolerate a damaged optional file catch this one."""


def limit_for(path: Path) -> int:
    """The size bound of a file, by its suffix (:data:`LIMITS`)."""
    return LIMITS.get(path.suffix.lower(), DEFAULT_LIMIT)


def inside(folder: str | Path, path: str | Path) -> Path:
    """``path`` (relative to ``folder``, or absolute) resolved, if it lies inside ``folder``.

    Raises
    ------
    ResultsError
        When the resolved path is outside the folder (a link out, ``..``, an absolute path
        elsewhere) or the link cannot be resolved (a loop).
    """
    folder = Path(folder)
    candidate = folder / path
    try:
        root = folder.resolve(strict=True)
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError) as err:  # a symbolic-link loop
        raise ResultsError(str(candidate), "", f"cannot resolve ({type(err).__name__})") from None
    if not resolved.is_relative_to(root):
        raise ResultsError(
            str(candidate), "", "leads outside the results folder (a link or path out): not read"
        )
    return resolved


@contextmanager
def open_regular(
    folder: str | Path, path: str | Path, limit: int | None = None
) -> Iterator[BinaryIO]:
    """An open binary file of the folder, checked as the module describes.

    Raises
    ------
    ResultsError
        For a file outside the folder, missing, not a regular file (FIFO, device, folder)
        or over ``limit`` bytes (default: :func:`limit_for` its suffix).
    FileNotFoundError
        When the file does not exist (callers decide whether that is a problem).
    """
    resolved = inside(folder, path)
    shown = str(Path(folder) / path)
    bound = limit_for(resolved) if limit is None else limit
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as err:
        raise ResultsError(shown, "", f"cannot open ({err.strerror or err})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ResultsError(shown, "", "not a regular file (a FIFO, device or folder): not read")
        if info.st_size > bound:
            raise ResultsError(
                shown, "", f"too large to read ({info.st_size:,} bytes; at most {bound:,})"
            )
        os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_bytes(folder: str | Path, path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a file of the folder (at most its bound, even if it grows meanwhile)."""
    bound = limit_for(Path(path)) if limit is None else limit
    with open_regular(folder, path, bound) as handle:
        data = handle.read(bound + 1)
    if len(data) > bound:
        raise ResultsError(
            str(Path(folder) / path), "", f"too large to read (over {bound:,} bytes)"
        )
    return data


def read_text(folder: str | Path, path: str | Path, limit: int | None = None) -> str:
    """A UTF-8 text file of the folder."""
    try:
        return read_bytes(folder, path, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(str(Path(folder) / path), "", "not UTF-8 text") from None


def read_json(folder: str | Path, path: str | Path) -> object:
    """A JSON file of the folder, at most :data:`MAX_JSON_DEPTH` levels deep.

    Raises
    ------
    ResultsError
        As :func:`open_regular`, and for text that is not JSON or is nested too deeply.
    FileNotFoundError
        When the file does not exist.
    """
    shown = str(Path(folder) / path)
    text = read_text(folder, path)
    try:
        data = json.loads(text)
    except RecursionError:
        raise ResultsError(shown, "", f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as err:
        raise Unreadable(shown, "", f"cannot read as JSON ({type(err).__name__})") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise ResultsError(shown, "", f"nested more than {MAX_JSON_DEPTH} levels deep")
    return data


def _depth(data: object) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:  # iterative: a deep document must not exhaust the recursion limit here
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, level + 1) for child in children)
    return deepest


def is_png(data: bytes) -> bool:
    """Whether ``data`` starts as a PNG file does."""
    return data.startswith(PNG_SIGNATURE)
