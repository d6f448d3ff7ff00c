"""Reading a results folder for its report: which command wrote it, its JSON files, its
tables and figures, and the scenario text behind it.

Everything here is forgiving: an optional file that is missing or unreadable is noted (the
report says so) and never stops the report.  Only a folder with no record at all of what
wrote it (no ``manifest.json``, no ``deal.json``) is refused.

Every file is read through :mod:`sim.folder_files`: regular files inside the folder, of
bounded size (JSON of bounded depth); a figure that is a link out of the folder, not a
regular file, too large or not a PNG is skipped with a warning in the page.  A scenario
file is read from disk (for folders that do not record its text) only when it is a YAML
file of at most 1 MB whose SHA-256 is recorded in the manifest and matches.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..errors import ResultsError
from ..folder_files import LIMITS, Unreadable, is_png, read_bytes, read_json
from .kinds import KINDS as REGISTRY

KINDS = tuple(REGISTRY)
"""The kinds of results folder the report knows (:data:`sim.report.kinds.KINDS`)."""

TABLES = {name: kind.table for name, kind in REGISTRY.items() if kind.table}
"""The main table of each kind of folder (``run`` has ``summary.json`` instead)."""


@dataclass
class Folder:
    """What a results folder holds, as far as the report needs it."""

    path: Path
    kind: str
    info: dict
    summary: dict | None = None
    table: pd.DataFrame | None = None
    figures: list[Path] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    texts_note: str = ""
    json_files: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    run_info: dict | None = None  # discover: the manifest of the run it explored
    images: dict[Path, bytes] = field(default_factory=dict, repr=False)  # checked PNGs

    def image(self, path: Path) -> bytes:
        """The checked bytes of one of :attr:`figures` (read when the folder was read)."""
        try:
            return self.images[path]
        except KeyError:
            raise OSError(f"{path}: not a checked figure of the folder") from None

    @property
    def scenario_doc(self) -> dict:
        """The scenario document (its main file, parents' keys filled in), or {}."""
        merged: dict = {}
        for _, text in sorted(self.texts.items(), key=lambda kv: kv[0] == self.source):
            doc = _parsed(text)
            if isinstance(doc, dict):
                merged.update(doc)
        return merged


@functools.lru_cache(maxsize=32)
def _parsed(text: str) -> object:
    """A scenario text parsed once (the report asks for it six times; the pure-Python
    loader took 0.1 s a time on the baseline), by libyaml where PyYAML has it; None when
    it is no YAML."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def read_folder(path: str | Path) -> Folder:
    """Read a results folder of any command.

    Raises
    ------
    ResultsError
        When ``path`` is not a folder, or holds neither ``manifest.json`` nor ``deal.json``
        (or neither can be read as a JSON object).
    """
    path = Path(path)
    if not path.is_dir():
        problem = "a file, not a folder" if path.exists() else "no such folder"
        raise ResultsError(str(path), "", f"not a results folder ({problem})")
    folder = None
    for name in ("manifest.json", "deal.json"):
        info = _json(path, name, strict=True)
        if isinstance(info, dict):
            kind = str(info.get("kind") or ("deal" if name == "deal.json" else "run"))
            folder = Folder(path=path, kind=kind, info=info)
            folder.json_files[name] = info
            break
    if folder is None:
        raise ResultsError(
            str(path), "", "not a results folder (no readable manifest.json or deal.json)"
        )
    given = _json(path, "given.json")  # a result given the record (sim.record.given)
    if isinstance(given, dict):
        folder.json_files["given.json"] = given
    summary = _json(path, "summary.json", strict=True)
    if isinstance(summary, dict):
        folder.summary = summary
        folder.json_files["summary.json"] = summary
    elif folder.kind == "run":
        folder.problems.append("summary.json is missing or unreadable: no headline numbers")
    table = TABLES.get(folder.kind)
    if table:
        try:
            folder.table = pd.read_csv(io.BytesIO(read_bytes(path, table)))
        except FileNotFoundError:
            folder.problems.append(f"{table} is missing")
        except ResultsError as err:
            folder.problems.append(f"{table} was not read: {err.problem}")
        except Exception as err:  # noqa: BLE001 - any unreadable table is only noted
            folder.problems.append(f"{table} cannot be read ({type(err).__name__})")
    _figures(folder)
    _scenario_texts(folder)
    return folder


def _figures(folder: Folder) -> None:
    """The PNGs of the folder that may be inlined; the others skipped with a warning."""
    path = folder.path
    for candidate in sorted(path.rglob("*.png"), key=lambda p: p.relative_to(path).parts):
        name = candidate.relative_to(path)
        try:
            data = read_bytes(path, name, LIMITS[".png"])
        except FileNotFoundError:
            continue  # a dangling link: nothing to show or to warn about
        except (ResultsError, OSError) as err:
            problem = err.problem if isinstance(err, ResultsError) else type(err).__name__
            folder.problems.append(f"figure {name} skipped: {problem}")
            continue
        if not is_png(data):
            folder.problems.append(f"figure {name} skipped: not a PNG image")
            continue
        folder.figures.append(candidate)
        folder.images[candidate] = data


def _json(folder: Path, name: str, strict: bool = False) -> object:
    """A JSON file of the folder, or None when it is missing or unreadable.  With
    ``strict``, a file that is there but may not be read (a FIFO, a device, a link out,
    too large or deep) is refused in one line rather than passed over."""
    try:
        return read_json(folder, name)
    except (FileNotFoundError, Unreadable):
        return None
    except ResultsError:
        if strict:
            raise
        return None


def text_hash(texts: dict[str, str]) -> str:
    """The SHA-256 of scenario texts, as :attr:`sim.scenario.Scenario.text_hash` makes it."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return digest.hexdigest()


def _scenario_texts(folder: Folder) -> None:
    """Find the scenario text: recorded in the folder, or read from disk if its hash still
    matches the recorded one."""
    info = folder.info
    kind = REGISTRY.get(folder.kind)
    if kind is not None and kind.of_run:
        run_info = _discovered_run(folder)
        if run_info is not None:
            folder.run_info = run_info
            info = run_info
    if kind is not None and kind.arms:
        arms = info.get("arms") if isinstance(info.get("arms"), dict) else {}
        reference = arms.get(info.get("reference")) or next(iter(arms.values()), {})
        info = reference if isinstance(reference, dict) else {}
    folder.source = info.get("source") if isinstance(info.get("source"), str) else None
    texts = info.get("scenario_texts")
    if isinstance(texts, dict) and all(isinstance(v, str) for v in texts.values()):
        folder.texts = {str(k): v for k, v in texts.items()}
        folder.texts_note = "recorded in the results folder"
        return
    if not folder.source:
        folder.texts_note = "the folder does not record the scenario"
        return
    recorded = info.get("scenario_sha256")
    source = Path(folder.source)
    if not isinstance(recorded, str) or source.suffix.lower() not in (".yaml", ".yml"):
        # without a recorded hash to match, any file named by the manifest could be read
        folder.texts_note = (
            f"the scenario file {folder.source} was not read (the folder records no "
            "SHA-256 of a YAML scenario to check it against)"
        )
        return
    bases = [Path(d) for d in (info.get("working_directory"),) if isinstance(d, str)]
    for base in [*bases, Path.cwd()]:
        file = base / folder.source
        if not file.is_file() or file.stat().st_size > 1024**2:
            continue
        try:
            from ..snapshot import read_snapshot

            texts = dict(read_snapshot(file).texts)
        except Exception:  # noqa: BLE001 - an unreadable file is only noted
            continue
        texts = {(folder.source if k == str(file) else k): v for k, v in texts.items()}
        if text_hash(texts) != recorded:
            folder.texts_note = (
                f"{folder.source} has changed since the results were made (its SHA-256 "
                "differs from the recorded one): its assumptions are not shown"
            )
            return
        folder.texts = texts
        folder.texts_note = f"read from {folder.source} (same SHA-256 as recorded)"
        return
    folder.texts_note = f"the scenario file {folder.source} was not found"


def _discovered_run(folder: Folder) -> dict | None:
    results = folder.info.get("results")
    if not isinstance(results, str):
        return None
    candidates = [Path(results), folder.path.parent / Path(results).name]
    for candidate in candidates:
        if not candidate.is_dir():
            continue
        info = _json(candidate, "manifest.json")
        if isinstance(info, dict):
            return info
    return None
