"""Theme lineage between two runs: births, merges, splits and fadings.

Pure: the members of the previous run's themes and of tonight's themes (by
theme id) in, lineage events out. Identity (which new theme keeps which id)
is decided before, by :func:`nlp.identity.match_themes`; lineage explains
what the ids alone do not say: that two earlier themes now form one, that
one became two, that one was born from nothing or is gone.

A *flow* from earlier theme ``o`` to new theme ``n`` counts their shared
segments. It is substantial when it holds at least ``min_count`` segments and
at least ``min_share`` of ``o``'s segments that are still in the corpus.
"""

from __future__ import annotations

from collections.abc import Mapping

from nlp.records import LineageEvent, LineageKind

__all__ = ["trace_lineage"]


def _name(theme_id: str, labels: Mapping[str, str]) -> str:
    label = labels.get(theme_id, "")
    return f"{theme_id} \u201c{label}\u201d" if label else theme_id


def _names(ids: tuple[str, ...], labels: Mapping[str, str]) -> str:
    parts = [_name(i, labels) for i in ids]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def trace_lineage(
    old_members: Mapping[str, frozenset[str]],
    new_members: Mapping[str, frozenset[str]],
    *,
    present: frozenset[str] | None = None,
    old_labels: Mapping[str, str] | None = None,
    new_labels: Mapping[str, str] | None = None,
    min_share: float = 0.25,
    min_count: int = 3,
) -> list[LineageEvent]:
    """Lineage events from the previous run's themes to tonight's.

    Args:
        old_members: previous run's theme id -> its segment ids (live themes only).
        new_members: tonight's theme id -> its segment ids (ids already matched,
            so a continuing theme has the same id on both sides).
        present: segment ids in tonight's corpus; earlier members outside it
            (deleted documents) do not count. None: all count.
        old_labels, new_labels: theme labels for the summaries.
        min_share: share of an earlier theme's present segments a flow needs.
        min_count: segments a flow needs.

    Returns:
        Events in a fixed order: merges, splits, births, fadings, each sorted
        by theme id. A theme born from a split or a merge is reported there,
        not as a birth; a theme that merged into another is not "faded".
    """
    if min_share <= 0 or min_share > 1:
        raise ValueError(f"min_share must lie in (0, 1]. Got {min_share}.")
    labels = {**(old_labels or {}), **(new_labels or {})}
    old_l, new_l = dict(old_labels or {}), dict(new_labels or {})
    old = {o: (m & present if present is not None else m) for o, m in old_members.items()}
    where: dict[str, str] = {}
    for n, mem in new_members.items():
        for seg in mem:
            where[seg] = n
    flows: dict[str, dict[str, int]] = {}
    for o, mem in old.items():
        f: dict[str, int] = {}
        for seg in mem:
            n = where.get(seg)
            if n is not None:
                f[n] = f.get(n, 0) + 1
        flows[o] = f

    def substantial(o: str, n: str) -> bool:
        c = flows[o].get(n, 0)
        return c >= min_count and c >= min_share * max(len(old[o]), 1)

    events: list[LineageEvent] = []
    merged_sources: set[str] = set()
    touched_new: set[str] = set()
    for n in sorted(new_members):
        sources = tuple(sorted(o for o in old if substantial(o, n)))
        if len(sources) >= 2:
            merged_sources.update(sources)
            touched_new.add(n)
            events.append(LineageEvent(
                LineageKind.MERGED, sources, (n,),
                f"{_names(sources, old_l or labels)} merged into {_name(n, new_l or labels)}.",
            ))
    split_sources: set[str] = set()
    for o in sorted(old):
        targets = tuple(sorted(n for n in new_members if substantial(o, n)))
        if len(targets) >= 2:
            split_sources.add(o)
            touched_new.update(targets)
            events.append(LineageEvent(
                LineageKind.SPLIT, (o,), targets,
                f"{_name(o, old_l or labels)} split into {_names(targets, new_l or labels)}.",
            ))
    for n in sorted(new_members):
        if n in old_members or n in touched_new:
            continue
        size = len(new_members[n])
        events.append(LineageEvent(
            LineageKind.BORN, (), (n,),
            f"New theme {_name(n, new_l or labels)} ({size} segments).",
        ))
    for o in sorted(old_members):
        if o in new_members or o in merged_sources or o in split_sources:
            continue
        events.append(LineageEvent(
            LineageKind.FADED, (o,), (),
            f"Theme {_name(o, old_l or labels)} is no longer found.",
        ))
    return events
