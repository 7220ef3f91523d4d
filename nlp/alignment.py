"""Match themes to strategy statements, calibrated on the corpus itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.records import Statement, ThemeMatch

__all__ = ["AlignmentParams", "Alignment", "theme_statement_similarity", "align_themes"]


@dataclass(frozen=True)
class AlignmentParams:
    """How themes are matched to statements.

    Attributes:
        floor: the least similarity a match may have, whatever the corpus.
        min_z: how far above the corpus's typical theme-to-statement
            similarity (robust z-score over all themes) a match must stand.
        exemplar_weight: the weight of the exemplars' best similarity against
            the centroid's in a theme's similarity to a statement.
    """

    floor: float = 0.40
    min_z: float = 2.5
    exemplar_weight: float = 0.5


@dataclass(frozen=True)
class Alignment:
    """Themes by statements: similarities, z-scores, and which pairs match."""

    similarity: np.ndarray  # (themes, statements)
    z: np.ndarray  # (themes, statements)
    matched: np.ndarray  # bool (themes, statements)
    best: tuple[ThemeMatch | None, ...]  # per theme


def theme_statement_similarity(
    centroids: np.ndarray,
    exemplar_vectors: Sequence[np.ndarray],
    statement_vectors: np.ndarray,
    *,
    exemplar_weight: float = 0.5,
) -> np.ndarray:
    """Similarity of each theme to each statement.

    A blend of the centroid's cosine and the mean of the two best exemplar
    cosines, so a theme's sharpest phrasings count as well as its average.
    """
    k, n = len(centroids), len(statement_vectors)
    if k == 0 or n == 0:
        return np.zeros((k, n), dtype=np.float64)
    cen = np.asarray(centroids, np.float64) @ np.asarray(statement_vectors, np.float64).T
    ex = np.zeros_like(cen)
    for i, vecs in enumerate(exemplar_vectors):
        if len(vecs) == 0:
            ex[i] = cen[i]
            continue
        sims = np.sort(np.asarray(vecs, np.float64) @ np.asarray(statement_vectors, np.float64).T, axis=0)
        ex[i] = sims[-2:].mean(axis=0)
    return (1 - exemplar_weight) * cen + exemplar_weight * ex


def _robust_z(sim: np.ndarray) -> np.ndarray:
    """Per statement, how unusual each theme's similarity is among all themes."""
    if sim.shape[0] < 3:
        return np.full_like(sim, np.inf)
    med = np.median(sim, axis=0, keepdims=True)
    mad = np.median(np.abs(sim - med), axis=0, keepdims=True) * 1.4826
    return (sim - med) / np.maximum(mad, 0.03)


def align_themes(
    similarity: np.ndarray,
    statements: Sequence[Statement],
    params: AlignmentParams = AlignmentParams(),
) -> Alignment:
    """Decide which themes match which statements, with a confidence.

    A pair matches when its similarity reaches ``params.floor`` and stands at
    least ``params.min_z`` robust standard deviations above the similarities
    of all themes to that statement. A theme's best match is its most
    similar matching statement; its confidence grows with both margins.
    """
    z = _robust_z(similarity)
    matched = (similarity >= params.floor) & (z >= params.min_z)
    best: list[ThemeMatch | None] = []
    for i in range(similarity.shape[0]):
        cand = np.flatnonzero(matched[i])
        if len(cand) == 0:
            best.append(None)
            continue
        j = int(cand[np.argmax(similarity[i, cand])])
        zc = float(min(z[i, j], 10.0))
        conf = float(np.clip((similarity[i, j] - params.floor) / 0.2, 0, 1) * 0.5
                     + np.clip((zc - params.min_z) / 4.0, 0, 1) * 0.5)
        st = statements[j]
        best.append(ThemeMatch(statement_id=st.id, kind=st.kind,
                               similarity=round(float(similarity[i, j]), 4),
                               confidence=round(0.5 + 0.5 * conf, 4)))
    return Alignment(similarity=similarity, z=z, matched=matched, best=tuple(best))
