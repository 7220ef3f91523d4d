"""Theme identity across runs: match tonight's clusters to the store's themes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["match_themes", "keep_previous_assignments"]


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
    (Hungarian algorithm). Centroids of another dimension come from another
    embedding model (``embed.model`` changed): they cannot be compared, so
    such pairs are matched on their members alone.

    Returns:
        For each new cluster, the index of the earlier theme it continues,
        or None for a new theme.
    """
    from scipy.optimize import linear_sum_assignment

    n, m = len(new_members), len(old_members)
    if n == 0 or m == 0:
        return [None] * n
    new_c, old_c = np.asarray(new_centroids, dtype=np.float64), np.asarray(old_centroids, dtype=np.float64)
    cos = new_c @ old_c.T if new_c.shape[1:] == old_c.shape[1:] else np.zeros((n, m))
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


def keep_previous_assignments(
    labels: np.ndarray,
    vectors: np.ndarray,
    previous: np.ndarray,
    match: Sequence[int | None],
    *,
    margin: float = 0.05,
) -> np.ndarray:
    """Keep a segment in the theme it had last run unless tonight's is materially better.

    Re-clustering a corpus that grew by a week moves some border segments
    between themes for no reason but the new points; left alone, that churn
    makes themes look as if they split or merged. A segment that last run
    belonged to an earlier theme which continues tonight (matched to cluster
    ``h``) and now sits in another cluster ``c`` goes back to ``h`` unless its
    cosine to ``c``'s centroid beats its cosine to ``h``'s by more than
    ``margin``. Noise stays noise; new segments keep tonight's cluster.

    Args:
        labels: tonight's cluster per row, -1 for noise; clusters 0..k-1.
        vectors: the rows' L2-normalised embeddings.
        previous: per row, the index of the earlier theme it belonged to, or -1.
        match: for each cluster, the earlier theme it continues (from
            :func:`match_themes`), or None.
        margin: how much closer (cosine) tonight's cluster must be to win.

    Returns:
        A new label array (the input is not changed).
    """
    labels = np.asarray(labels)
    out = labels.copy()
    home_of = {int(o): c for c, o in enumerate(match) if o is not None}
    if not home_of or len(labels) == 0:
        return out
    k = len(match)
    x = np.asarray(vectors, dtype=np.float64)
    cents = np.zeros((k, x.shape[1]))
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        if idx.size:
            v = x[idx].sum(axis=0)
            cents[c] = v / max(float(np.linalg.norm(v)), 1e-12)
    for i in np.flatnonzero((labels >= 0) & (np.asarray(previous) >= 0)):
        home = home_of.get(int(previous[i]))
        now = int(labels[i])
        if home is None or home == now:
            continue
        if float(x[i] @ cents[now]) - float(x[i] @ cents[home]) <= margin:
            out[i] = home
    return out
