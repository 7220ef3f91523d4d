"""Trends and emergence, measured from document dates back from the as-of day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nlp.records import ThemeStatus, Trend

__all__ = ["TrendParams", "Mention", "measure_trend"]


@dataclass(frozen=True)
class TrendParams:
    """How trends are measured.

    Attributes:
        window_days: the recent window, ending on the as-of day.
        baseline_days: the baseline window just before it.
        alpha: significance level for growth and decline.
        min_breadth: distinct accounts (documents where none is known) a
            theme needs in the recent window to be emerging or growing.
        growth_min: recent/baseline share ratio that counts as growing.
        emerging_growth: ratio above which a theme was near-absent before.
        max_account_share: above this share of recent mentions from one
            account, a rising theme is an account concentration, not a trend.
    """

    window_days: int = 28
    baseline_days: int = 84
    alpha: float = 0.01
    min_breadth: int = 3
    growth_min: float = 1.5
    emerging_growth: float = 4.0
    max_account_share: float = 0.5


@dataclass(frozen=True)
class Mention:
    """One document that raises a theme."""

    doc_id: str
    day: date
    account_key: str  # account id, or the document id where none is known


def _day(d: date | datetime) -> date:
    return d.date() if isinstance(d, datetime) else d


def _change(r: int, b: int, recent_docs: int, base_docs: int, params: TrendParams) -> tuple[float, float, float]:
    """(smoothed growth, p-value of a rise, p-value of a fall) of r mentions
    among recent_docs against b among base_docs.

    A rise (or fall) must be significant both in share (one-sided Fisher
    exact test) and in rate per day (binomial test); the p-value is the
    larger of the two.
    """
    from scipy.stats import binomtest, fisher_exact

    recent_docs, base_docs = max(recent_docs, 0), max(base_docs, 0)
    # smoothed ratio: half a mention in each window keeps it finite
    growth = ((r + 0.5) / (recent_docs + 1)) / ((b + 0.5) / (base_docs + 1)) if recent_docs or base_docs else 1.0
    if not (recent_docs and base_docs):
        return growth, 1.0, 1.0
    # share: the theme's part of all documents, window against baseline
    table = [[r, max(recent_docs - r, 0)], [b, max(base_docs - b, 0)]]
    share_up = float(fisher_exact(table, alternative="greater")[1])
    share_down = float(fisher_exact(table, alternative="less")[1])
    # rate: mentions per day; under equal rates a mention falls in the
    # recent window with probability window / (window + baseline)
    p0 = params.window_days / (params.window_days + params.baseline_days)
    rate_up = float(binomtest(r, r + b, p0, alternative="greater").pvalue) if r + b else 1.0
    rate_down = float(binomtest(r, r + b, p0, alternative="less").pvalue) if r + b else 1.0
    # a change must show in both: a busier month alone is not a trend
    return growth, max(share_up, rate_up), max(share_down, rate_down)


def measure_trend(
    mentions: Sequence[Mention],
    docs_per_day: Counter[date],
    as_of: date,
    params: TrendParams = TrendParams(),
) -> tuple[Trend, ThemeStatus, bool]:
    """A theme's trend and status.

    Shares are documents raising the theme over all documents in a window.
    A rise (or fall) must be significant both in share (one-sided Fisher
    exact test) and in rate per day (binomial test), so neither a quiet month
    nor a busy one alone makes a trend.

    Args:
        mentions: one per document that raises the theme (any date up to as_of).
        docs_per_day: how many themeable documents each day has.
        as_of: the run's "today".

    Returns:
        (trend, status, concentrated): ``concentrated`` is True when a rise is
        driven by one account and so was not called emerging or growing.
    """
    recent_start = as_of - timedelta(days=params.window_days - 1)
    base_start = recent_start - timedelta(days=params.baseline_days)

    def in_recent(d: date) -> bool:
        return recent_start <= d <= as_of

    def in_base(d: date) -> bool:
        return base_start <= d < recent_start

    recent_docs = sum(c for d, c in docs_per_day.items() if in_recent(d))
    base_docs = sum(c for d, c in docs_per_day.items() if in_base(d))
    recent = [m for m in mentions if in_recent(m.day)]
    base = [m for m in mentions if in_base(m.day)]
    r, b = len(recent), len(base)
    r_share = r / recent_docs if recent_docs else 0.0
    b_share = b / base_docs if base_docs else 0.0
    growth, p_up, p_down = _change(r, b, recent_docs, base_docs, params)
    accounts = Counter(m.account_key for m in recent)
    breadth = len(accounts)
    top_key, top_count = accounts.most_common(1)[0] if r else ("", 0)
    top_share = top_count / r if r else 0.0

    rising = growth >= params.growth_min and p_up < params.alpha
    # one account drives the rise: it has most of the recent mentions, or
    # without its documents (in both windows) nothing significant is left
    concentrated = False
    if rising and breadth >= 1:
        if top_share > params.max_account_share:
            concentrated = True
        elif top_count >= 2:
            b_top = sum(1 for m in base if m.account_key == top_key)
            g2, p2, _ = _change(r - top_count, b - b_top, recent_docs - top_count, base_docs - b_top, params)
            concentrated = not (g2 >= params.growth_min and p2 < params.alpha)
    if rising and breadth >= params.min_breadth and not concentrated:
        status = ThemeStatus.EMERGING if growth >= params.emerging_growth and b <= max(2, r // 5) else ThemeStatus.GROWING
    elif growth <= 1 / params.growth_min and p_down < params.alpha:
        status = ThemeStatus.DECLINING
    else:
        status = ThemeStatus.STABLE
    p_value = p_down if status == ThemeStatus.DECLINING else p_up

    weeks: Counter[date] = Counter()
    for m in mentions:
        if m.day <= as_of:
            weeks[m.day - timedelta(days=m.day.weekday())] += 1
    weekly: list[tuple[str, int]] = []
    if weeks:
        w = min(weeks)
        last = as_of - timedelta(days=as_of.weekday())
        while w <= last:
            weekly.append((w.isoformat(), weeks.get(w, 0)))
            w += timedelta(days=7)
    trend = Trend(
        window_days=params.window_days,
        recent=round(r_share, 6),
        baseline=round(b_share, 6),
        growth=round(growth, 6),
        p_value=float(f"{p_value:.6g}"),
        recent_count=r,
        baseline_count=b,
        recent_accounts=breadth,
        top_account_share=round(top_share, 6),
        weekly=tuple(weekly),
    )
    return trend, status, concentrated
