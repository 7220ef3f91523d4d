"""Group sentence embeddings into themes.

Pure: an array of L2-normalised vectors (and, optionally, the texts) in, one
integer label per vector out (``-1`` for noise). No IO, no global state.

Method:
  1. Centre the vectors on their mean and re-normalise: what every sentence of
     a corpus shares (it is a sales call, it is English) stops dominating the
     cosine.
  2. Ward clustering of the centred vectors (of a seeded sample of at most
     ``_WARD_MAX`` of them on large inputs), each first moved toward its five
     nearest neighbours (two rounds of averaging, ``_smooth``), cut where the
     mean squared distance of a (smoothed) point to its cluster centroid
     reaches ``granularity``. That mean is a per-point figure, so the same
     ``granularity`` gives the same kind of cluster at 1k or 100k points.
     Smoothing pulls the loose wordings of a need toward its dense core: within
     one company's domain, where needs lie close and are worded loosely, the
     tree then cuts fewer needs in pieces.
  3. Spherical k-means refinement on all points from the Ward centroids (clusters
     of at least ``min_cluster_size``), which mends Ward's greedy merges. With
     ``texts``, each point also carries its L2-normalised TF-IDF vector with
     weight ``text_weight``: words the embedding misses help decide borders.
  4. A point whose cosine to the centroid of the other members of its cluster
     (original vectors) is below ``assign_threshold`` becomes noise; so do clusters left with fewer than
     ``min_cluster_size`` members.
  5. Pieces of one theme are joined: the cut in 2 is a spread, and a need that
     people word loosely (within one product's domain most are) spreads wider
     than it, so Ward cuts it in pieces that lie against each other. Two
     clusters whose members' nearest neighbours cross between them, both ways
     (``merge_mixing``), are one theme; then 3 and 4 run again from the joined
     clusters. Distinct needs, however close, keep their neighbours at home.
  6. Clusters are numbered 0..k-1 by decreasing size, ties by smallest member index.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

__all__ = [
    "CLUSTER_RULE",
    "MAX_SCALED_GRANULARITY",
    "scaled_granularity",
    "DEFAULT_GRANULARITY",
    "DEFAULT_ASSIGN_THRESHOLD",
    "DEFAULT_TEXT_WEIGHT",
    "DEFAULT_MERGE_MIXING",
    "DEFAULT_PIECE_SPREAD",
    "cluster_embeddings",
]

logger = logging.getLogger(__name__)

#: Version of what clustering does with a corpus; a store whose last run clustered under another
#: version clusters in full on its next run instead of growing last run's themes (pipelines.mine).
#: v7: Ward's points smoothed toward their neighbours (seventh session).
#: v8: halves of one large need, split by Ward's cut, are put back together (piece_spread, eighth session).
CLUSTER_RULE = "cluster.v8"
#: Mean squared distance of a (centred, smoothed, normalised) point to its theme
#: centroid at which the Ward tree is cut; lower gives more, tighter themes.
#: Chosen on CLINC150 validation and its one-domain and Zipf-sized shapes (see
#: evaluation/README.md); 0.48 before smoothing (sixth session). A model may take its own
#: (``nlp.embed.ModelSpec.granularity``): MiniLM 0.23 on the mean of each text's own tokens.
DEFAULT_GRANULARITY = 0.24
#: Minimum cosine between a point and the centroid of the rest of its theme;
#: below it the point is noise.
DEFAULT_ASSIGN_THRESHOLD = 0.3
#: Weight of the TF-IDF word vector beside the embedding in the refinement (texts given).
DEFAULT_TEXT_WEIGHT = 0.5

#: Least mingling of two clusters for them to be one theme: the geometric mean of
#: the shares of each one's nearest-neighbour links (each member's
#: ``_MERGE_NEIGHBOURS`` nearest, fewer in a smaller cluster) that lead into the
#: other. Chosen on CLINC150 (validation, its single-domain subsets and
#: Zipf-sized samples) and the bundled sample (see evaluation/README.md).
DEFAULT_MERGE_MIXING = 0.1
#: Two sibling clusters of the Ward tree above the cut are one when merging them raises the mean
#: squared distance of their points to their centroid by at most this, per point (``_cut_tree``).
#: Chosen on CLINC150 (eighth session, evaluation/README.md): the largest value at which validation
#: (3,000 points) and train (15,000, Ward on a 6,000 sample) score no worse, with MiniLM; larger
#: values mend one domain's large needs further but join distinct needs at 15k. A model may have
#: its own (``nlp.embed.ModelSpec.piece_spread``).
DEFAULT_PIECE_SPREAD = 0.06

# Ward's points are each moved toward this many nearest neighbours, this many rounds (_smooth).
_SMOOTH_NEIGHBOURS = 5
_SMOOTH_ROUNDS = 2
# Nearest neighbours per point that the merge step reads.
_MERGE_NEIGHBOURS = 10
# Ward runs on at most this many points (O(n^2) memory: 6000 -> ~150 MB).
_WARD_MAX = 6000
# Halves of a cut cluster whose centroids are further apart than this (cosine
# distance, centred vectors) stay separate clusters.
_SPLIT_DISTANCE = 0.9
# Spherical k-means refinement iterations (stops earlier when nothing moves).
_REFINE_ITERATIONS = 20
# Rows per block when comparing points with centroids.
_BLOCK = 8192


def cluster_embeddings(
    vectors: np.ndarray,
    *,
    texts: Sequence[str] | None = None,
    min_cluster_size: int = 5,
    granularity: float = DEFAULT_GRANULARITY,
    assign_threshold: float = DEFAULT_ASSIGN_THRESHOLD,
    text_weight: float = DEFAULT_TEXT_WEIGHT,
    seed: int = 0,
    centre: np.ndarray | None = None,
    merge_mixing: float | None = DEFAULT_MERGE_MIXING,
    piece_spread: float | None = DEFAULT_PIECE_SPREAD,
    projection: np.ndarray | None = None,
    reference_mean_norm: float | None = None,
) -> np.ndarray:
    """Cluster L2-normalised embeddings into themes.

    Args:
        vectors: float array of shape (n, d), each row L2-normalised.
        texts: the n texts the vectors embed; when given, their words help the
            refinement step. None clusters on the vectors alone.
        min_cluster_size: clusters with fewer members than this become noise.
        granularity: mean squared distance of a point to its cluster centroid
            (centred, normalised vectors) at which clustering stops merging,
            in (0, 1). Lower values give more, tighter clusters.
        assign_threshold: a point stays in its cluster only when its cosine to
            the centroid of the cluster's other members is at least this;
            -1 keeps every point.
        text_weight: weight of the TF-IDF vector of a text beside its embedding;
            0 ignores ``texts``.
        seed: seed of the sample Ward runs on when n exceeds its limit.
        centre: the mean vector to centre on; None: these vectors' own mean.
            Clustering a part of a corpus (one new need among last run's
            leftovers), pass the whole corpus's mean: a part's own mean sits
            inside its one cluster and would scatter it.
        merge_mixing: two clusters become one when the geometric mean of the
            shares of each one's members' nearest-neighbour links that lead
            into the other is at least this, in (0, 1]; None never joins clusters.
        piece_spread: two sibling clusters of the cut Ward tree become one when
            merging them raises the mean squared distance of their points to
            their centroid by at most this, per point, in (0, 1); None never.
            Ward's cut counts the whole increase, which grows with the clusters'
            sizes, so it splits a large need in halves long before it joins two
            small distinct ones; per point, the size no longer counts.
        projection: a (d, k) map (``nlp.intent_space``): the tree, the refinement
            and the joining of pieces read the centred vectors through it, and
            ``assign_threshold`` the vectors as they are. None: as they are throughout.
        reference_mean_norm: the length of the mean vector of the corpus ``granularity``
            was chosen on (``nlp.embed.ModelSpec.reference_mean_norm``: CLINC150 val, ten
            domains). Given, the cut follows how much of each vector this corpus
            shares (:func:`scaled_granularity`): in one company's domain the vectors
            share more, a need's wordings spread wider once that is taken out, and
            the same cut would split each need. None: ``granularity`` as given.

    Returns:
        An int64 array of length n: -1 for noise, else a cluster id in 0..k-1,
        numbered by decreasing cluster size (ties: smallest member index first).

    Raises:
        ValueError: if ``vectors`` is not 2-d or holds non-finite values,
            ``texts`` has another length, or a parameter is out of range.
    """
    x = _check_vectors(vectors)
    n = x.shape[0]
    if min_cluster_size < 1:
        raise ValueError(f"min_cluster_size must be at least 1. Got {min_cluster_size}.")
    if not 0.0 < granularity < 1.0:
        raise ValueError(
            "granularity is a mean squared distance of unit vectors and must lie "
            f"in (0, 1). Got {granularity}."
        )
    if text_weight < 0:
        raise ValueError(f"text_weight must be 0 or more. Got {text_weight}.")
    if merge_mixing is not None and not 0.0 < merge_mixing <= 1.0:
        raise ValueError(
            "merge_mixing is a share of neighbour links and must lie in (0, 1], or be None "
            f"to never join clusters. Got {merge_mixing}."
        )
    if piece_spread is not None and not 0.0 < piece_spread < 1.0:
        raise ValueError(
            "piece_spread is a mean squared distance of unit vectors and must lie in (0, 1), or be None "
            f"to never join halves. Got {piece_spread}."
        )
    if reference_mean_norm is not None and not 0.0 <= reference_mean_norm < 1.0:
        raise ValueError(
            "reference_mean_norm is the length of a mean of unit vectors and must lie in [0, 1), or be None. "
            f"Got {reference_mean_norm}."
        )
    if texts is not None and len(texts) != n:
        raise ValueError(
            f"texts must hold one text per vector: got {len(texts)} texts for {n} vectors."
        )
    if projection is not None:
        projection = np.asarray(projection, dtype=np.float32)
        if projection.ndim != 2 or projection.shape[0] != x.shape[1] or not np.isfinite(projection).all():
            raise ValueError(
                f"projection must be a finite ({x.shape[1]}, k) map for {x.shape[1]}-d vectors. Got shape "
                f"{projection.shape}; load the map of the model that made the vectors (nlp.intent_space)."
            )
    if n == 0 or n < min_cluster_size:
        return np.full(n, -1, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)

    mean = (x.mean(axis=0, dtype=np.float64) if centre is None else np.asarray(centre, dtype=np.float64)).astype(np.float32)
    z = _unit(x - mean) if projection is None else _unit((x - mean) @ projection)
    if reference_mean_norm is not None:
        granularity = scaled_granularity(granularity, reference_mean_norm, float(np.linalg.norm(mean)))
    labels = _ward_cut(z, granularity, seed, piece_spread)
    words = None
    if texts is not None and text_weight > 0:
        words = _word_vectors(texts)
    labels = _refine(z, words, text_weight, labels, min_cluster_size)
    labels = _drop_far(x, labels, assign_threshold)
    labels = _drop_small(labels, min_cluster_size)
    if merge_mixing is not None:
        joined = _join_mingled(z, labels, merge_mixing, seed)
        if joined is not None:
            labels = _refine(z, words, text_weight, joined, min_cluster_size)
            labels = _drop_far(x, labels, assign_threshold)
            labels = _drop_small(labels, min_cluster_size)
    return _renumber_by_size(labels)


#: The most :func:`scaled_granularity` gives: a corpus of near-copies would otherwise get a cut of 1 or more.
MAX_SCALED_GRANULARITY = 0.6


def scaled_granularity(granularity: float, reference_mean_norm: float, mean_norm: float) -> float:
    """The cut for a corpus whose mean vector is ``mean_norm`` long, where ``granularity`` suits one whose
    mean is ``reference_mean_norm`` long.

    Unit vectors x = m + r share their corpus mean m; centred and normalised, each is r / |r|, and |r|^2
    averages 1 - |m|^2. A need's spread around its own centre is scaled by the same 1 / |r|, so its mean
    squared distance there, which is what the cut reads, grows by (1 - R0^2) / (1 - |m|^2) from a corpus
    with mean length R0 to this one. No constant is fitted: the cut is the one chosen on the reference
    corpus, carried to this corpus's geometry. At most :data:`MAX_SCALED_GRANULARITY`.
    """
    scale = (1.0 - reference_mean_norm ** 2) / max(1.0 - mean_norm ** 2, 1e-6)
    return float(min(MAX_SCALED_GRANULARITY, granularity * scale))


def _check_vectors(vectors: np.ndarray) -> np.ndarray:
    x = np.asarray(vectors)
    if x.ndim != 2:
        raise ValueError(
            f"vectors must be a 2-d array of shape (n, d). Got shape {x.shape}; "
            "reshape a single vector with vectors[None, :]."
        )
    x = x.astype(np.float32, copy=False)
    if not np.isfinite(x).all():
        raise ValueError("vectors hold NaN or infinite values; embed the texts again.")
    return x


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def _ward_cut(z: np.ndarray, granularity: float, seed: int, piece_spread: float | None = None) -> np.ndarray:
    """Ward labels of all points: tree on (a sample of) z, cut by mean within-cluster SSE."""
    from scipy.cluster.hierarchy import linkage

    n = z.shape[0]
    if n > _WARD_MAX:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, size=_WARD_MAX, replace=False))
    else:
        sample = np.arange(n)
    zs = _smooth(z[sample]).astype(np.float64)
    tree = linkage(zs, method="ward")
    # scipy's Ward height h is sqrt(2 * increase of the within-cluster sum of squares).
    mean_sse = np.cumsum(tree[:, 2] ** 2 / 2.0) / zs.shape[0]
    merges = int(np.searchsorted(mean_sse, granularity, side="right"))
    sample_labels = _cut_tree(tree, zs, merges, piece_spread)
    logger.debug(
        "ward on %d points: %d clusters at granularity %.3f",
        zs.shape[0], int(sample_labels.max()) + 1, granularity,
    )
    if sample.size == n:
        return sample_labels
    centroids = _centroids(z[sample], sample_labels, int(sample_labels.max()) + 1)
    return _nearest(z, centroids)


def _smooth(z: np.ndarray) -> np.ndarray:
    """Each point moved toward its ``_SMOOTH_NEIGHBOURS`` nearest, ``_SMOOTH_ROUNDS`` times.

    One round: the point plus the mean of its neighbours, re-normalised. The
    neighbours are found once, on the vectors as given. A need has a dense core
    and wordings that stray from it; averaging pulls each wording toward the
    points it crowds with, so the Ward tree follows where points gather rather
    than how far apart single wordings lie.
    """
    k = min(_SMOOTH_NEIGHBOURS, z.shape[0] - 1)
    if k < 1:
        return z
    neighbours = _nearest_neighbours(z, k)
    out = z
    for _ in range(_SMOOTH_ROUNDS):
        out = _unit(out + out[neighbours].mean(axis=1))
    return out


def _cut_tree(tree: np.ndarray, z: np.ndarray, merges: int, piece_spread: float | None = None) -> np.ndarray:
    """Clusters after the first ``merges`` Ward merges, then split apart again
    any of them whose two halves have centroids further apart (cosine distance)
    than ``_SPLIT_DISTANCE``: a small, clearly distinct theme is not swallowed
    just because it barely moves the mean. Then, with ``piece_spread``, the
    later merges of the tree are taken, in order, where both sides are clusters
    and the merge raises the mean squared distance of a point to its centroid
    by at most ``piece_spread`` per point (of unit rows ``z``): the halves of one
    large need, which the cut left apart because Ward counts the whole increase."""
    n = z.shape[0]
    children = tree[:, :2].astype(np.int64)
    sums = np.zeros((2 * n - 1, z.shape[1]), dtype=np.float64)
    sums[:n] = z
    sizes = np.ones(2 * n - 1, dtype=np.float64)
    for i, (a, b) in enumerate(children):
        sums[n + i] = sums[a] + sums[b]
        sizes[n + i] = sizes[a] + sizes[b]
    parent = np.full(2 * n - 1, 2 * n - 1, dtype=np.int64)
    parent[children[:, 0]] = np.arange(n, 2 * n - 1)
    parent[children[:, 1]] = np.arange(n, 2 * n - 1)
    # A node is a root of the cut when it exists after `merges` merges and its
    # parent does not.
    exists = np.arange(2 * n - 1) < n + merges
    roots = list(np.flatnonzero(exists & (parent >= n + merges)))
    final: list[int] = []
    while roots:
        node = int(roots.pop())
        if node >= n:
            a, b = children[node - n]
            sa, sb = sums[a], sums[b]
            norms = float(np.linalg.norm(sa) * np.linalg.norm(sb))
            # Halves at the corpus mean (e.g. all points identical) have no direction: keep them.
            if norms > 1e-12 and 1.0 - float(sa @ sb) / norms > _SPLIT_DISTANCE:
                roots += [int(a), int(b)]
                continue
        final.append(node)
    if piece_spread is not None:
        # mean squared distance of a node's (unit) points to their centroid: 1 - |mean|^2
        spread = 1.0 - np.einsum("ij,ij->i", sums, sums) / sizes**2
        clusters = set(final)
        for i in range(merges, n - 1):
            a, b = (int(c) for c in children[i])
            node = n + i
            if a in clusters and b in clusters and (
                    spread[node] - (sizes[a] * spread[a] + sizes[b] * spread[b]) / sizes[node] <= piece_spread):
                clusters -= {a, b}
                clusters.add(node)
        final = list(clusters)
    labels = np.empty(n, dtype=np.int64)
    for label, node in enumerate(sorted(final)):
        stack = [node]
        while stack:
            v = stack.pop()
            if v < n:
                labels[v] = label
            else:
                stack += children[v - n].tolist()
    return labels


def _nearest_neighbours(z: np.ndarray, k: int) -> np.ndarray:
    """Each row's k nearest other rows (cosine of unit rows), nearest first; ties by index."""
    n = z.shape[0]
    out = np.empty((n, k), dtype=np.int64)
    # rows per block: about 4M similarities (16 MB; argpartition's int64 indices of a block take 32 MB)
    block = max(1, (1 << 22) // max(n, 1))
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = z[start:stop] @ z.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -vals), axis=1)
        out[start:stop] = np.take_along_axis(part, order, axis=1)
    return out


def _join_mingled(z: np.ndarray, labels: np.ndarray, min_mixing: float, seed: int) -> np.ndarray | None:
    """Labels with the pieces of one theme joined, or None when nothing joins.

    Reads the nearest-neighbour graph of the clustered points (a seeded sample of
    ``_WARD_MAX`` of them on large inputs). A cluster's links are its members' k
    nearest neighbours, k = ``_MERGE_NEIGHBOURS`` or one less than its size in the
    graph, whichever is smaller, so a small distinct cluster, whose members
    cannot all have k neighbours at home, is not read as mingling. Two clusters
    mingle by the geometric mean of the shares of links from each into the
    other: pieces of one need send links both ways, while a loose cluster (small
    talk, a mixed bag) sends many into a tight theme and gets few back. The
    pair that mingles most is joined while it mingles at least ``min_mixing``.
    """
    members = np.flatnonzero(labels >= 0)
    k_clusters = int(labels.max()) + 1 if members.size else 0
    if k_clusters < 2:
        return None
    if members.size > _WARD_MAX:
        rng = np.random.default_rng(seed)
        members = np.sort(rng.choice(members, size=_WARD_MAX, replace=False))
    k = min(_MERGE_NEIGHBOURS, members.size - 1)
    if k < 1:
        return None
    neighbours = _nearest_neighbours(z[members], k)
    mapping = np.arange(k_clusters)  # original cluster -> current cluster
    own = labels[members]
    rank = np.arange(k)[None, :]
    joined = False
    while True:
        size = np.bincount(own, minlength=k_clusters)
        links = np.minimum(k, np.maximum(size[own] - 1, 1))
        use = rank < links[:, None]
        src = np.broadcast_to(own[:, None], neighbours.shape)[use]
        dst = own[neighbours][use]
        counts = np.bincount(src * k_clusters + dst, minlength=k_clusters * k_clusters)
        counts = counts.reshape(k_clusters, k_clusters).astype(np.float64)
        per = np.bincount(own, weights=links, minlength=k_clusters)
        share = counts / np.maximum(per, 1.0)[:, None]
        share = np.sqrt(share * share.T)  # both ways: a loose cluster leaning on a tight one is no piece of it
        np.fill_diagonal(share, -1.0)
        best = int(np.argmax(share))
        a, b = divmod(best, k_clusters)
        if share[a, b] < min_mixing:
            break
        keep, gone = min(a, b), max(a, b)
        own[own == gone] = keep
        mapping[mapping == gone] = keep
        joined = True
    if not joined:
        return None
    return np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1)


def _word_vectors(texts: Sequence[str]):
    """L2-normalised TF-IDF vectors of the texts (sparse), or None without a vocabulary."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, dtype=np.float32)
    try:
        return vectorizer.fit_transform([str(t) for t in texts]).tocsr()
    except ValueError:  # every word is rarer than min_df (or no words at all)
        return None


def _refine(
    z: np.ndarray,
    words,
    text_weight: float,
    labels: np.ndarray,
    min_cluster_size: int,
) -> np.ndarray:
    """Spherical k-means from the given clusters of at least min_cluster_size members."""
    w2 = text_weight**2 if words is not None else 0.0
    for _ in range(_REFINE_ITERATIONS):
        ids, counts = np.unique(labels[labels >= 0], return_counts=True)
        ids = ids[counts >= min_cluster_size]
        if ids.size == 0:
            return np.full(z.shape[0], -1, dtype=np.int64)
        member = np.isin(labels, ids)
        index = np.where(member, np.searchsorted(ids, labels), ids.size)  # non-members: one extra row
        cz = group_sums(z, index, ids.size + 1)[:-1]
        if w2 > 0:
            cw = _sums_sparse(words, index, ids.size + 1)[:-1]
            norm = np.sqrt((cz**2).sum(1) + w2 * (cw**2).sum(1))[:, None]
            norm[norm == 0] = 1.0
            cz, cw = cz / norm, cw / norm
        else:
            cz = _unit(cz)
            cw = None
        new = np.empty(z.shape[0], dtype=np.int64)
        for start in range(0, z.shape[0], _BLOCK):
            stop = start + _BLOCK
            sims = z[start:stop] @ cz.T
            if cw is not None:
                sims += w2 * np.asarray(words[start:stop] @ cw.T)
            new[start:stop] = ids[sims.argmax(axis=1)]
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def group_sums(x: np.ndarray, index: np.ndarray, k: int) -> np.ndarray:
    """Sum of the rows of ``x`` per group ``index`` (0..k-1), accumulated in float64.

    One weighted bincount per column: as exact as ``np.add.at`` and many times
    faster, with no copy of ``x``.
    """
    out = np.empty((k, x.shape[1]), dtype=np.float64)
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(index, weights=x[:, j], minlength=k)
    return out.astype(np.float32)


def _sums_sparse(x, index: np.ndarray, k: int) -> np.ndarray:
    from scipy.sparse import csr_matrix

    onehot = csr_matrix(
        (np.ones(index.size, dtype=np.float32), (index, np.arange(index.size))),
        shape=(k, index.size),
    )
    return np.asarray((onehot @ x).todense(), dtype=np.float32)


def _centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Unit-length mean vector of each label 0..k-1 (zeros for empty labels)."""
    return _unit(group_sums(x, labels, k))


def _nearest(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape[0], dtype=np.int64)
    for start in range(0, x.shape[0], _BLOCK):
        out[start : start + _BLOCK] = (x[start : start + _BLOCK] @ centroids.T).argmax(axis=1)
    return out


def _drop_far(x: np.ndarray, labels: np.ndarray, assign_threshold: float) -> np.ndarray:
    """Noise for points whose cosine to the centroid of the rest of their cluster
    is below the threshold (leave-one-out, so that a handful of unrelated points
    cannot vouch for themselves)."""
    valid = labels >= 0
    if not valid.any():
        return labels
    ids = np.unique(labels[valid])
    index = np.searchsorted(ids, labels[valid])
    rows = np.flatnonzero(valid)
    sums = np.empty((ids.size, x.shape[1]), dtype=np.float64)
    for j in range(x.shape[1]):
        sums[:, j] = np.bincount(index, weights=x[rows, j], minlength=ids.size)
    cos = np.empty(rows.size, dtype=np.float64)
    for start in range(0, rows.size, _BLOCK):  # in blocks: two float64 copies of x would not fit at 100k
        xv = x[rows[start:start + _BLOCK]].astype(np.float64)
        rest = sums[index[start:start + _BLOCK]] - xv
        norms = np.linalg.norm(rest, axis=1)
        c = np.einsum("ij,ij->i", xv, rest) / np.maximum(norms, 1e-12)
        c[norms < 1e-12] = -1.0  # a singleton has no rest to resemble
        cos[start:start + _BLOCK] = c
    out = labels.copy()
    out[np.flatnonzero(valid)[cos < assign_threshold]] = -1
    return out


def _drop_small(labels: np.ndarray, min_cluster_size: int) -> np.ndarray:
    out = labels.copy()
    valid = out >= 0
    if not valid.any():
        return out
    counts = np.bincount(out[valid])
    out[np.flatnonzero(valid)[counts[out[valid]] < min_cluster_size]] = -1
    return out


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Number clusters 0..k-1 by decreasing size, ties by smallest member index."""
    out = np.full(labels.shape[0], -1, dtype=np.int64)
    valid = labels >= 0
    if not valid.any():
        return out
    ids, first, counts = np.unique(labels[valid], return_index=True, return_counts=True)
    first_index = np.flatnonzero(valid)[first]
    order = np.lexsort((first_index, -counts))
    new_id = np.empty(ids.size, dtype=np.int64)
    new_id[order] = np.arange(ids.size)
    out[valid] = new_id[np.searchsorted(ids, labels[valid])]
    return out
