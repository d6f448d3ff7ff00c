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
