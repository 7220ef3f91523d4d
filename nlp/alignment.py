"""Match themes to strategy statements, calibrated on the corpus itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import re

import numpy as np

from nlp.records import Statement, StatementKind, ThemeMatch

__all__ = [
    "AlignmentParams",
    "Alignment",
    "CorpusBaseline",
    "matching_text",
    "corpus_baseline",
    "theme_statement_similarity",
    "align_themes",
    "statements_raised",
]

_REFUSAL = re.compile(
    r"^\s*(?:we|our\s+company|the\s+company)\s+(?:do\s+not|don['\u2019]t|does\s+not|will\s+not|won['\u2019]t|"
    r"never|no\s+longer|are\s+not|aren['\u2019]t)\s+(?:(?:offer|build|pursue|handle|give|sell|serve|support|"
    r"provide|do|make|target|manage|go\s+after|compete\s+(?:in|for|on)|work\s+with|in)\s+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AlignmentParams:
    """How themes are matched to statements.

    Attributes:
        floor: the least similarity a match may have, whatever the corpus.
        min_z: how far above the corpus's typical theme-to-statement
            similarity (robust z-score over all themes) a match must stand.
        min_corpus_z: how far above the statement's similarity to a typical
            customer segment (robust z-score over the corpus's segments) a
            match must stand: a statement that resembles everything matches nothing.
        exemplar_weight: the weight of the exemplars' best similarity against
            the centroid's in a theme's similarity to a statement.
    """

    floor: float = 0.38
    min_z: float = 2.5
    min_corpus_z: float = 3.0
    exemplar_weight: float = 0.5


@dataclass(frozen=True)
class Alignment:
    """Themes by statements: similarities, z-scores, and which pairs match."""

    similarity: np.ndarray  # (themes, statements)
    z: np.ndarray  # (themes, statements): against all themes
    matched: np.ndarray  # bool (themes, statements)
    best: tuple[ThemeMatch | None, ...]  # per theme
    corpus_z: np.ndarray | None = None  # (themes, statements): against the corpus's segments
    confidence: np.ndarray | None = None  # (themes, statements), 0 where not matched


@dataclass(frozen=True)
class CorpusBaseline:
    """How similar a typical customer segment is to each statement (median and robust spread)."""

    median: np.ndarray  # (statements,)
    spread: np.ndarray  # (statements,), 1.4826 x MAD, at least 0.03


def matching_text(statement: Statement) -> str:
    """The text a statement is embedded by for matching.

    A refusal ("We do not offer on-premise deployments") is matched by what it
    refuses ("on-premise deployments"): customers ask for the thing, they do
    not say the negation, and the negation's words only blur the vector.
    """
    if statement.kind != StatementKind.NON_TARGET:
        return statement.text
    rest = _REFUSAL.sub("", statement.text, count=1).strip()
    return rest if len(rest.split()) >= 1 and rest != statement.text.strip() else statement.text


def corpus_baseline(segment_vectors: np.ndarray, statement_vectors: np.ndarray) -> CorpusBaseline:
    """The distribution of each statement's similarity over the corpus's customer segments."""
    n = len(statement_vectors)
    if len(segment_vectors) == 0 or n == 0:
        return CorpusBaseline(np.zeros(n), np.full(n, 0.03))
    sims = np.asarray(segment_vectors, np.float32) @ np.asarray(statement_vectors, np.float32).T
    med = np.median(sims, axis=0)
    mad = np.median(np.abs(sims - med), axis=0) * 1.4826
    return CorpusBaseline(med.astype(np.float64), np.maximum(mad, 0.03).astype(np.float64))


def statements_raised(
    segment_vectors: np.ndarray,
    statement_vectors: np.ndarray,
    *,
    floor: float = 0.3,
    min_z: float = 2.0,
    baseline: CorpusBaseline | None = None,
    top: int = 3,
    groups: Sequence[int] | np.ndarray | None = None,
) -> list[tuple[int, list[int]]]:
    """How many customer segments raise each statement, as one group, and the closest ones.

    A segment raises a statement when that statement is the nearest of all
    statements to it, its similarity reaches ``floor`` and it stands at least
    ``min_z`` robust standard deviations above the statement's similarity to
    a typical segment (the tail of the statement's own distribution, not its
    bulk): a statement worded like everything is raised by nothing.

    A statement customers raise has a tail of closer segments that hang
    together: they share a topic, so they sit in one theme. The segments that
    come closest to a statement nobody raises are scattered leftovers, one or
    two per theme. With ``groups`` (a group number per segment, e.g. its theme
    family; negative for none), the count is that of the group holding the
    most raising segments, and segments in no group do not count.

    Returns:
        Per statement, (segments raising it, in its best group when ``groups``
        is given; indices of the ``top`` closest segments).
    """
    n = len(statement_vectors)
    if len(segment_vectors) == 0 or n == 0:
        return [(0, []) for _ in range(n)]
    sims = np.asarray(segment_vectors, np.float32) @ np.asarray(statement_vectors, np.float32).T
    base = baseline or corpus_baseline(segment_vectors, statement_vectors)
    z = (sims - base.median) / base.spread
    nearest = sims.argmax(axis=1)
    g = None if groups is None else np.asarray(groups, dtype=np.int64)
    if g is not None and len(g) != len(sims):
        raise ValueError(f"groups has {len(g)} entries for {len(sims)} segments")
    out = []
    for j in range(n):
        col = sims[:, j]
        raising = (nearest == j) & (col >= floor) & (z[:, j] >= min_z)
        if g is None:
            count = int(raising.sum())
        else:
            members = g[raising & (g >= 0)]
            count = int(np.bincount(members).max()) if len(members) else 0
        out.append((count, [int(i) for i in np.argsort(-col, kind="stable")[:top]]))
    return out


def theme_statement_similarity(
    centroids: np.ndarray,
    exemplar_vectors: Sequence[np.ndarray],
    statement_vectors: np.ndarray,
    *,
    exemplar_weight: float = 0.5,
    key_vectors: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Similarity of each theme to each statement.

    A blend of the centroid's cosine and the mean of the two best exemplar
    cosines, so a theme's sharpest phrasings count as well as its average.
    With ``key_vectors`` (per theme, its key phrases embedded: label,
    keywords), the best key phrase's cosine joins the blend with the same
    weight as the centroid and the exemplars together count: what the
    theme is *about*, as words, next to how its segments read.
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
    blend = (1 - exemplar_weight) * cen + exemplar_weight * ex
    if key_vectors is None:
        return blend
    key = blend.copy()
    for i, vecs in enumerate(key_vectors):
        if len(vecs):
            key[i] = (np.asarray(vecs, np.float64) @ np.asarray(statement_vectors, np.float64).T).max(axis=0)
    return (2 * blend + key) / 3


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
    baseline: CorpusBaseline | None = None,
) -> Alignment:
    """Decide which themes match which statements, with a confidence.

    A pair matches when its similarity reaches ``params.floor``, stands at
    least ``params.min_z`` robust standard deviations above the similarities
    of all themes to that statement and, given the corpus's ``baseline``, at
    least ``params.min_corpus_z`` above the statement's similarity to a
    typical customer segment. A theme's best match is its most similar
    matching statement. Confidence (0.5 to 1 for a match, 0 otherwise) grows
    with the smallest of the margins, each measured in its own unit.
    """
    z = _robust_z(similarity)
    matched = (similarity >= params.floor) & (z >= params.min_z)
    cz = None
    margins = [np.clip((similarity - params.floor) / 0.2, 0, 1), np.clip((np.minimum(z, 10) - params.min_z) / 4, 0, 1)]
    if baseline is not None and similarity.size:
        cz = (similarity - baseline.median[None, :]) / baseline.spread[None, :]
        matched &= cz >= params.min_corpus_z
        margins.append(np.clip((cz - params.min_corpus_z) / 4, 0, 1))
    conf = np.where(matched, 0.5 + 0.5 * (0.5 * np.minimum.reduce(margins) + 0.5 * np.mean(margins, axis=0)), 0.0)
    best: list[ThemeMatch | None] = []
    for i in range(similarity.shape[0]):
        cand = np.flatnonzero(matched[i])
        if len(cand) == 0:
            best.append(None)
            continue
        j = int(cand[np.argmax(similarity[i, cand])])
        st = statements[j]
        best.append(ThemeMatch(statement_id=st.id, kind=st.kind,
                               similarity=round(float(similarity[i, j]), 4),
                               confidence=round(float(conf[i, j]), 4)))
    return Alignment(similarity=similarity, z=z, matched=matched, best=tuple(best), corpus_z=cz,
                     confidence=conf)
