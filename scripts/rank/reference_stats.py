#!/usr/bin/env python3
"""Reference values for Tests/RankingTests: scipy's spearmanr and kendalltau (defaults: tau-b)
on fixed data, ties included. Run with the pinned venv of scripts/rank/setup-venv.sh:

    ~/.cache/wwmon/venv-rank/bin/python scripts/rank/reference_stats.py

and paste the printed Swift literals into Tests/RankingTests/ReferenceValues.swift."""
import scipy
from scipy import stats

assert scipy.__version__ == "1.17.1", scipy.__version__

CASES = {
    "noTies": ([1.2, 3.4, 2.2, 5.0, 4.1, 0.3, 2.9], [0.51, 0.62, 0.40, 0.93, 0.70, 0.11, 0.66]),
    "tiesInX": ([1, 2, 2, 3, 4, 4, 4, 5], [3.1, 2.0, 5.5, 4.4, 6.0, 1.0, 7.2, 8.0]),
    "tiesInBoth": ([1, 1, 2, 2, 3, 3, 4, 5, 5], [2, 1, 1, 3, 3, 3, 5, 4, 4]),
    "negative": ([3.1, 2.9, 4.4, 5.0, 3.8, 4.9, 3.3], [0.90, 0.93, 0.71, 0.60, 0.80, 0.66, 0.95]),
    "constantY": ([1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5]),
    "jointTies": ([1, 1, 1, 2, 2, 3], [5, 5, 4, 4, 4, 1]),
}

for name, (x, y) in CASES.items():
    rho = float(stats.spearmanr(x, y).statistic)
    tau = float(stats.kendalltau(x, y).statistic)
    # NaN (a constant side) is nil on the Swift side.
    lit = lambda v: "nil" if v != v else repr(v)
    print(f'    ("{name}", {[float(v) for v in x]}, {[float(v) for v in y]}, {lit(rho)}, {lit(tau)}),')

# rankdata (average ranks) and numpy.polyfit (the scatter plot's per-group line).
import numpy as np
x, y = CASES["tiesInBoth"]
print("    averageRanks:", [float(v) for v in stats.rankdata(x)])
slope, intercept = np.polyfit(CASES["noTies"][0], CASES["noTies"][1], 1)
print("    polyfit noTies:", repr(float(slope)), repr(float(intercept)))
