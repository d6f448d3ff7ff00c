"""Published numbers the validation table (:mod:`sim.validation.checks`) reproduces.

One home for the reference data, so that ``ceasefire reproduce`` needs nothing from the test
tree.  The EC vehicle-emissions tables below are also the ones ``tests/test_bargaining.py``
checks the bargaining code against (it imports them from here: one copy).

Sources
-------
Masad, D., "BDM's EUM as ABM: agentizing the expected utility model", dissertation chapter,
github.com/dmasad/Agents-In-Conflict, ``Dissertation/BDM_Reproduction/BDM_ABM.tex``:
tables ``eg_agent_data``, ``eg_eu``, ``eg_offers`` and ``contributions`` (section "Deep
Dive"), and the outcome quoted in section "Reproduction of Prior Results".  The case is
Bueno de Mesquita's (1994) European Community negotiation over when to apply new emission
standards to mid-size cars (positions 4, 7 and 10 years, scaled to 0, 0.5 and 1).
"""

from __future__ import annotations

import numpy as np

# Offer categories, as in sim.mechanics.bargaining (kept as literals: this module is data).
CONFLICT, COMPROMISE = 1, 2

# Table eg_agent_data: name, capability, position (scaled to [0, 1]), salience, and the
# published step-0 risk exponent r_i.  Masad's input order matters for tie-breaking.
EC_ACTORS: list[tuple[str, float, float, float, float]] = [
    ("Netherlands", 0.08, 0.0, 0.8, 1.12),
    ("Belgium", 0.08, 0.5, 0.4, 1.00),
    ("Luxembourg", 0.03, 0.0, 0.2, 0.50),
    ("Germany", 0.16, 0.0, 0.8, 1.12),
    ("France", 0.16, 1.0, 0.6, 1.02),
    ("Italy", 0.16, 1.0, 0.6, 1.02),
    ("UK", 0.16, 1.0, 0.9, 2.00),
    ("Ireland", 0.05, 0.5, 0.1, 0.65),
    ("Denmark", 0.05, 0.0, 1.0, 1.45),
    ("Greece", 0.08, 0.5, 0.7, 1.56),
]
EC_NAMES = [a[0] for a in EC_ACTORS]
EC_C = np.array([a[1] for a in EC_ACTORS])
EC_X = np.array([a[2] for a in EC_ACTORS])
EC_S = np.array([a[3] for a in EC_ACTORS])
EC_RISK = np.array([a[4] for a in EC_ACTORS])

# Table eg_eu: source (row) x target (column) expected utilities at t = 0, in the table's
# own (alphabetical) order; the diagonal "--" is stored as 0.  "-0.00" (Denmark -> Greece)
# is a small negative number that rounds to zero.
EU_ORDER = [
    "Belgium",
    "Denmark",
    "France",
    "Germany",
    "Greece",
    "Ireland",
    "Italy",
    "Luxembourg",
    "Netherlands",
    "UK",
]
EU_TABLE = np.array(
    [
        [0.00, 0.27, 0.40, 0.41, 0.00, 0.00, 0.40, 0.85, 0.41, 0.11],
        [0.39, 0.00, 0.08, 0.00, -0.00, 0.79, 0.08, 0.00, 0.00, -0.61],
        [0.60, 0.28, 0.00, 0.62, 0.29, 0.90, 0.00, 1.64, 0.62, 0.00],
        [0.47, 0.00, 0.46, 0.00, 0.08, 0.86, 0.46, 0.00, 0.00, -0.23],
        [0.00, 0.13, 0.27, 0.28, 0.00, 0.00, 0.27, 0.74, 0.28, -0.04],
        [0.00, 0.30, 0.42, 0.43, 0.00, 0.00, 0.42, 0.80, 0.43, 0.17],
        [0.60, 0.28, 0.00, 0.62, 0.29, 0.90, 0.00, 1.64, 0.62, 0.00],
        [0.46, 0.00, 1.45, 0.00, 0.18, 0.74, 1.45, 0.00, 0.00, 0.76],
        [0.47, 0.00, 0.46, 0.00, 0.08, 0.86, 0.46, 0.00, 0.00, -0.23],
        [0.35, -0.70, 0.00, -0.36, 0.04, 0.65, 0.00, 0.66, -0.36, 0.00],
    ]
)

# Table eg_offers: target -> (accepted sender, category).  The UK receives no credible
# offer (it is absent from the table).
EC_OFFERS: dict[str, tuple[str, int]] = {
    "Netherlands": ("Belgium", CONFLICT),
    "Belgium": ("Netherlands", CONFLICT),
    "Luxembourg": ("Belgium", CONFLICT),
    "Germany": ("Belgium", CONFLICT),
    "France": ("Belgium", CONFLICT),
    "Italy": ("Belgium", CONFLICT),
    "Ireland": ("Netherlands", CONFLICT),
    "Denmark": ("Greece", COMPROMISE),
    "Greece": ("UK", COMPROMISE),
}

# Table "contributions": votes for Belgium and for the Netherlands in their contest.
EC_BELGIUM_VOTES, EC_NETHERLANDS_VOTES = 0.2145, 0.124

# Masad, "Reproduction of Prior Results": "The observed historic outcome, 8.833 years,
# corresponds to approximately 0.8 on the normalized issue space, which neither model
# converges to."  On the 4..10-year scale it is (8.833 - 4) / 6.
EC_OUTCOME_YEARS = 8.833
EC_OUTCOME = (EC_OUTCOME_YEARS - 4.0) / 6.0
