"""Tests of nlp.incremental: growing last run's clusters with new segments."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.incremental import extend_clusters, join_themes

DIM = 32


def _blobs(centres: list[int], per: int, seed: int, spread: float = 0.15) -> np.ndarray:
    """``per`` unit vectors around each axis in ``centres``."""
    rng = np.random.default_rng(seed)
    rows = []
    for axis in centres:
        base = np.zeros(DIM, dtype=np.float32)
        base[axis] = 1.0
        pts = base + spread * rng.standard_normal((per, DIM)).astype(np.float32)
        rows.append(pts / np.linalg.norm(pts, axis=1, keepdims=True))
    return np.concatenate(rows).astype(np.float32)


def test_new_segments_near_a_theme_join_it_and_old_members_stay() -> None:
    old = _blobs([0, 1, 2], 30, seed=0)
    new = _blobs([0, 1, 2], 3, seed=1)
    vectors = np.concatenate([old, new])
    previous = np.concatenate([np.repeat([0, 1, 2], 30), np.full(9, -1)])
    ext = extend_clusters(vectors, previous, min_cluster_size=5)
    assert np.array_equal(ext.labels[:90], previous[:90])
    assert list(ext.labels[90:]) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert (ext.joined, ext.new_clusters, ext.noise) == (9, 0, 0)


def test_a_new_need_forms_a_new_cluster_after_the_old_ones() -> None:
    old = _blobs([0, 1], 30, seed=0)
    emerging = _blobs([5], 12, seed=2)
    vectors = np.concatenate([old, emerging])
    previous = np.concatenate([np.repeat([0, 1], 30), np.full(12, -1)])
    ext = extend_clusters(vectors, previous, min_cluster_size=5)
    assert np.array_equal(ext.labels[:60], previous[:60])
    assert set(ext.labels[60:]) == {2}  # one new cluster, numbered after the old ones
    assert ext.new_clusters == 1 and ext.in_new_clusters == 12


def test_too_few_unrelated_segments_stay_noise() -> None:
    old = _blobs([0, 1], 30, seed=0)
    stray = _blobs([7, 9], 1, seed=3)
    vectors = np.concatenate([old, stray])
    previous = np.concatenate([np.repeat([0, 1], 30), [-1, -1]])
    ext = extend_clusters(vectors, previous, min_cluster_size=5)
    assert list(ext.labels[60:]) == [-1, -1]
    assert ext.noise == 2


def test_nothing_unthemed_changes_nothing_and_it_is_deterministic() -> None:
    vectors = _blobs([0, 1], 10, seed=0)
    previous = np.repeat([0, 1], 10)
    assert np.array_equal(extend_clusters(vectors, previous).labels, previous)
    mixed = np.concatenate([vectors, _blobs([4], 8, seed=5), _blobs([0], 2, seed=6)])
    prev = np.concatenate([previous, np.full(10, -1)])
    a = extend_clusters(mixed, prev, seed=3)
    b = extend_clusters(mixed, prev, seed=3)
    assert np.array_equal(a.labels, b.labels)


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="previous"):
        extend_clusters(np.zeros((3, DIM), np.float32), np.zeros(2, np.int64))


def test_join_themes_places_only_rows_clearly_among_a_theme() -> None:
    themed = _blobs([0, 1], 20, seed=0)
    near = _blobs([1], 1, seed=4, spread=0.02)  # closer to theme 1's centre than its members
    far = _blobs([6], 1, seed=5)  # near no theme
    vectors = np.concatenate([themed, near, far])
    labels = np.concatenate([np.repeat([0, 1], 20), [-1, -1]])
    out = join_themes(vectors, labels, np.array([40, 41]))
    assert list(out[40:]) == [1, -1]
    assert np.array_equal(out[:40], labels[:40]) and labels[40] == -1  # the input is not changed
    assert set(out) == {-1, 0, 1}  # never a new theme


def test_join_themes_with_no_theme_or_no_row_changes_nothing() -> None:
    vectors = _blobs([0], 5, seed=0)
    assert list(join_themes(vectors, np.full(5, -1), np.arange(5))) == [-1] * 5
    assert np.array_equal(join_themes(vectors, np.zeros(5, np.int64), np.zeros(0, np.int64)), np.zeros(5))


def test_join_themes_refuses_a_themed_row() -> None:
    with pytest.raises(ValueError, match="unlabelled"):
        join_themes(_blobs([0], 5, seed=0), np.zeros(5, np.int64), np.array([2]))


def test_new_needs_worded_loosely_come_out_whole_unless_joining_is_off() -> None:
    # three new needs of 60 segments, each spread wide: the spread cut leaves them in pieces,
    # which the clusterer joins again (``merge_mixing``, ``piece_spread``), in an incremental run as in a full one
    old = _blobs([0, 1], 30, seed=0)
    rest = _blobs([5, 6, 7], 60, seed=3, spread=0.2)
    vectors = np.concatenate([old, rest])
    previous = np.concatenate([np.repeat([0, 1], 30), np.full(180, -1)])
    joined = extend_clusters(vectors, previous, min_cluster_size=5)
    assert joined.new_clusters == 3 and joined.noise == 0
    assert all(len(set(joined.labels[60 + 60 * i: 120 + 60 * i])) == 1 for i in range(3))
    assert extend_clusters(vectors, previous, min_cluster_size=5, merge_mixing=None,
                           piece_spread=None).new_clusters > 3
