"""Tests of nlp.flags on hand-made vectors and themes (no model needed)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from nlp.alignment import align_themes
from nlp.flags import FlagParams, group_near_duplicates, raise_flags
from nlp.records import FlagKind, Statement, StatementKind, Theme, ThemeStatus, Trend

DIM = 16


def _unit(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _axis(i: int) -> np.ndarray:
    return np.eye(DIM)[i]


STATEMENTS = (
    Statement("sso", StatementKind.VALUE, "Enterprise-grade security with SSO"),
    Statement("smb", StatementKind.NON_TARGET, "We do not serve very small businesses"),
    Statement("payroll", StatementKind.PRIORITY, "Push global payroll"),
    Statement("rival", StatementKind.COMPETITOR, "Rippling"),
)
STATEMENT_VECTORS = np.vstack([_axis(0), _axis(1), _axis(2), _axis(7)])


def _theme(tid: str, status: ThemeStatus, *, growth: float = 5.0, accounts: int = 6) -> Theme:
    trend = Trend(window_days=28, recent=0.2, baseline=0.02, growth=growth, p_value=1e-4,
                  recent_count=20, baseline_count=2, recent_accounts=accounts, top_account_share=0.2)
    return Theme(id=tid, label=f"Label of {tid}", keywords=("kw",), size=20, customer_share=1.0,
                 first_seen=date(2024, 1, 1), last_seen=date(2024, 6, 30), status=status, trend=trend,
                 strategy_match=None, exemplars=())


def _run(themes, centroids, *, candidates=None, heard=None, n_customer=1000, params=FlagParams()):
    centroids = np.asarray(centroids, dtype=np.float64)
    alignment = align_themes(centroids @ STATEMENT_VECTORS.T, STATEMENTS)
    if heard is None:  # every statement well heard unless a test says otherwise
        heard = [(100, [f"h{j}#1"]) for j in range(len(STATEMENTS))]
    return raise_flags(themes, centroids, STATEMENTS, alignment, candidates or {}, heard, n_customer, params)


# Five themes along their own axes; theme t0 is about SSO (a value), t1 about small businesses.
def _centroids() -> np.ndarray:
    return np.vstack([_axis(0), _axis(1), _axis(3), _axis(4), _axis(5)])


def test_raise_flags_rising_theme_covered_by_a_value_statement_is_not_flagged() -> None:
    themes = [_theme("t0", ThemeStatus.GROWING)] + [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(1, 5)]
    assert _run(themes, _centroids()) == []


def test_raise_flags_rising_uncovered_theme_is_field_ahead() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    flags = _run(themes, _centroids(), candidates={"t2": [("c1#3", "acct-a"), ("c2#1", "acct-b")]})
    assert [(f.kind, f.theme_id, f.statement_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2", None)]
    f = flags[0]
    assert f.id == "field_ahead:t2"
    assert f.evidence == ("c1#3", "c2#1")
    assert 0 < f.score <= 1
    assert "Label of t2" in f.summary


def test_raise_flags_rising_theme_matching_a_non_target_is_off_strategy() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[1] = _theme("t1", ThemeStatus.GROWING, growth=2.0)
    flags = _run(themes, _centroids(), candidates={"t1": [("n1#1", "acct-a")]})
    off = [f for f in flags if f.kind == FlagKind.OFF_STRATEGY]
    assert len(off) == 1
    assert (off[0].id, off[0].theme_id, off[0].statement_id) == ("off_strategy:t1", "t1", "smb")
    assert off[0].evidence == ("n1#1",)
    assert "We do not serve very small businesses" in off[0].summary
    # the strategy has addressed it (by saying no): it is not also "field ahead"
    assert [f.kind for f in flags] == [FlagKind.OFF_STRATEGY]


def test_raise_flags_competitor_match_does_not_cover_a_theme() -> None:
    cents = _centroids()
    cents[2] = _axis(7)  # t2 is about the competitor
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.GROWING)
    flags = _run(themes, cents)
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]


def test_raise_flags_unheard_value_statement() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    cents = np.vstack([_axis(i) for i in (3, 4, 5, 6, 8)])  # no theme near any statement
    heard = [(1, ["u1#1", "u2#4"]), (0, []), (50, ["p#1"]), (0, [])]
    flags = _run(themes, cents, heard=heard, n_customer=1000)
    # the value statement heard once in 1000 segments is unheard; the well-heard priority is not;
    # non_target and competitor statements are never "unheard"
    assert [(f.kind, f.statement_id, f.theme_id) for f in flags] == [
        (FlagKind.STRATEGY_UNHEARD, "sso", None)
    ]
    assert flags[0].id == "strategy_unheard:sso"
    assert flags[0].evidence == ("u1#1", "u2#4")
    assert flags[0].score == pytest.approx(1 - (1 / 1000) / 0.005)


def test_raise_flags_value_statement_matched_by_a_theme_is_heard() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    heard = [(0, []), (0, []), (100, ["p#1"]), (0, [])]
    flags = _run(themes, _centroids(), heard=heard)  # t0 matches "sso"
    assert flags == []


def test_raise_flags_near_duplicate_rising_themes_share_one_flag() -> None:
    rng = np.random.default_rng(0)
    cents = _centroids()
    cents[3] = _unit(cents[2] + rng.normal(scale=0.05, size=DIM))  # t3 is almost t2
    assert cents[2] @ cents[3] > 0.85
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    themes[3] = _theme("t3", ThemeStatus.GROWING)
    flags = _run(themes, cents)
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]


def test_raise_flags_distinct_rising_themes_get_their_own_flags() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING, growth=8.0, accounts=10)
    themes[3] = _theme("t3", ThemeStatus.GROWING, growth=2.0, accounts=3)
    flags = _run(themes, _centroids())
    # strongest first
    assert [f.theme_id for f in flags] == ["t2", "t3"]
    assert flags[0].score > flags[1].score


def test_raise_flags_evidence_from_distinct_accounts_first() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    candidates = {"t2": [("s1", "A"), ("s2", "A"), ("s3", "A"), ("s4", "B"), ("s5", "C"), ("s6", "B")]}
    flags = _run(themes, _centroids(), candidates=candidates, params=FlagParams(max_evidence=4))
    assert flags[0].evidence == ("s1", "s4", "s5", "s2")
    flags = _run(themes, _centroids(), candidates=candidates, params=FlagParams(max_evidence=2))
    assert flags[0].evidence == ("s1", "s4")


@pytest.mark.parametrize(
    "status",
    [
        ThemeStatus.STABLE,  # holds its share: nothing new
        ThemeStatus.DECLINING,  # fading: nothing new
    ],
)
def test_raise_flags_stable_and_declining_themes_never_flagged(status: ThemeStatus) -> None:
    # t1 matches the non-target, t2..t4 are uncovered: flagged only if rising
    themes = [_theme(f"t{i}", status) for i in range(5)]
    assert _run(themes, _centroids()) == []


def test_raise_flags_orders_kinds() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[1] = _theme("t1", ThemeStatus.GROWING)
    themes[4] = _theme("t4", ThemeStatus.EMERGING)
    heard = [(100, ["x"]), (0, []), (0, []), (0, [])]
    flags = _run(themes, _centroids(), heard=heard)
    kinds = [f.kind for f in flags]
    assert kinds == sorted(kinds, key=[FlagKind.FIELD_AHEAD, FlagKind.OFF_STRATEGY,
                                       FlagKind.STRATEGY_UNHEARD].index)
    assert (FlagKind.OFF_STRATEGY, "t1") in [(f.kind, f.theme_id) for f in flags]
    assert (FlagKind.FIELD_AHEAD, "t4") in [(f.kind, f.theme_id) for f in flags]
    assert (FlagKind.STRATEGY_UNHEARD, "payroll") in [(f.kind, f.statement_id) for f in flags]


@pytest.mark.parametrize(
    "threshold, groups",
    [
        (0.99, [0, 1, 2]),  # nothing that alike
        (0.85, [0, 0, 2]),  # the first two are near-duplicates
        (0.0, [0, 0, 0]),  # everything is alike at a zero threshold
    ],
)
def test_group_near_duplicates(threshold: float, groups: list[int]) -> None:
    cents = np.vstack([_axis(0), _unit(_axis(0) + 0.3 * _axis(1)), _unit(_axis(2) + 0.1 * _axis(0))])
    assert group_near_duplicates(cents, threshold) == groups


def test_group_near_duplicates_is_transitive() -> None:
    a = _axis(0)
    b = _unit(a + 0.5 * _axis(1))
    c = _unit(a + 1.0 * _axis(1))
    cents = np.vstack([a, b, c])
    assert a @ c < 0.75 < a @ b
    assert group_near_duplicates(cents, 0.75) == [0, 0, 0]
