"""Match themes to strategy statements, calibrated on the corpus itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import re

import numpy as np

from nlp.records import Statement, StatementKind, ThemeMatch

__all__ = [
    "AlignmentParams",
    "Alignment",
    "CorpusBaseline",
    "matching_text",
    "object_text",
    "matching_vectors",
    "corpus_baseline",
    "theme_statement_similarity",
    "align_themes",
    "statements_raised",
    "pool_themes",
    "nearest_statements",
    "align_groups",
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
        strong_floor: a theme also matches its *nearest* statement when their
            similarity reaches this, whatever the z-scores: where every theme
            is in the statement's domain (a food app's strategy over food
            themes) the statement resembles all of them and no theme stands out
            over the others, yet the theme's own best statement at this
            similarity is plainly what it is about.
        strong_corpus_z: the least robust z over the corpus's segments such a
            nearest-statement match needs (a weaker guard than ``min_corpus_z``).
    """

    floor: float = 0.38
    min_z: float = 2.5
    min_corpus_z: float = 3.0
    exemplar_weight: float = 0.5
    strong_floor: float = 0.5
    strong_corpus_z: float = 1.5


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


_GTM_VERB = re.compile(r"^\s*(?:sell|grow|push|promote|expand|increase|boost|drive)\s+(?:more\s+)?", re.IGNORECASE)
_AUDIENCE = re.compile(r"(?:^|\s+)(?:to|among|across|with|for|at|in|into|through|when|where|from)\s+.*$", re.IGNORECASE)


def object_text(statement: Statement) -> str | None:
    """What a go-to-market priority pushes, without the sales verb and the audience.

    "Sell the background-music add-on to open-plan offices" is about "the
    background-music add-on": customers ask for the thing; the verb and the
    audience are the strategy team's words. None for any other statement.
    """
    if statement.kind != StatementKind.PRIORITY:
        return None
    m = _GTM_VERB.match(statement.text)
    if not m:
        return None
    rest = _AUDIENCE.sub("", statement.text[m.end():]).strip(" .;,")
    return rest if rest and rest.casefold() != statement.text.strip().casefold() else None


def matching_vectors(statements: Sequence[Statement],
                     embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Each statement's vector for matching, unit length, one row per statement.

    A statement is embedded by its :func:`matching_text`. A go-to-market
    priority with an :func:`object_text` is embedded by that object too and
    takes the normalised mean of the two: the object is what customers ask
    for, the whole sentence keeps what sets it apart from a bare product name.

    Args:
        embed: texts -> unit vectors (the run's model, through its cache).
    """
    vecs = np.array(embed([matching_text(st) for st in statements]), dtype=np.float32)
    objects = [(j, t) for j, t in ((j, object_text(st)) for j, st in enumerate(statements)) if t]
    if objects:
        extra = np.asarray(embed([t for _, t in objects]), dtype=np.float32)
        for (j, _), v in zip(objects, extra):
            m = vecs[j] + v
            n = float(np.linalg.norm(m))
            if n > 0:
                vecs[j] = m / n
    return vecs


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
    pointing: Sequence[int] | np.ndarray | None = None,
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

    A real theme split into several small clusters (each in its own family)
    splits its raising segments too. With ``pointing`` (per segment, the
    statement its theme is nearest to, see :func:`nearest_statements`;
    negative for none), the raising segments whose theme points at the
    statement are counted together as well, over all families, and the
    larger count is kept: fragments that all point at one statement are one
    group; a statement nobody raises has its leftovers in themes that point
    elsewhere.

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
    pt = None if pointing is None else np.asarray(pointing, dtype=np.int64)
    if pt is not None and len(pt) != len(sims):
        raise ValueError(f"pointing has {len(pt)} entries for {len(sims)} segments")
    out = []
    for j in range(n):
        col = sims[:, j]
        raising = (nearest == j) & (col >= floor) & (z[:, j] >= min_z)
        if g is None:
            count = int(raising.sum())
        else:
            members = g[raising & (g >= 0)]
            count = int(np.bincount(members).max()) if len(members) else 0
        if pt is not None:
            count = max(count, int((raising & (pt == j)).sum()))
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


def pool_themes(
    groups: Sequence[Sequence[int]],
    centroids: np.ndarray,
    exemplar_vectors: Sequence[np.ndarray],
    sizes: Sequence[int],
    key_vectors: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray] | None]:
    """One pooled theme per group of themes: a real theme split into pieces, matched as one.

    The pooled centroid is the size-weighted mean of the members' centroids
    (normalised), its exemplars and key phrases are all of the members'. A
    group of one theme gives back that theme's own vectors, so its similarity
    to the statements is the theme's own.

    Returns:
        (centroids, exemplar vectors, key vectors or None), one per group, for
        :func:`theme_statement_similarity`.
    """
    dim = np.asarray(centroids).shape[1] if len(centroids) else 0
    cents = np.zeros((len(groups), dim), dtype=np.float64)
    exs: list[np.ndarray] = []
    keys: list[np.ndarray] | None = [] if key_vectors is not None else None
    for g, members in enumerate(groups):
        w = np.asarray([max(int(sizes[i]), 1) for i in members], dtype=np.float64)
        c = (np.asarray(centroids, np.float64)[list(members)] * w[:, None]).sum(axis=0)
        n = np.linalg.norm(c)
        cents[g] = c / n if n > 0 else c
        parts = [np.asarray(exemplar_vectors[i]) for i in members if len(exemplar_vectors[i])]
        exs.append(np.vstack(parts) if parts else np.zeros((0, dim)))
        if keys is not None and key_vectors is not None:
            kp = [np.asarray(key_vectors[i]) for i in members if len(key_vectors[i])]
            keys.append(np.vstack(kp) if kp else np.zeros((0, dim)))
    return cents, exs, keys


def nearest_statements(similarity: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Per theme, the statement it is most similar to (-1 below ``floor`` or with no statements)."""
    if similarity.size == 0:
        return np.full(similarity.shape[0], -1, dtype=np.int64)
    best = similarity.argmax(axis=1)
    return np.where(similarity.max(axis=1) >= floor, best, -1).astype(np.int64)


def _robust_z(sim: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Per statement, how unusual each theme's similarity is among all themes (``reference``'s rows)."""
    ref = sim if reference is None else reference
    if ref.shape[0] < 3:
        return np.full_like(sim, np.inf)
    med = np.median(ref, axis=0, keepdims=True)
    mad = np.median(np.abs(ref - med), axis=0, keepdims=True) * 1.4826
    return (sim - med) / np.maximum(mad, 0.03)


def align_themes(
    similarity: np.ndarray,
    statements: Sequence[Statement],
    params: AlignmentParams = AlignmentParams(),
    baseline: CorpusBaseline | None = None,
    reference: np.ndarray | None = None,
) -> Alignment:
    """Decide which themes match which statements, with a confidence.

    A pair matches when its similarity reaches ``params.floor``, stands at
    least ``params.min_z`` robust standard deviations above the similarities
    of all themes to that statement and, given the corpus's ``baseline``, at
    least ``params.min_corpus_z`` above the statement's similarity to a
    typical customer segment. A pair also matches when the statement is the
    theme's nearest and their similarity reaches ``params.strong_floor``
    (with corpus z at least ``params.strong_corpus_z``; only given a
    ``baseline``): see :class:`AlignmentParams`. A theme's best match is its most similar
    matching statement. Confidence (0.5 to 1 for a match, 0 otherwise) grows
    with the smallest of the margins, each measured in its own unit.

    ``reference`` (themes by statements) gives the distribution the z-scores
    are taken over, when ``similarity``'s rows are not the run's themes
    themselves (pooled themes, see :func:`pool_themes`).
    """
    z = _robust_z(similarity, reference)
    matched = (similarity >= params.floor) & (z >= params.min_z)
    strong = np.zeros_like(matched)
    if similarity.size and baseline is not None:  # only the corpus can say the statement is not generic
        strong[np.arange(similarity.shape[0]), similarity.argmax(axis=1)] = True
        strong &= similarity >= params.strong_floor
    cz = None
    margins = [np.clip((similarity - params.floor) / 0.2, 0, 1), np.clip((np.minimum(z, 10) - params.min_z) / 4, 0, 1)]
    if baseline is not None and similarity.size:
        cz = (similarity - baseline.median[None, :]) / baseline.spread[None, :]
        matched &= cz >= params.min_corpus_z
        strong &= cz >= params.strong_corpus_z
        margins.append(np.clip((cz - params.min_corpus_z) / 4, 0, 1))
    conf = np.where(matched, 0.5 + 0.5 * (0.5 * np.minimum.reduce(margins) + 0.5 * np.mean(margins, axis=0)), 0.0)
    # a nearest-statement match stands on its similarity alone: the least confidence a match has
    conf = np.where(strong & ~matched, 0.5, conf)
    matched = matched | strong
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


def align_groups(
    groups: Sequence[Sequence[int]],
    centroids: np.ndarray,
    exemplar_vectors: Sequence[np.ndarray],
    sizes: Sequence[int],
    statement_vectors: np.ndarray,
    statements: Sequence[Statement],
    reference: np.ndarray,
    params: AlignmentParams = AlignmentParams(),
    baseline: CorpusBaseline | None = None,
    key_vectors: Sequence[np.ndarray] | None = None,
) -> Alignment:
    """Match groups of themes (families, or a family's rising members) pooled into one theme each.

    Each group is pooled (:func:`pool_themes`), its similarity to the
    statements taken as a theme's is (:func:`theme_statement_similarity`), and
    it is matched by :func:`align_themes` with z-scores over ``reference``, the
    run's themes by statements: a pooled theme must stand out among the run's
    themes as a theme would. An empty group list gives an empty alignment.
    """
    n = len(statement_vectors)
    if not groups:
        empty = np.zeros((0, n))
        return Alignment(similarity=empty, z=empty, matched=np.zeros((0, n), dtype=bool), best=(),
                         corpus_z=None if baseline is None else empty, confidence=empty)
    cents, exs, keys = pool_themes(groups, centroids, exemplar_vectors, sizes, key_vectors)
    sim = theme_statement_similarity(cents, exs, statement_vectors, exemplar_weight=params.exemplar_weight,
                                     key_vectors=keys)
    return align_themes(sim, statements, params, baseline=baseline, reference=reference)
