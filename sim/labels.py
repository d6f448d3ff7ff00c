"""How a run is named in a title: its scenario's label and the ``--set`` overrides that
changed it, e.g. ``baseline+us_aid_cut (overrides: actors.US.aid=0)``, so a figure or a
notebook's display never says ``baseline`` for a run that changed it.  Declared once, for
the figures (:func:`sim.plots.style.run_title` escapes it for matplotlib), the result
objects and the command line.  (A results folder's *name* is
:func:`sim.results.run_label`: no spaces.)"""

from __future__ import annotations

from collections.abc import Iterable


def overrides_note(overrides: Iterable[str] = ()) -> str:
    """``" (overrides: a=1, b=2)"``, or ``""`` when there are none."""
    shown = [str(o) for o in overrides]
    return f" (overrides: {', '.join(shown)})" if shown else ""


def titled(label: str, overrides: Iterable[str] = ()) -> str:
    """A run's name in a title: ``label (overrides: ...)``, or the label alone."""
    return f"{label}{overrides_note(overrides)}"
