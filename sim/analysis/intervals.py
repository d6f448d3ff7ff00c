"""The intervals of ``compare``: moved to :mod:`sim.statistics`, the one module of every
interval; these names stay importable from here for the analysis modules."""

from ..statistics import (
    BLOCK_CELLS,
    LEVEL,
    WINDOW,
    _block_rows,
    bootstrap_medians,
    mean_interval,
    median_ci,
    newcombe_paired,
    paired_counts,
    paired_mean_difference,
    paired_proportion_difference,
    percentile_interval,
    unpaired_mean_difference,
    unpaired_median_difference,
    unpaired_proportion_difference,
    wilson,
    wilson_interval,
)

__all__ = [
    "BLOCK_CELLS",
    "LEVEL",
    "WINDOW",
    "_block_rows",
    "bootstrap_medians",
    "mean_interval",
    "median_ci",
    "newcombe_paired",
    "paired_counts",
    "paired_mean_difference",
    "paired_proportion_difference",
    "percentile_interval",
    "unpaired_mean_difference",
    "unpaired_median_difference",
    "unpaired_proportion_difference",
    "wilson",
    "wilson_interval",
]
