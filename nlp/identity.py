"""Theme identity across runs: match tonight's clusters to the store's themes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["match_themes"]


def match_themes(
    new_centroids: np.ndarray,
    new_members: Sequence[frozenset[str]],
    old_centroids: np.ndarray,
    old_members: Sequence[frozenset[str]],
    *,
    min_similarity: float = 0.80,
    min_overlap: float = 0.30,
) -> list[int | None]:
    """One-to-one matching of new clusters to earlier themes.

    The score of a pair is the mean of the centroids' cosine similarity and
    the Jaccard overlap of their members; a pair is accepted when the
    centroids are at least ``min_similarity`` alike or the members overlap
    by at least ``min_overlap``. The assignment maximises the total score
    (Hungarian algorithm).

    Returns:
        For each new cluster, the index of the earlier theme it continues,
        or None for a new theme.
    """
    from scipy.optimize import linear_sum_assignment

    n, m = len(new_members), len(old_members)
    if n == 0 or m == 0:
        return [None] * n
    cos = np.asarray(new_centroids, dtype=np.float64) @ np.asarray(old_centroids, dtype=np.float64).T
    jac = np.zeros((n, m))
    for i, a in enumerate(new_members):
        if not a:
            continue
        for j, b in enumerate(old_members):
            if b:
                inter = len(a & b)
                if inter:
                    jac[i, j] = inter / len(a | b)
    ok = (cos >= min_similarity) | (jac >= min_overlap)
    score = np.where(ok, 0.5 * cos + 0.5 * jac, -1.0)
    rows, cols = linear_sum_assignment(-score)
    out: list[int | None] = [None] * n
    for r, c in zip(rows, cols):
        if ok[r, c]:
            out[r] = int(c)
    return out
