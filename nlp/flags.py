"""Raise the three flags where the field and the stated strategy part ways."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.alignment import Alignment
from nlp.records import Flag, FlagKind, Statement, StatementKind, Theme, ThemeStatus

__all__ = ["FlagParams", "raise_flags", "group_near_duplicates"]

COVERING_KINDS = frozenset(
    {StatementKind.OBJECTIVE, StatementKind.TARGET, StatementKind.VALUE, StatementKind.PRIORITY}
)
HEARD_KINDS = frozenset({StatementKind.VALUE, StatementKind.PRIORITY})
RISING = frozenset({ThemeStatus.EMERGING, ThemeStatus.GROWING})


@dataclass(frozen=True)
class FlagParams:
    """Flag thresholds.

    Attributes:
        duplicate_similarity: themes whose centroids are this alike share a flag.
        unheard_share: a value or priority statement is unheard when fewer
            than this share of customer segments are close to it (and no
            theme matches it).
        max_evidence: evidence segments per flag, from distinct accounts.
    """

    duplicate_similarity: float = 0.85
    unheard_share: float = 0.005
    max_evidence: int = 5


def group_near_duplicates(centroids: np.ndarray, threshold: float) -> list[int]:
    """A group number per theme: themes more alike than ``threshold`` share one."""
    k = len(centroids)
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if k:
        sim = centroids @ centroids.T
        for i in range(k):
            for j in range(i + 1, k):
                if sim[i, j] >= threshold:
                    parent[find(j)] = find(i)
    return [find(i) for i in range(k)]


def _pick_evidence(candidates: Sequence[tuple[str, str]], n: int) -> tuple[str, ...]:
    """First candidates from distinct accounts, then any others up to ``n``."""
    seen: set[str] = set()
    out: list[str] = []
    for seg_id, account in candidates:
        if account not in seen:
            seen.add(account)
            out.append(seg_id)
        if len(out) >= n:
            return tuple(out)
    for seg_id, _ in candidates:
        if seg_id not in out:
            out.append(seg_id)
        if len(out) >= n:
            break
    return tuple(out)


def _rise_score(theme: Theme) -> float:
    t = theme.trend
    growth = min(math.log2(1 + t.growth) / 4, 1.0)
    breadth = min(t.recent_accounts / 10, 1.0)
    signif = min(-math.log10(max(t.p_value, 1e-12)) / 6, 1.0)
    return round((growth + breadth + signif) / 3, 4)


def _describe_rise(theme: Theme) -> str:
    t = theme.trend
    return (f"{t.recent_count} documents from {t.recent_accounts} accounts in the last "
            f"{t.window_days} days, against {t.baseline_count} in the baseline before "
            f"({theme.status.value}, x{t.growth:.1f} share, p={t.p_value:.2g})")


def raise_flags(
    themes: Sequence[Theme],
    centroids: np.ndarray,
    statements: Sequence[Statement],
    alignment: Alignment,
    evidence_candidates: Mapping[str, Sequence[tuple[str, str]]],
    statement_heard: Sequence[tuple[int, Sequence[str]]],
    n_customer_segments: int,
    params: FlagParams = FlagParams(),
    families: Sequence[int] | None = None,
) -> list[Flag]:
    """Flags of the three kinds, strongest first within each kind.

    Args:
        themes: this run's themes, aligned with ``centroids`` and the rows of ``alignment``.
        statements: the strategy's statements, aligned with its columns.
        evidence_candidates: theme id -> (segment_id, account key), best first.
        statement_heard: per statement, (how many customer segments are close
            to it, the closest segment ids).
        n_customer_segments: themeable segments in the run, the denominator.
        families: a family number per theme (see :func:`nlp.themes.group_themes`);
            a family raises at most one flag of each kind, on its strongest
            rising theme. Default: themes whose centroids are at least
            ``params.duplicate_similarity`` alike.
    """
    flags: list[Flag] = []
    groups = list(families) if families is not None else group_near_duplicates(
        centroids, params.duplicate_similarity)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    for g in sorted(members, key=lambda g: min(themes[i].id for i in members[g])):
        rising = [i for i in members[g] if themes[i].status in RISING]
        if not rising:
            continue
        # the family's most-raised rising theme carries the flag; evidence comes from all of them
        rising.sort(key=lambda i: (-themes[i].trend.recent_count, -_rise_score(themes[i]), themes[i].id))
        i = rising[0]
        theme = themes[i]
        cols = {int(j): i2 for i2 in members[g] for j in np.flatnonzero(alignment.matched[i2])}
        covered = [j for j in cols if statements[j].kind in COVERING_KINDS]
        refused = [j for j in cols if statements[j].kind == StatementKind.NON_TARGET]
        candidates = [c for r in rising for c in evidence_candidates.get(themes[r].id, ())]
        evidence = _pick_evidence(candidates, params.max_evidence)
        related = [themes[r].id for r in members[g] if r != i]
        also = f" Related themes: {', '.join(related)}." if related else ""
        if refused:
            j = max(refused, key=lambda j: alignment.similarity[cols[j], j])
            st = statements[j]
            sim = float(alignment.similarity[cols[j], j])
            summary = (f"Customers are pulling toward \u201c{theme.label}\u201d, which the strategy "
                       f"says no to (\u201c{st.text}\u201d, similarity {sim:.2f}): "
                       f"{_describe_rise(theme)}.{also}")
            score = round(_rise_score(theme) * 0.7 + min(sim, 1.0) * 0.3, 4)
            flags.append(Flag(id=f"off_strategy:{theme.id}", kind=FlagKind.OFF_STRATEGY, theme_id=theme.id,
                              statement_id=st.id, score=score, summary=summary, evidence=evidence,
                              related_themes=tuple(related)))
        elif not covered:
            # a theme the strategy explicitly refuses is addressed: it is off_strategy, not ahead
            summary = (f"Customers raise \u201c{theme.label}\u201d and no objective, target, value "
                       f"or priority covers it: {_describe_rise(theme)}.{also}")
            flags.append(Flag(id=f"field_ahead:{theme.id}", kind=FlagKind.FIELD_AHEAD, theme_id=theme.id,
                              statement_id=None, score=_rise_score(theme), summary=summary,
                              evidence=evidence, related_themes=tuple(related)))
    denom = max(n_customer_segments, 1)
    for j, st in enumerate(statements):
        if st.kind not in HEARD_KINDS:
            continue
        if alignment.matched.shape[0] and alignment.matched[:, j].any():
            continue
        count, closest = statement_heard[j]
        share = count / denom
        if share >= params.unheard_share:
            continue
        summary = (f"Customers barely raise the {st.kind.value} \u201c{st.text}\u201d: {count} of "
                   f"{n_customer_segments} customer segments come close to it and no theme matches it.")
        score = round(1.0 - share / params.unheard_share, 4)
        flags.append(Flag(id=f"strategy_unheard:{st.id}", kind=FlagKind.STRATEGY_UNHEARD,
                          theme_id=None, statement_id=st.id, score=score, summary=summary,
                          evidence=tuple(closest[: params.max_evidence])))
    order = {FlagKind.FIELD_AHEAD: 0, FlagKind.OFF_STRATEGY: 1, FlagKind.STRATEGY_UNHEARD: 2}
    flags.sort(key=lambda f: (order[f.kind], -f.score, f.id))
    return flags
