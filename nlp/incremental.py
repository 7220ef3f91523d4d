"""Grow last run's themes with tonight's new segments instead of clustering everything again.

Pure: vectors and last run's labels in, labels out. A nightly run on a long
history adds a sliver of new segments; clustering the whole history again
costs the same every night. Here the segments that were themed last run keep
their theme, and the rest (new segments, and last run's noise) are placed:

  1. A segment joins the nearest theme when it is as close to that theme's
     centre as the theme's own members usually are (at least the
     ``member_quantile`` of their cosines to the centre, and at least
     ``assign_threshold``): it is clearly one of them.
  2. The segments left are clustered among themselves with
     :func:`nlp.cluster.cluster_embeddings`, centred on the whole corpus's mean
     as a full run would be: a need that no theme holds forms a new theme
     here, so emergence is not hidden by the shortcut.
  3. A segment still left joins its nearest theme when its cosine reaches
     ``assign_threshold`` (the full clusterer's own rule for noise), else it
     stays noise and is tried again next run.

Callers decide when this is sound (few new segments, the same settings and
model, a full clustering not long ago): see ``pipelines.mine.find_themes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.cluster import (
    DEFAULT_ASSIGN_THRESHOLD,
    DEFAULT_MERGE_MIXING,
    DEFAULT_PIECE_SPREAD,
    cluster_embeddings,
    group_sums,
)

__all__ = ["Extension", "extend_clusters", "join_themes"]

# Rows per block when comparing segments with theme centres.
_BLOCK = 8192


@dataclass(frozen=True)
class Extension:
    """Labels after growing the previous clusters, with what happened to the rest."""

    labels: np.ndarray  # previous clusters keep their numbers; new clusters follow them
    joined: int  # unthemed segments that joined a previous cluster
    new_clusters: int
    in_new_clusters: int
    noise: int


def extend_clusters(
    vectors: np.ndarray,
    previous: np.ndarray,
    texts: Sequence[str] | None = None,
    *,
    min_cluster_size: int = 5,
    seed: int = 0,
    granularity: float | None = None,
    assign_threshold: float | None = None,
    member_quantile: float = 0.1,
    merge_mixing: float | None = DEFAULT_MERGE_MIXING,
    piece_spread: float | None = DEFAULT_PIECE_SPREAD,
    projection: np.ndarray | None = None,
    reference_mean_norm: float | None = None,
) -> Extension:
    """Place the unlabelled rows of ``previous`` (``-1``) among its clusters or into new ones.

    Args:
        vectors: L2-normalised embeddings, one row per segment.
        previous: last run's cluster per row, ``0..k-1``, or ``-1`` for a row
            with none (a new segment, or last run's noise).
        texts: the rows' texts, for the clusterer's word view of the rest.
        min_cluster_size, seed, granularity, merge_mixing, piece_spread, projection, reference_mean_norm: passed
            to the clusterer for the rest (centred on all rows, so the cut is scaled by the whole corpus).
        assign_threshold: least cosine to a cluster's centre to join it (None:
            the clusterer's default).
        member_quantile: a row joins a cluster outright when at least as close
            to its centre as this quantile of the cluster's members.

    Returns:
        An :class:`Extension`; deterministic for a given seed.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    previous = np.asarray(previous, dtype=np.int64)
    if vectors.ndim != 2 or previous.shape != (vectors.shape[0],):
        raise ValueError("vectors must be (n, d) and previous (n,)")
    threshold = DEFAULT_ASSIGN_THRESHOLD if assign_threshold is None else assign_threshold
    labels = previous.copy()
    k = int(previous.max()) + 1 if previous.size and previous.max() >= 0 else 0
    rest = np.flatnonzero(previous < 0)
    if rest.size == 0:
        return Extension(labels, 0, 0, 0, 0)

    joined = 0
    best = np.zeros(rest.size, dtype=np.int64)
    best_sim = np.full(rest.size, -np.inf, dtype=np.float32)
    if k:
        best, best_sim, clear = _clear_matches(vectors, previous, rest, k, member_quantile, threshold)
        labels[rest[clear]] = best[clear]
        joined += int(clear.sum())
        rest, best, best_sim = rest[~clear], best[~clear], best_sim[~clear]

    new_clusters = in_new = 0
    if rest.size >= min_cluster_size:
        kwargs: dict = {"min_cluster_size": min_cluster_size, "seed": seed, "merge_mixing": merge_mixing,
                        "piece_spread": piece_spread, "projection": projection,
                        "reference_mean_norm": reference_mean_norm}
        if assign_threshold is not None:
            kwargs["assign_threshold"] = assign_threshold
        if granularity is not None:
            kwargs["granularity"] = granularity
        sub = cluster_embeddings(vectors[rest], texts=[texts[i] for i in rest] if texts is not None else None,
                                 centre=vectors.mean(axis=0, dtype=np.float64), **kwargs)
        formed = sub >= 0
        labels[rest[formed]] = k + sub[formed]
        new_clusters = int(sub.max()) + 1 if formed.any() else 0
        in_new = int(formed.sum())
        rest, best, best_sim = rest[~formed], best[~formed], best_sim[~formed]
    if k and rest.size:
        near = best_sim >= threshold
        labels[rest[near]] = best[near]
        joined += int(near.sum())
        rest = rest[~near]
    return Extension(labels, joined, new_clusters, in_new, int(rest.size))


def join_themes(
    vectors: np.ndarray,
    labels: np.ndarray,
    rows: np.ndarray,
    *,
    assign_threshold: float | None = None,
    member_quantile: float = 0.1,
) -> np.ndarray:
    """Let some unthemed rows join the nearest theme when clearly one of its members; they found none.

    The rule of :func:`extend_clusters`'s first step: a row joins the theme
    whose centre (the mean of its members) is nearest when it is at least as
    close to that centre as the ``member_quantile`` of the theme's own members
    are, and at least ``assign_threshold``. For rows that say too little to
    found a theme of their own (a note of one content word,
    :func:`nlp.text.is_thin_note`) but can be recognised among one.

    Args:
        vectors: L2-normalised embeddings, one row per segment.
        labels: cluster per row, ``0..k-1``, or ``-1``; the theme centres come
            from the labelled rows.
        rows: indices of the rows to place; each must be unlabelled (``-1``).
        assign_threshold: least cosine to a theme's centre (None: the
            clusterer's default).
        member_quantile: see above.

    Returns:
        A new label array: ``labels`` with the rows that join set to their
        theme; the rest stay ``-1``. Never a new theme.

    Raises:
        ValueError: if the shapes differ, or a row to place already has a theme.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    if vectors.ndim != 2 or labels.shape != (vectors.shape[0],):
        raise ValueError(f"vectors must be (n, d) and labels (n,). Got {vectors.shape} and {labels.shape}.")
    if rows.size and (labels[rows] >= 0).any():
        raise ValueError("rows to place must be unlabelled (-1); a themed row keeps its theme.")
    out = labels.copy()
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    if k == 0 or rows.size == 0:
        return out
    threshold = DEFAULT_ASSIGN_THRESHOLD if assign_threshold is None else assign_threshold
    best, _, clear = _clear_matches(vectors, labels, rows, k, member_quantile, threshold)
    out[rows[clear]] = best[clear]
    return out


def _clear_matches(vectors: np.ndarray, labels: np.ndarray, rows: np.ndarray, k: int, member_quantile: float,
                   threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row: nearest theme, cosine to its centre, and whether it is as near as the theme's members."""
    member = labels >= 0
    sums = group_sums(vectors, np.where(member, labels, k), k + 1)[:-1]  # non-members: a row dropped
    centres = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(np.float32)
    own = np.einsum("ij,ij->i", vectors[member], centres[labels[member]])
    order = np.argsort(labels[member], kind="stable")
    grouped = np.split(own[order], np.cumsum(np.bincount(labels[member], minlength=k))[:-1])
    usual = np.array([np.quantile(g, member_quantile) if g.size else 1.0 for g in grouped], dtype=np.float32)
    best, best_sim = _nearest(vectors[rows], centres)
    return best, best_sim, best_sim >= np.maximum(usual[best], threshold)


def _nearest(x: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best = np.empty(x.shape[0], dtype=np.int64)
    sim = np.empty(x.shape[0], dtype=np.float32)
    for start in range(0, x.shape[0], _BLOCK):
        s = x[start:start + _BLOCK] @ centres.T
        best[start:start + _BLOCK] = s.argmax(axis=1)
        sim[start:start + _BLOCK] = s.max(axis=1)
    return best, sim
