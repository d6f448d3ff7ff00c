"""``ceasefire explore``: one simulated world, week by week, in a local web app.

Following Mesa's SolaraViz conventions (the model behind controls and live views):

- ``world.py``: :class:`~sim.explore.world.World`, one replicate of a scenario stepped week
  by week (the same replicate, draw for draw, as row ``replicate`` of ``runs.parquet`` for
  the same seed: the random numbers are counter-based), and a snapshot of what it shows;
- ``app.py``: the Solara page (controls: replicate, policy, step, a round, play, reset;
  views: the front, each side's beliefs, stated positions, the package tabled and each
  answer, the outcome), started by ``sim.cli.explore`` on the loopback interface only.
"""
