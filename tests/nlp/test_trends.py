"""Tests of nlp.trends: emergence, growth and decline measured back from the as-of day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from nlp.records import ThemeStatus
from nlp.trends import Mention, TrendParams, measure_trend

AS_OF = date(2024, 6, 30)  # a Sunday
PARAMS = TrendParams()  # 28-day window, 84-day baseline
RECENT_START = AS_OF - timedelta(days=PARAMS.window_days - 1)
BASE_START = RECENT_START - timedelta(days=PARAMS.baseline_days)


def _docs(per_day: int = 4) -> Counter[date]:
    """A steady flow of documents every day over both windows."""
    days = (AS_OF - BASE_START).days + 1
    return Counter({BASE_START + timedelta(days=i): per_day for i in range(days)})


def _mentions(n: int, start: date, days: int, *, accounts: int, prefix: str) -> list[Mention]:
    """n mentions spread evenly over ``days`` days from ``start``, cycling over accounts."""
    return [
        Mention(doc_id=f"{prefix}-{i}", day=start + timedelta(days=(i * days) // n),
                account_key=f"acct-{i % accounts}")
        for i in range(n)
    ]


def _recent(n: int, *, accounts: int = 8) -> list[Mention]:
    return _mentions(n, RECENT_START, PARAMS.window_days, accounts=accounts, prefix="r")


def _base(n: int, *, accounts: int = 8) -> list[Mention]:
    return _mentions(n, BASE_START, PARAMS.baseline_days, accounts=accounts, prefix="b")


def test_measure_trend_emerging_when_absent_before_and_broad_now() -> None:
    trend, status, concentrated = measure_trend(_recent(20), _docs(), AS_OF)
    assert status == ThemeStatus.EMERGING
    assert not concentrated
    assert trend.recent_count == 20 and trend.baseline_count == 0
    assert trend.recent_accounts == 8
    assert trend.baseline == 0.0
    assert trend.recent == pytest.approx(20 / (28 * 4), abs=1e-6)
    assert trend.growth >= PARAMS.emerging_growth
    assert trend.p_value < PARAMS.alpha
    assert trend.window_days == 28


def test_measure_trend_emerging_when_near_absent_before() -> None:
    # two stray baseline mentions do not stop a theme being new
    _, status, _ = measure_trend(_recent(20) + _base(2), _docs(), AS_OF)
    assert status == ThemeStatus.EMERGING


def test_measure_trend_growing_when_share_rises_from_an_established_base() -> None:
    # baseline share 30/336 ~ 9%, recent share 25/112 ~ 22%: x2.5, not new
    trend, status, concentrated = measure_trend(_recent(25) + _base(30), _docs(), AS_OF)
    assert status == ThemeStatus.GROWING
    assert not concentrated
    assert PARAMS.growth_min <= trend.growth < PARAMS.emerging_growth
    assert trend.p_value < PARAMS.alpha


def test_measure_trend_stable_when_share_holds() -> None:
    # the same share in both windows (10/112 vs 30/336)
    trend, status, concentrated = measure_trend(_recent(10) + _base(30), _docs(), AS_OF)
    assert status == ThemeStatus.STABLE
    assert not concentrated
    assert trend.growth == pytest.approx(1.0, abs=0.1)


def test_measure_trend_declining_when_share_falls() -> None:
    trend, status, concentrated = measure_trend(_recent(1) + _base(60), _docs(), AS_OF)
    assert status == ThemeStatus.DECLINING
    assert not concentrated
    assert trend.growth <= 1 / PARAMS.growth_min
    assert trend.p_value < PARAMS.alpha  # the p-value of the decline


def test_measure_trend_shares_are_relative_to_document_volume() -> None:
    # half the mentions in a month with half the documents is no decline
    docs = _docs()
    for d in list(docs):
        if d >= RECENT_START:
            docs[d] = 2
    _, status, _ = measure_trend(_recent(5) + _base(30), docs, AS_OF)
    assert status == ThemeStatus.STABLE


def test_measure_trend_one_account_burst_is_concentrated_not_emerging() -> None:
    trend, status, concentrated = measure_trend(_recent(20, accounts=1), _docs(), AS_OF)
    assert concentrated
    assert status == ThemeStatus.STABLE
    assert trend.recent_accounts == 1
    assert trend.top_account_share == 1.0


def test_measure_trend_dominant_account_with_a_few_others_is_concentrated() -> None:
    burst = _recent(16, accounts=1) + [
        Mention(f"o-{i}", RECENT_START + timedelta(days=i), f"other-{i}") for i in range(4)
    ]
    trend, status, concentrated = measure_trend(burst, _docs(), AS_OF)
    assert concentrated
    assert status not in (ThemeStatus.EMERGING, ThemeStatus.GROWING)
    assert trend.recent_accounts == 5
    assert trend.top_account_share == pytest.approx(0.8)


@pytest.mark.parametrize(
    "accounts, min_breadth, expected",
    [
        (2, 3, ThemeStatus.STABLE),  # two accounts: too narrow for the default breadth
        (3, 3, ThemeStatus.EMERGING),  # exactly the default breadth
        (3, 4, ThemeStatus.STABLE),  # a stricter breadth
        (2, 2, ThemeStatus.EMERGING),  # a looser breadth
    ],
)
def test_measure_trend_min_breadth(accounts: int, min_breadth: int, expected: ThemeStatus) -> None:
    params = TrendParams(min_breadth=min_breadth)
    trend, status, concentrated = measure_trend(_recent(18, accounts=accounts), _docs(), AS_OF, params)
    assert status == expected
    assert not concentrated  # each account holds at most half the mentions
    assert trend.recent_accounts == accounts


def test_measure_trend_ignores_mentions_after_as_of() -> None:
    later = [Mention(f"late-{i}", AS_OF + timedelta(days=1 + i), f"acct-{i}") for i in range(30)]
    trend, status, _ = measure_trend(later, _docs(), AS_OF)
    assert trend.recent_count == 0
    assert trend.weekly == ()
    assert status == ThemeStatus.STABLE


def test_measure_trend_weekly_counts_from_first_mention_week_to_as_of_week() -> None:
    as_of = date(2024, 6, 30)  # Sunday; its week starts Monday 2024-06-24
    mentions = [
        Mention("a", date(2024, 6, 3), "x"),  # Monday of week 06-03
        Mention("b", date(2024, 6, 9), "y"),  # Sunday, same week
        Mention("c", date(2024, 6, 19), "z"),  # Wednesday of week 06-17
        Mention("d", date(2024, 6, 30), "z"),  # the as-of day itself
        Mention("e", date(2024, 7, 2), "z"),  # after as-of: not counted
    ]
    trend, _, _ = measure_trend(mentions, _docs(), as_of)
    assert trend.weekly == (
        ("2024-06-03", 2),
        ("2024-06-10", 0),
        ("2024-06-17", 1),
        ("2024-06-24", 1),
    )


def test_measure_trend_no_documents_is_stable_with_neutral_growth() -> None:
    trend, status, concentrated = measure_trend([], Counter(), AS_OF)
    assert status == ThemeStatus.STABLE
    assert not concentrated
    assert (trend.recent, trend.baseline, trend.growth, trend.p_value) == (0.0, 0.0, 1.0, 1.0)
    assert trend.weekly == ()


def test_measure_trend_window_edges() -> None:
    edge = [
        Mention("first-recent", RECENT_START, "a"),  # first day of the recent window
        Mention("last-base", RECENT_START - timedelta(days=1), "b"),  # last day of the baseline
        Mention("first-base", BASE_START, "c"),  # first day of the baseline
        Mention("too-old", BASE_START - timedelta(days=1), "d"),  # before the baseline: neither
    ]
    trend, _, _ = measure_trend(edge, _docs(), AS_OF)
    assert (trend.recent_count, trend.baseline_count) == (1, 2)


def test_measure_trend_rise_that_vanishes_without_its_top_account_is_concentrated() -> None:
    # one account holds under half of the recent mentions, yet without it the
    # rest (a few scattered mentions) is no significant rise
    loud = [Mention(f"loud-{i}", RECENT_START + timedelta(days=i), "acct-loud") for i in range(7)]
    quiet = _mentions(8, RECENT_START, PARAMS.window_days, accounts=8, prefix="q")
    trend, status, concentrated = measure_trend(loud + quiet + _base(12), _docs(), AS_OF)
    assert trend.top_account_share < PARAMS.max_account_share
    assert concentrated
    assert status == ThemeStatus.STABLE


def test_measure_trend_broad_rise_with_a_big_account_is_not_concentrated() -> None:
    # a large account among many: the rise holds without it, so it is a trend
    big = [Mention(f"big-{i}", RECENT_START + timedelta(days=i), "acct-big") for i in range(6)]
    trend, status, concentrated = measure_trend(big + _recent(24, accounts=12), _docs(), AS_OF)
    assert not concentrated
    assert status == ThemeStatus.EMERGING
