"""Tests of nlp.cluster on synthetic blobs (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from nlp.cluster import MAX_SCALED_GRANULARITY, cluster_embeddings, scaled_granularity

DIM = 384


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _blobs(
    sizes: list[int], *, spread: float = 0.03, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Well-separated normalised gaussian blobs in 384-d, shuffled."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(len(sizes), DIM)))
    truth = np.repeat(np.arange(len(sizes)), sizes)
    points = centres[truth] + rng.normal(scale=spread, size=(truth.size, DIM))
    order = rng.permutation(truth.size)
    return _unit(points[order]), truth[order]


def test_cluster_embeddings_recovers_blobs() -> None:
    x, truth = _blobs([40, 35, 30, 25, 20, 15])
    labels = cluster_embeddings(x)
    assert labels.dtype == np.int64
    assert labels.shape == (x.shape[0],)
    assert adjusted_rand_score(truth, labels) > 0.95
    assert (labels == -1).mean() < 0.05


def test_cluster_embeddings_recovers_blobs_on_the_large_input_path() -> None:
    # Above the Ward limit (6000) Ward runs on a seeded sample and refinement labels the rest.
    x, truth = _blobs([700] * 10, spread=0.03, seed=1)
    labels = cluster_embeddings(x)
    assert adjusted_rand_score(truth, labels) > 0.95


def test_cluster_embeddings_marks_far_points_as_noise() -> None:
    x, truth = _blobs([30, 30, 30], seed=2)
    rng = np.random.default_rng(3)
    outliers = _unit(rng.normal(size=(5, DIM)))  # random directions: cosine ~0 to all
    labels = cluster_embeddings(np.vstack([x, outliers]))
    assert (labels[-5:] == -1).all()
    assert adjusted_rand_score(truth, labels[:-5]) > 0.95


def test_cluster_embeddings_is_deterministic() -> None:
    x, _ = _blobs([50, 40, 30], seed=4)
    first = cluster_embeddings(x, seed=7)
    second = cluster_embeddings(x.copy(), seed=7)
    np.testing.assert_array_equal(first, second)


def test_cluster_embeddings_numbers_clusters_by_decreasing_size() -> None:
    x, _ = _blobs([12, 50, 30, 20], seed=5)
    labels = cluster_embeddings(x)
    counts = np.bincount(labels[labels >= 0])
    assert counts.tolist() == [50, 30, 20, 12]


def test_cluster_embeddings_breaks_size_ties_by_first_member() -> None:
    x, _ = _blobs([20, 20, 20], seed=6)
    labels = cluster_embeddings(x)
    first_member = [int(np.flatnonzero(labels == c)[0]) for c in range(3)]
    assert first_member == sorted(first_member)


def test_cluster_embeddings_turns_small_clusters_into_noise() -> None:
    x, truth = _blobs([30, 30, 3], seed=8)
    labels = cluster_embeddings(x, min_cluster_size=5)
    assert (labels[truth == 2] == -1).all()
    assert set(labels[truth != 2].tolist()) == {0, 1}


@pytest.mark.parametrize(
    ("n", "min_cluster_size", "expected"),
    [
        (0, 5, []),  # nothing in, nothing out
        (1, 5, [-1]),  # one point is below min_cluster_size
        (1, 1, [0]),  # one point may be its own cluster when allowed
        (4, 5, [-1, -1, -1, -1]),  # fewer points than min_cluster_size: all noise
    ],
)
def test_cluster_embeddings_edge_sizes(n: int, min_cluster_size: int, expected: list[int]) -> None:
    x, _ = _blobs([max(n, 1)], seed=9)
    labels = cluster_embeddings(x[:n], min_cluster_size=min_cluster_size)
    assert labels.dtype == np.int64
    assert labels.tolist() == expected


@pytest.mark.parametrize(
    ("vectors", "kwargs", "match"),
    [
        (np.zeros(DIM, dtype=np.float32), {}, "2-d"),  # a single vector, not a matrix
        (np.full((3, DIM), np.nan, dtype=np.float32), {}, "NaN"),  # broken embeddings
        (np.eye(3, DIM, dtype=np.float32), {"min_cluster_size": 0}, "min_cluster_size"),
        (np.eye(3, DIM, dtype=np.float32), {"granularity": 0.0}, "granularity"),
        (np.eye(3, DIM, dtype=np.float32), {"piece_spread": 1.0}, "piece_spread"),
        (np.eye(3, DIM, dtype=np.float32), {"reference_mean_norm": 1.0}, "reference_mean_norm"),
    ],
)
def test_cluster_embeddings_rejects_bad_input(
    vectors: np.ndarray, kwargs: dict[str, float], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        cluster_embeddings(vectors, **kwargs)


def test_cluster_embeddings_keeps_identical_vectors_together() -> None:
    # All points equal the corpus mean: centring leaves no direction to split on.
    x = np.tile(np.eye(1, DIM, dtype=np.float32), (10, 1))
    assert cluster_embeddings(x).tolist() == [0] * 10


def _loose_needs(spread: float = 0.09, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Six needs of 50 segments each, every one worded loosely (wide spread), as in one product's domain."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(6, DIM)))
    truth = np.repeat(np.arange(6), 50)
    return _unit(centres[truth] + rng.normal(scale=spread, size=(truth.size, DIM))), truth


def test_cluster_embeddings_joins_the_pieces_of_a_loosely_worded_need() -> None:
    x, truth = _loose_needs()
    # the spread cut alone (even on the smoothed vectors) leaves each loose need in pieces
    # that lie against each other
    assert cluster_embeddings(x, merge_mixing=None, piece_spread=None).max() + 1 > 12
    labels = cluster_embeddings(x)
    assert labels.max() + 1 == 6
    assert adjusted_rand_score(truth, labels) > 0.95
    # joining the pieces whose neighbours cross mends them on its own
    assert adjusted_rand_score(truth, cluster_embeddings(x, piece_spread=None)) > 0.95


def test_piece_spread_rejoins_the_halves_of_a_large_need_but_not_two_needs() -> None:
    # one large need (200 segments) beside six small ones (25 each): Ward's cut, which counts the
    # whole increase of spread, cuts the large one in pieces first; per point, they are one need
    rng = np.random.default_rng(1)
    centres = _unit(rng.normal(size=(7, DIM)))
    truth = np.concatenate([np.zeros(200, dtype=np.int64), np.repeat(np.arange(1, 7), 25)])
    x = _unit(centres[truth] + rng.normal(scale=0.05, size=(truth.size, DIM)))
    assert cluster_embeddings(x, piece_spread=None, merge_mixing=None).max() + 1 > 10
    labels = cluster_embeddings(x, merge_mixing=None)
    assert labels.max() + 1 == 7 and adjusted_rand_score(truth, labels) > 0.99


def test_smoothing_pulls_each_wording_toward_its_own_need() -> None:
    from nlp.cluster import _smooth

    x, truth = _loose_needs()
    smoothed = _smooth(x)
    assert np.allclose(np.linalg.norm(smoothed, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(smoothed, _smooth(x))  # deterministic

    def to_own_centre(v: np.ndarray) -> float:
        centres = _unit(np.stack([v[truth == c].mean(axis=0) for c in range(6)]))
        return float(np.mean(np.sum(v * centres[truth], axis=1)))

    def between_centres(v: np.ndarray) -> float:
        centres = _unit(np.stack([v[truth == c].mean(axis=0) for c in range(6)]))
        return float((centres @ centres.T)[np.triu_indices(6, 1)].max())

    assert to_own_centre(smoothed) > to_own_centre(x) + 0.2  # each need gathers
    assert between_centres(smoothed) < between_centres(x) + 0.05  # the needs do not run together
    assert _smooth(x[:1]).shape == (1, x.shape[1])  # one point has no neighbour: unchanged


def test_joining_leaves_a_loose_cluster_beside_a_tight_theme_alone() -> None:
    from nlp.cluster import _join_mingled

    rng = np.random.default_rng(5)
    centre = _unit(rng.normal(size=(1, DIM)))
    tight = _unit(centre + rng.normal(scale=0.02, size=(40, DIM)))
    # a loose bag of ten around the tight theme: their nearest neighbours lie in it, not in each other
    loose = _unit(centre + rng.normal(scale=0.08, size=(10, DIM)))
    z = np.vstack([tight, loose])
    labels = np.repeat([0, 1], [40, 10])
    assert _join_mingled(z, labels, 0.1, seed=0) is None
    # two halves of one theme mingle both ways and are joined
    halves = np.where(rng.random(40) < 0.5, 0, 1)
    joined = _join_mingled(tight, halves, 0.1, seed=0)
    assert joined is not None and np.unique(joined).size == 1


@pytest.mark.parametrize("merge_mixing", [0.0, 1.5, -0.1])
def test_cluster_embeddings_rejects_a_merge_mixing_outside_0_1(merge_mixing: float) -> None:
    x, _ = _blobs([20, 20])
    with pytest.raises(ValueError, match="merge_mixing"):
        cluster_embeddings(x, merge_mixing=merge_mixing)


def test_scaled_granularity_carries_the_cut_to_a_corpus_that_shares_more() -> None:
    assert scaled_granularity(0.24, 0.3, 0.3) == pytest.approx(0.24)
    # one company's domain: its vectors share more, so a need spreads wider once the shared part is out
    assert scaled_granularity(0.24, 0.3, 0.5) == pytest.approx(0.24 * (1 - 0.09) / (1 - 0.25))
    assert scaled_granularity(0.24, 0.3, 0.1) < 0.24
    assert scaled_granularity(0.24, 0.3, 0.999) == MAX_SCALED_GRANULARITY


def test_cluster_embeddings_scales_the_cut_by_the_corpus_mean() -> None:
    x, _ = _blobs([40, 35, 30, 25, 20, 15], spread=0.05)
    own = float(np.linalg.norm(x.mean(axis=0, dtype=np.float64)))
    # the reference corpus's own geometry: the cut as given
    assert cluster_embeddings(x, reference_mean_norm=own).tolist() == cluster_embeddings(x).tolist()
    # from a reference whose vectors share nothing, the cut grows by 1 / (1 - |mean|^2)
    scaled = scaled_granularity(0.3, 0.0, own)
    assert scaled > 0.3
    assert (cluster_embeddings(x, granularity=0.3, reference_mean_norm=0.0).tolist()
            == cluster_embeddings(x, granularity=scaled).tolist())
