"""Tests of nlp.alignment on hand-made vectors (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.alignment import AlignmentParams, align_themes, theme_statement_similarity
from nlp.records import Statement, StatementKind

from tests.nlp.vectors import DIM, _axis, _unit


def _mix(i: int, j: int, w: float) -> np.ndarray:
    """A unit vector mostly along axis i, tilted towards axis j."""
    return _unit(_axis(i) + w * _axis(j))


STATEMENTS = (
    Statement("sso", StatementKind.VALUE, "Enterprise-grade security with SSO"),
    Statement("smb", StatementKind.NON_TARGET, "We do not serve very small businesses"),
    Statement("payroll", StatementKind.PRIORITY, "Push global payroll"),
)
# statements along axes 0, 1, 2; themes along axes 0, 3, 4, 5, 6 (theme 0 is about SSO)
STATEMENT_VECTORS = np.vstack([_axis(0), _axis(1), _axis(2)])
CENTROIDS = np.vstack([_mix(0, 3, 0.2), _axis(3), _axis(4), _axis(5), _axis(6)])


def test_theme_statement_similarity_centroid_only_without_exemplars() -> None:
    sim = theme_statement_similarity(CENTROIDS, [np.empty((0, DIM))] * 5, STATEMENT_VECTORS)
    assert sim.shape == (5, 3)
    np.testing.assert_allclose(sim, CENTROIDS @ STATEMENT_VECTORS.T)


def test_theme_statement_similarity_blends_the_two_best_exemplars() -> None:
    centroid = _unit(_axis(0) + _axis(3))  # cosine 0.707 to statement 0
    exemplars = np.vstack([_axis(0), _mix(0, 3, 0.5), _axis(3)])  # cosines 1.0, 0.894, 0.0
    sim = theme_statement_similarity(centroid[None], [exemplars], STATEMENT_VECTORS[:1], exemplar_weight=0.5)
    expected = 0.5 * (1 / np.sqrt(2)) + 0.5 * (1.0 + 1 / np.sqrt(1.25)) / 2
    assert sim[0, 0] == pytest.approx(expected)


@pytest.mark.parametrize(
    "k, n",
    [
        (0, 3),  # no themes
        (4, 0),  # no statements
    ],
)
def test_theme_statement_similarity_empty(k: int, n: int) -> None:
    sim = theme_statement_similarity(np.zeros((k, DIM)), [np.zeros((0, DIM))] * k, np.zeros((n, DIM)))
    assert sim.shape == (k, n)


def test_align_themes_matches_a_theme_close_to_a_value_statement() -> None:
    sim = CENTROIDS @ STATEMENT_VECTORS.T
    al = align_themes(sim, STATEMENTS)
    assert al.matched[0].tolist() == [True, False, False]
    assert not al.matched[1:].any()
    best = al.best[0]
    assert best is not None
    assert (best.statement_id, best.kind) == ("sso", StatementKind.VALUE)
    assert best.similarity == pytest.approx(float(sim[0, 0]), abs=1e-4)
    assert 0.5 <= best.confidence <= 1.0
    assert al.best[1:] == (None,) * 4


def test_align_themes_best_is_the_most_similar_matching_statement() -> None:
    # theme 0 lies between the value and priority statements, closer to priority
    cents = CENTROIDS.copy()
    cents[0] = _unit(0.6 * _axis(0) + 0.8 * _axis(2))
    al = align_themes(cents @ STATEMENT_VECTORS.T, STATEMENTS)
    assert al.matched[0].tolist() == [True, False, True]
    assert al.best[0].statement_id == "payroll"


@pytest.mark.parametrize(
    "similarity_to_sso, matched",
    [
        (0.95, True),  # clearly above the floor and the crowd
        (0.45, True),  # just above the floor, far above the crowd
        (0.35, False),  # below the floor, however unusual
    ],
)
def test_align_themes_floor(similarity_to_sso: float, matched: bool) -> None:
    sim = np.zeros((5, 3))
    sim[:, 0] = [similarity_to_sso, 0.02, 0.0, 0.01, 0.03]
    al = align_themes(sim, STATEMENTS)
    assert bool(al.matched[0, 0]) is matched


def test_align_themes_statement_everyone_resembles_matches_no_one() -> None:
    # all themes sit at 0.6 to the statement: none stands out from the crowd
    sim = np.zeros((5, 3))
    sim[:, 0] = [0.62, 0.60, 0.61, 0.60, 0.59]
    al = align_themes(sim, STATEMENTS)
    assert not al.matched[:, 0].any()
    assert al.best == (None,) * 5


def test_align_themes_few_themes_rely_on_the_floor_only() -> None:
    sim = np.array([[0.5, 0.1, 0.0], [0.3, 0.0, 0.0]])
    al = align_themes(sim, STATEMENTS)
    assert al.matched.tolist() == [[True, False, False], [False, False, False]]


def test_align_themes_confidence_grows_with_margin() -> None:
    lo = np.zeros((5, 3))
    lo[:, 0] = [0.45, 0.02, 0.0, 0.01, 0.03]
    hi = lo.copy()
    hi[0, 0] = 0.9
    c_lo = align_themes(lo, STATEMENTS).best[0].confidence
    c_hi = align_themes(hi, STATEMENTS).best[0].confidence
    assert 0.5 <= c_lo < c_hi <= 1.0


def test_align_themes_params_floor_is_honoured() -> None:
    sim = np.zeros((5, 3))
    sim[:, 0] = [0.5, 0.02, 0.0, 0.01, 0.03]
    assert align_themes(sim, STATEMENTS).matched[0, 0]
    assert not align_themes(sim, STATEMENTS, AlignmentParams(floor=0.6)).matched[0, 0]


# --- key phrases, the corpus's own distribution, refusals, statements raised ---

from nlp.alignment import CorpusBaseline, corpus_baseline, matching_text, statements_raised  # noqa: E402


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        # a refusal is matched by what it refuses
        (StatementKind.NON_TARGET, "We do not offer on-premise or self-hosted deployments",
         "on-premise or self-hosted deployments"),
        (StatementKind.NON_TARGET, "We don't build payroll or HR software", "payroll or HR software"),
        (StatementKind.NON_TARGET, "We will not pursue enterprises with more than 5,000 employees",
         "enterprises with more than 5,000 employees"),
        # a heading already says "no": the bullet stays as written
        (StatementKind.NON_TARGET, "Hobbyists and students", "Hobbyists and students"),
        # other kinds are never rewritten, even when they start with "we do not"
        (StatementKind.VALUE, "We do not charge per seat", "We do not charge per seat"),
    ],
)
def test_matching_text(kind: StatementKind, text: str, expected: str) -> None:
    assert matching_text(Statement("x", kind, text)) == expected


def test_theme_statement_similarity_key_phrases_join_the_blend() -> None:
    centroid = _unit(_axis(0) + _axis(3))  # 0.707 to statement 0
    no_ex = [np.empty((0, DIM))]
    plain = theme_statement_similarity(centroid[None], no_ex, STATEMENT_VECTORS[:1])
    # the label is exactly the statement's words; the keywords are about something else
    keys = [np.vstack([_axis(0), _axis(5)])]
    keyed = theme_statement_similarity(centroid[None], no_ex, STATEMENT_VECTORS[:1], key_vectors=keys)
    assert keyed[0, 0] == pytest.approx((2 * plain[0, 0] + 1.0) / 3)
    assert keyed[0, 0] > plain[0, 0]


def test_corpus_baseline_median_and_floored_spread() -> None:
    segs = np.vstack([_axis(0)] * 3 + [_axis(4)] * 4)
    base = corpus_baseline(segs, STATEMENT_VECTORS)
    np.testing.assert_allclose(base.median, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(base.spread, [0.03, 0.03, 0.03])  # MAD 0 is floored


def test_align_themes_statement_the_whole_corpus_resembles_matches_nothing() -> None:
    # theme 0 stands out among themes, but a typical customer segment is as close to the statement
    sim = np.zeros((5, 3))
    sim[:, 0] = [0.55, 0.02, 0.0, 0.01, 0.03]
    generic = CorpusBaseline(median=np.array([0.5, 0.0, 0.0]), spread=np.array([0.05, 0.05, 0.05]))
    specific = CorpusBaseline(median=np.array([0.05, 0.0, 0.0]), spread=np.array([0.05, 0.05, 0.05]))
    assert not align_themes(sim, STATEMENTS, baseline=generic).matched[0, 0]
    al = align_themes(sim, STATEMENTS, baseline=specific)
    assert al.matched[0, 0]
    assert al.corpus_z[0, 0] == pytest.approx(10.0)
    assert al.confidence[0, 0] == pytest.approx(al.best[0].confidence, abs=1e-4)
    assert (al.confidence[~al.matched] == 0).all()


def test_statements_raised_counts_segments_whose_nearest_statement_it_is() -> None:
    segs = np.vstack([
        _mix(0, 2, 0.3), _mix(0, 2, 0.5), _mix(0, 5, 0.2),  # about statement 0
        _mix(2, 0, 0.8),  # between 0 and 2, nearer 2
        *[_axis(i) for i in range(6, DIM)],  # about nothing: most of the corpus
    ])
    raised = statements_raised(segs, STATEMENT_VECTORS, floor=0.4, min_z=2.0, top=2)
    assert [count for count, _ in raised] == [3, 0, 1]
    assert raised[0][1] == [2, 0]  # the closest segments, best first
    # a floor no segment reaches: nothing is raised
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS, floor=0.999)] == [0, 0, 0]
    assert statements_raised(np.zeros((0, DIM)), STATEMENT_VECTORS) == [(0, [])] * 3


def test_statements_raised_loose_floor_by_default() -> None:
    # a weakly worded statement: its own segments sit at 0.35, below the strict 0.4 of theme matches
    segs = np.vstack([_mix(2, 6, 2.7)] * 4 + [_axis(i) for i in range(8, DIM)])
    assert float(segs[0] @ STATEMENT_VECTORS[2]) == pytest.approx(0.347, abs=1e-3)
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS)] == [0, 0, 4]
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS, floor=0.4)] == [0, 0, 0]


def test_statements_raised_needs_a_tail_above_the_statement_s_own_bulk() -> None:
    # every segment sits at 0.45 to statement 0: nothing stands out from its bulk, nothing raises it
    segs = np.vstack([_unit(0.45 * _axis(0) + np.sqrt(1 - 0.45 ** 2) * _axis(i)) for i in range(3, DIM)])
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS)] == [0, 0, 0]


def test_statements_raised_counts_the_best_group_only() -> None:
    # statement 0: four close segments in theme family 1 (customers raising it together);
    # statement 2: four close segments too, but one per family and one in no theme (scattered leftovers)
    segs = np.vstack([
        *[_mix(0, 5, 0.3 + 0.1 * k) for k in range(4)],
        *[_mix(2, 6 + k, 0.5) for k in range(4)],
        *[_axis(i) for i in range(10, DIM)],
    ])
    groups = [1, 1, 1, 1, 2, 3, 4, -1] + [5] * (DIM - 10)
    plain = statements_raised(segs, STATEMENT_VECTORS)
    grouped = statements_raised(segs, STATEMENT_VECTORS, groups=groups)
    assert [c for c, _ in plain] == [4, 0, 4]
    assert [c for c, _ in grouped] == [4, 0, 1]
    assert grouped[0][1] == plain[0][1]  # the closest segments do not depend on groups
    with pytest.raises(ValueError, match="groups"):
        statements_raised(segs, STATEMENT_VECTORS, groups=[0, 1])



from nlp.alignment import align_groups, nearest_statements, pool_themes  # noqa: E402


def test_statements_raised_pools_pieces_that_point_at_the_statement() -> None:
    # statement 2's four raising segments sit in four families (a theme split into pieces), but each
    # piece's theme is nearest statement 2: counted together; leftovers in themes pointing elsewhere are not
    segs = np.vstack([
        *[_mix(2, 6 + k, 0.5) for k in range(4)],
        *[_axis(i) for i in range(10, DIM)],
    ])
    groups = [1, 2, 3, 4] + [5] * (DIM - 10)
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS, groups=groups)] == [0, 0, 1]
    pointing = [2, 2, 2, 2] + [-1] * (DIM - 10)
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS, groups=groups, pointing=pointing)] == [0, 0, 4]
    elsewhere = [0, 0, 1, 1] + [-1] * (DIM - 10)
    assert [c for c, _ in statements_raised(segs, STATEMENT_VECTORS, groups=groups, pointing=elsewhere)] == [0, 0, 1]
    with pytest.raises(ValueError, match="pointing"):
        statements_raised(segs, STATEMENT_VECTORS, pointing=[0])


def test_align_themes_nearest_statement_at_strong_similarity_matches_in_a_crowded_domain() -> None:
    # every theme is in the statement's domain (0.45-0.55): none stands out by z, yet theme 0's own
    # nearest statement at 0.55 is what it is about, and the corpus's typical segment sits lower
    sim = np.zeros((6, 3))
    sim[:, 0] = [0.55, 0.50, 0.45, 0.48, 0.47, 0.46]
    sim[1, 2] = 0.52  # theme 1 is nearer another statement
    base = CorpusBaseline(median=np.array([0.3, 0.0, 0.0]), spread=np.array([0.1, 0.1, 0.1]))
    al = align_themes(sim, STATEMENTS, baseline=base)
    assert al.matched[0, 0] and al.best[0].statement_id == "sso" and al.best[0].confidence == 0.5
    assert not al.matched[1, 0] and al.matched[1, 2]  # only the nearest statement
    assert not al.matched[2:, 0].any()  # under the strong floor
    # the z-scores alone do not match it (the corpus z is under 3)
    assert not align_themes(sim, STATEMENTS, AlignmentParams(strong_floor=1.0), baseline=base).matched[0, 0]
    generic = CorpusBaseline(median=np.array([0.5, 0.0, 0.0]), spread=np.array([0.1, 0.1, 0.1]))
    assert not align_themes(sim, STATEMENTS, baseline=generic).matched[0, 0]


def test_pool_themes_single_group_is_the_theme_itself_and_groups_pool_by_size() -> None:
    cents = np.vstack([_axis(0), _axis(1), _axis(2)])
    exs = [np.vstack([_axis(0)]), np.zeros((0, DIM)), np.vstack([_axis(2), _axis(3)])]
    pc, pe, pk = pool_themes([[0], [1, 2]], cents, exs, [10, 30, 10])
    np.testing.assert_allclose(pc[0], cents[0])
    np.testing.assert_allclose(pc[1], _unit(3 * _axis(1) + _axis(2)))
    assert len(pe[1]) == 2 and pk is None
    np.testing.assert_array_equal(nearest_statements(np.array([[0.1, 0.5], [0.05, 0.02]]), floor=0.1), [1, -1])


def test_align_groups_matches_pieces_pooled_against_the_themes_distribution() -> None:
    # two pieces each half about statement 1: pooled, they stand out among the themes as a theme would
    cents = np.vstack([_mix(1, 4, 1.0), _mix(1, 5, 1.0), _axis(6), _axis(7), _axis(8), _axis(9)])
    sim = theme_statement_similarity(cents, [np.zeros((0, DIM))] * 6, STATEMENT_VECTORS)
    params = AlignmentParams(floor=0.75)
    assert not align_themes(sim, STATEMENTS, params).matched[:, 1].any()  # each piece is weak (0.71)
    al = align_groups([[0, 1]], cents, [np.zeros((0, DIM))] * 6, [5, 5], STATEMENT_VECTORS, STATEMENTS, sim, params)
    assert al.matched[0, 1] and al.best[0].statement_id == "smb"
    assert align_groups([], cents, [], [], STATEMENT_VECTORS, STATEMENTS, sim).matched.shape == (0, 3)


@pytest.mark.parametrize("kind, text, expected", [
    (StatementKind.PRIORITY, "Sell the background-music add-on to open-plan offices", "the background-music add-on"),
    (StatementKind.PRIORITY, "Grow table bookings at restaurants along the route", "table bookings"),
    (StatementKind.PRIORITY, "Push more restaurant reviews to diners", "restaurant reviews"),
    (StatementKind.PRIORITY, "Make voice reminders the first habit every new account forms", None),
    (StatementKind.VALUE, "Sell rides with partner drivers", None),
    (StatementKind.PRIORITY, "Sell to everyone", None),
])
def test_object_text(kind: StatementKind, text: str, expected: str | None) -> None:
    from nlp.alignment import object_text

    assert object_text(Statement("x", kind, text)) == expected


def test_matching_vectors_blend_a_priority_with_its_object() -> None:
    from nlp.alignment import matching_vectors

    table = {"Sell the music add-on to offices": [1.0, 0.0, 0.0], "the music add-on": [0.0, 1.0, 0.0],
             "Songs on request": [0.0, 0.0, 1.0], "on-premise deployments": [0.6, 0.8, 0.0]}
    seen: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        seen.append(list(texts))
        return np.asarray([table[t] for t in texts], dtype=np.float32)

    sts = [Statement("a", StatementKind.PRIORITY, "Sell the music add-on to offices"),
           Statement("b", StatementKind.VALUE, "Songs on request"),
           Statement("c", StatementKind.NON_TARGET, "We do not offer on-premise deployments")]
    vecs = matching_vectors(sts, embed)
    assert seen == [["Sell the music add-on to offices", "Songs on request", "on-premise deployments"],
                    ["the music add-on"]]
    np.testing.assert_allclose(vecs[0], [2 ** -0.5, 2 ** -0.5, 0.0], atol=1e-6)
    np.testing.assert_allclose(vecs[1:], [[0, 0, 1], [0.6, 0.8, 0]], atol=1e-6)
