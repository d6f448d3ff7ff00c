"""``report.html``: one self-contained page (figures as data URIs, styles inline, no
script, nothing fetched) to brief from, built from a results folder's files."""

from __future__ import annotations

import os
from pathlib import Path

from .folder import read_folder
from .sections import Report, build

REPORT = "report.html"


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # every value from a file is escaped: scenario text is user input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ceasefire")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def render(report: Report) -> str:
    """The page of a report, as HTML text."""
    return _environment().get_template("report.html.j2").render(r=report, generator=_version())


def build_report(folder: str | Path, name: str | None = None) -> str:
    """The report page of a results folder (``name``: the folder's final name, when it is
    written under a temporary one).

    Raises
    ------
    ScenarioError
        When ``folder`` is not a results folder.
    """
    return render(build(read_folder(folder), name))


def write_report(folder: str | Path, final: str | Path | None = None) -> Path:
    """Write ``folder/report.html`` (through a temporary file, so a reader never sees half
    a page); returns its path.  ``final``: where the folder will be renamed to."""
    folder = Path(folder)
    text = build_report(folder, Path(final).name if final is not None else None)
    path = folder / REPORT
    tmp = folder / f".{REPORT}.partial-{os.getpid()}"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
