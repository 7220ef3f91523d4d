"""Tests of nlp.lineage: births, merges, splits and fadings between two runs."""

from __future__ import annotations

import pytest

from nlp.lineage import trace_lineage
from nlp.records import LineageKind


def _m(prefix: str, n: int, start: int = 0) -> frozenset[str]:
    return frozenset(f"{prefix}#{i}" for i in range(start, start + n))


def _kinds(events) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(e.kind.value, e.sources, e.targets) for e in events]


def test_trace_lineage_continuing_themes_make_no_event() -> None:
    old = {"T1": _m("a", 10), "T2": _m("b", 10)}
    new = {"T1": _m("a", 12), "T2": _m("b", 11)}
    assert trace_lineage(old, new) == []


def test_trace_lineage_merge_two_into_one() -> None:
    old = {"T1": _m("a", 10), "T2": _m("b", 8)}
    new = {"T1": _m("a", 10) | _m("b", 8)}
    events = trace_lineage(old, new, old_labels={"T1": "invoices", "T2": "bills"})
    assert _kinds(events) == [("merged", ("T1", "T2"), ("T1",))]
    assert "T2 \u201cbills\u201d merged into T1" in events[0].summary  # T2 did not simply fade


def test_trace_lineage_split_one_into_two() -> None:
    old = {"T1": _m("a", 20)}
    new = {"T1": _m("a", 12), "T9": _m("a", 8, start=12) | _m("n", 4)}
    assert _kinds(trace_lineage(old, new)) == [("split", ("T1",), ("T1", "T9"))]  # T9 is not "born"


def test_trace_lineage_birth_and_fading() -> None:
    old = {"T1": _m("a", 10), "T2": _m("b", 10)}
    new = {"T1": _m("a", 10), "T3": _m("c", 7)}
    events = trace_lineage(old, new, new_labels={"T3": "AI assistant"})
    assert _kinds(events) == [("born", (), ("T3",)), ("faded", ("T2",), ())]
    assert events[0].summary == "New theme T3 \u201cAI assistant\u201d (7 segments)."


@pytest.mark.parametrize(
    "moved, min_share, expect_split",
    [
        (2, 0.05, False),  # fewer than min_count (3) segments moved: border churn
        (4, 0.25, False),  # 4 of 20 = 20%, under the 25% share
        (4, 0.20, True),  # the same flow at a 20% share: a split
        (6, 0.25, True),  # 6 of 20 = 30%: a split
    ],
)
def test_trace_lineage_split_thresholds(moved: int, min_share: float, expect_split: bool) -> None:
    old = {"T1": _m("a", 20)}
    new = {"T1": _m("a", 20 - moved), "T5": _m("a", moved, start=20 - moved)}
    kinds = [e.kind for e in trace_lineage(old, new, min_share=min_share)]
    # without a split the moved segments form a theme born from nothing substantial
    assert (LineageKind.SPLIT in kinds) is expect_split


def test_trace_lineage_absent_members_do_not_count() -> None:
    # T2's documents were deleted: only 2 of its members remain, too few to call a merge
    old = {"T1": _m("a", 10), "T2": _m("b", 10)}
    new = {"T1": _m("a", 10) | _m("b", 2)}
    present = _m("a", 10) | _m("b", 2)
    assert _kinds(trace_lineage(old, new, present=present)) == [("faded", ("T2",), ())]


def test_trace_lineage_rejects_bad_share() -> None:
    with pytest.raises(ValueError, match="min_share"):
        trace_lineage({}, {}, min_share=0)
