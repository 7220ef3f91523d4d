"""Tests of nlp.identity: matching tonight's clusters to the store's themes."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.identity import match_themes

DIM = 16


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def _axes(*idx: int) -> np.ndarray:
    """Orthogonal unit vectors along the given axes."""
    return np.eye(DIM, dtype=np.float32)[list(idx)]


def _members(prefix: str, n: int, start: int = 0) -> frozenset[str]:
    return frozenset(f"{prefix}#{i}" for i in range(start, start + n))


def test_match_themes_same_centroids_keep_their_ids() -> None:
    old = _axes(0, 1, 2)
    mem = [_members("a", 10), _members("b", 10), _members("c", 10)]
    assert match_themes(old.copy(), mem, old, mem) == [0, 1, 2]


def test_match_themes_follows_themes_whatever_their_order() -> None:
    old = _axes(0, 1, 2)
    new = _axes(2, 0, 1)
    # members churn entirely (new segments), centroids alone carry identity
    new_mem = [_members("x", 5), _members("y", 5), _members("z", 5)]
    old_mem = [_members("a", 5), _members("b", 5), _members("c", 5)]
    assert match_themes(new, new_mem, old, old_mem) == [2, 0, 1]


def test_match_themes_drifted_centroid_keeps_its_id() -> None:
    rng = np.random.default_rng(0)
    old = _axes(0, 1)
    new = _unit(old + rng.normal(scale=0.05, size=old.shape))
    assert (new * old).sum(axis=1).min() > 0.9
    assert match_themes(new, [frozenset()] * 2, old, [frozenset()] * 2) == [0, 1]


def test_match_themes_new_cluster_gets_none() -> None:
    old = _axes(0, 1)
    new = _axes(0, 1, 5)  # a third, unrelated cluster
    mem_old = [_members("a", 8), _members("b", 8)]
    mem_new = [_members("a", 8), _members("b", 8), _members("n", 8)]
    assert match_themes(new, mem_new, old, mem_old) == [0, 1, None]


def test_match_themes_is_one_to_one() -> None:
    old = _axes(0)
    # two new clusters both close to the one old theme: only the closer keeps its id
    near = _unit(np.array([[1.0] + [0.1] + [0.0] * (DIM - 2)]))
    nearer = _unit(np.array([[1.0] + [0.0] * 2 + [0.05] + [0.0] * (DIM - 4)]))
    new = np.vstack([near, nearer])
    out = match_themes(new, [frozenset()] * 2, old, [frozenset()])
    assert out == [None, 0]


def test_match_themes_each_old_id_used_at_most_once() -> None:
    rng = np.random.default_rng(1)
    old = _axes(0, 1, 2)
    new = _unit(np.repeat(old, 2, axis=0) + rng.normal(scale=0.05, size=(6, DIM)))
    out = match_themes(new, [frozenset()] * 6, old, [frozenset()] * 3)
    taken = [o for o in out if o is not None]
    assert sorted(taken) == [0, 1, 2]
    assert len(set(taken)) == len(taken)


def test_match_themes_member_overlap_alone_suffices() -> None:
    old = _axes(0)
    new = _axes(3)  # the centroid moved far (cosine 0)
    old_mem = [_members("s", 10)]
    new_mem = [_members("s", 10, start=5)]  # 5 shared of 15: Jaccard 1/3
    assert match_themes(new, new_mem, old, old_mem) == [0]


@pytest.mark.parametrize(
    "shared, expected",
    [
        (2, None),  # Jaccard 2/18 ~ 0.11: too little overlap, centroids unlike
        (5, 0),  # Jaccard 5/15 ~ 0.33: enough overlap
        (10, 0),  # the same members
    ],
)
def test_match_themes_overlap_threshold(shared: int, expected: int | None) -> None:
    old_mem = [_members("s", 10)]
    new_mem = [_members("s", 10, start=10 - shared)]
    assert match_themes(_axes(3), new_mem, _axes(0), old_mem) == [expected]


@pytest.mark.parametrize(
    "n_new, n_old",
    [
        (0, 3),  # no clusters tonight
        (3, 0),  # an empty store: everything is new
        (0, 0),  # nothing at all
    ],
)
def test_match_themes_empty_sides(n_new: int, n_old: int) -> None:
    new = np.zeros((n_new, DIM), np.float32)
    old = np.zeros((n_old, DIM), np.float32)
    out = match_themes(new, [frozenset()] * n_new, old, [frozenset()] * n_old)
    assert out == [None] * n_new


# -- keep_previous_assignments ---------------------------------------------

from nlp.identity import keep_previous_assignments  # noqa: E402


def _two_themes() -> tuple[np.ndarray, np.ndarray]:
    """Rows 0-4 near axis 0, rows 5-9 near axis 1, row 10 half-way (a border segment)."""
    rng = np.random.default_rng(2)
    a = _unit(_axes(*([0] * 5)) + rng.normal(scale=0.05, size=(5, DIM)))
    b = _unit(_axes(*([1] * 5)) + rng.normal(scale=0.05, size=(5, DIM)))
    border = _unit(np.array([[1.0, 0.95] + [0.0] * (DIM - 2)]))
    return np.vstack([a, b, border]), np.array([0] * 5 + [1] * 5 + [1])


def test_keep_previous_assignments_border_segment_stays_home() -> None:
    vectors, labels = _two_themes()
    previous = np.array([0] * 5 + [1] * 5 + [0])  # the border segment was in theme 0 last run
    out = keep_previous_assignments(labels, vectors, previous, [0, 1])
    assert out[10] == 0
    assert labels[10] == 1  # the input is left alone


def test_keep_previous_assignments_materially_better_move_wins() -> None:
    vectors, labels = _two_themes()
    previous = np.array([0] * 5 + [1] * 4 + [0] + [-1])  # row 9 sits squarely in theme 1 now
    out = keep_previous_assignments(labels, vectors, previous, [0, 1])
    assert out[9] == 1


@pytest.mark.parametrize(
    "previous_of_row, match, expected",
    [
        (-1, [0, 1], 1),  # a new segment keeps tonight's cluster
        (0, [None, 1], 1),  # its old theme did not continue: nothing to go back to
        (0, [1, 0], 1),  # old theme 0 continues as cluster 1, where it already is
    ],
)
def test_keep_previous_assignments_leaves_alone(previous_of_row: int, match: list, expected: int) -> None:
    vectors, labels = _two_themes()
    previous = np.array([-1] * 10 + [previous_of_row])
    assert keep_previous_assignments(labels, vectors, previous, match)[10] == expected


def test_keep_previous_assignments_noise_stays_noise() -> None:
    vectors, labels = _two_themes()
    labels = labels.copy()
    labels[10] = -1
    out = keep_previous_assignments(labels, vectors, np.array([0] * 11), [0, 1])
    assert out[10] == -1


def test_match_themes_across_embedding_models_matches_on_members_alone() -> None:
    # embed.model changed: last run's centroids are 768-d, tonight's 384-d; they cannot be compared
    rng = np.random.default_rng(0)
    new = rng.normal(size=(2, 384))
    old = rng.normal(size=(2, 768))
    members_new = [frozenset({"a", "b", "c"}), frozenset({"x", "y"})]
    members_old = [frozenset({"x", "y", "z"}), frozenset({"q"})]
    assert match_themes(new, members_new, old, members_old) == [None, 0]
