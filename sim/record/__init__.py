"""The record as evidence (issue 19): dated facts, calibration, backtests, runs given the
record.

- ``facts.py``: the record file (read, checked, put on a scenario's weeks);
- ``observe.py``: the model with the record's probes (facts evaluated as a replicate runs);
- ``calibrate.py``: rejection on common random numbers (``sim.calibrate``);
- ``backtest.py``: scored forecasts (``sim.backtest``);
- ``given.py``: runs, comparisons and deals over the worlds consistent with the record;
- ``folders.py``: the folders of calibrate and backtest; ``given_folders.py``: the jobs of
  ``run``, ``compare`` and ``deal`` with ``--given`` (:mod:`sim.jobs`).

See docs/record.md.
"""

from .facts import BoundRecord, Fact, Question, Record, bind_record, load_record, read_record

__all__ = [
    "BoundRecord",
    "Fact",
    "Question",
    "Record",
    "bind_record",
    "load_record",
    "read_record",
]
