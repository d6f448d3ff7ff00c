"""The weekly phases of the model, each a small pure function over arrays whose leading
axis is the replicate (see ``docs/model.md`` for the equations and their sources)."""
