"""``report.html``: a results folder as one page to brief from.

- ``folder.py`` reads any results folder (run, compare, deal, sweep, sensitivity,
  discover), forgiving missing optional files;
- ``sections.py`` builds the sections (question and scenario, headline numbers, figures,
  what was compared, assumptions and sources, warnings, how to reproduce);
- ``assumptions.py`` pairs the scenario file's fields with their comments and finds the
  tagged rows of ``seeds/README.md``;
- ``html.py`` renders the Jinja2 template ``templates/report.html.j2`` (autoescaped);
- ``invocation.py`` records the command line for the manifests.

:func:`sim.results.atomic_dir` writes the report into every results folder before it is
renamed into place; ``ceasefire report DIR`` rebuilds it.
"""

from __future__ import annotations

from pathlib import Path

REPORT = "report.html"


def write_report(folder: str | Path, final: str | Path | None = None) -> Path:
    """Write ``folder/report.html`` (see :func:`sim.report.html.write_report`)."""
    from .html import write_report as write

    return write(folder, final)


def build_report(folder: str | Path, name: str | None = None) -> str:
    """The report page of a results folder, as HTML text."""
    from .html import build_report as build

    return build(folder, name)


__all__ = ["REPORT", "build_report", "write_report"]
