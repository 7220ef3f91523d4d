"""Tests for nlp.coaching: picking rep answers worth coaching from."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from nlp.coaching import CoachingRow, competitor_names, objection_topic, select_coaching
from nlp.records import (
    Role,
    Segment,
    Source,
    Statement,
    StatementKind,
    Theme,
    ThemeMatch,
    ThemeStatus,
    Trend,
)

# ---------------------------------------------------------------- fixture helpers


def _seg(sid: str, role: Role, text: str, *, speaker: str, outcome: str = "", start: float | None = 0.0) -> Segment:
    return Segment(
        segment_id=sid,
        doc_id=sid.split("#")[0],
        source=Source.CALL if start is not None else Source.NOTE,
        speaker=speaker,
        speaker_role=role,
        created_at=datetime(2024, 6, 3, 10, 0),
        text=text,
        start_s=start,
        outcome=outcome,
    )


def _call(doc_id: str, outcome: str, *turns: tuple[Role, str]) -> list[Segment]:
    names = {Role.CUSTOMER: "Cora Client", Role.REP: f"Rep {doc_id}", Role.UNKNOWN: "Someone"}
    return [
        _seg(f"{doc_id}#{i}", role, text, speaker=names[role], outcome=outcome, start=10.0 * i)
        for i, (role, text) in enumerate(turns)
    ]


def _theme(tid: str, match: ThemeMatch | None = None) -> Theme:
    return Theme(
        id=tid,
        label=f"{tid} label",
        keywords=(tid,),
        size=3,
        customer_share=1.0,
        first_seen=date(2024, 1, 1),
        last_seen=date(2024, 6, 1),
        status=ThemeStatus.GROWING,
        trend=Trend(window_days=28, recent=0.1, baseline=0.05, growth=2.0, p_value=0.01),
        strategy_match=match,
        exemplars=(),
    )


PRICE_Q = "Your price is too expensive for us compared to what we pay today."
GOOD_ANSWER = "We charge per approver, not per seat, so your twelve approvers cost less than Coupa does today."
PLAIN_ANSWER = "Thanks, that is good to hear and we will send over the materials after this call."


def _rows(segments: list[Segment], assignments: dict[str, str], themes: list[Theme], **kw: object) -> list[CoachingRow]:
    return select_coaching(segments, assignments, themes, competitors=("Coupa", "SAP Ariba"), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- pairing


def test_select_coaching_pairs_customer_turn_with_following_rep_answer() -> None:
    segs = _call("won1", "won", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
    theme = _theme("t1", ThemeMatch("value-price", StatementKind.VALUE, 0.7))
    [row] = _rows(segs, {"won1#0": "t1"}, [theme])
    assert row == CoachingRow(
        theme_id="t1",
        statement_id="value-price",
        segment_id="won1#1",
        doc_id="won1",
        speaker="Rep won1",
        start_s=10.0,
        outcome="won",
        text=GOOD_ANSWER,
        why="won deal; rep answered a pricing objection; names competitor Coupa",
        customer_text=PRICE_Q,
    )


def test_select_coaching_joins_split_turns_of_one_speaker() -> None:
    segs = _call(
        "c", "open",
        (Role.CUSTOMER, "The pricing is a concern."),
        (Role.CUSTOMER, "Our budget is fixed."),
        (Role.REP, "Part one of the answer."),
        (Role.REP, "Part two of the answer."),
    )  # fmt: skip
    [row] = _rows(segs, {"c#0": "t1"}, [_theme("t1")])
    assert row.customer_text == "The pricing is a concern. Our budget is fixed."
    assert row.text == "Part one of the answer. Part two of the answer."
    assert row.segment_id == "c#2" and row.statement_id == ""


def test_select_coaching_stops_an_answer_at_a_long_first_part() -> None:
    long_answer = " ".join(["We route every bill to the approver who owns its cost centre."] * 6)  # 72 words
    segs = _call(
        "c", "won",
        (Role.CUSTOMER, "The pricing is a concern."),
        (Role.REP, long_answer),
        (Role.REP, "Now let me scroll down and show you the dashboard view."),
    )  # fmt: skip
    [row] = _rows(segs, {"c#0": "t1"}, [_theme("t1")])
    assert row.text == long_answer  # the demo monologue after it is left out


@pytest.mark.parametrize(
    ("segments", "assignments"),
    [
        # the customer's turn ends the call: no answer
        (_call("a", "won", (Role.REP, "Hello there."), (Role.CUSTOMER, PRICE_Q)), {"a#1": "t1"}),
        # another customer answers, not a rep
        (_call("b", "won", (Role.CUSTOMER, PRICE_Q), (Role.UNKNOWN, "I agree with that.")), {"b#0": "t1"}),
        # a themed rep segment is not a customer turn
        (_call("c", "won", (Role.REP, PRICE_Q), (Role.REP, GOOD_ANSWER)), {"c#0": "t1"}),
        # notes are not calls
        ([_seg("n#0", Role.UNKNOWN, PRICE_Q, speaker="Author", start=None)], {"n#0": "t1"}),
        # a theme that is not in the list of themes
        (_call("d", "won", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER)), {"d#0": "elsewhere"}),
    ],
)
def test_select_coaching_skips_turns_without_a_rep_answer(segments: list[Segment], assignments: dict[str, str]) -> None:
    assert _rows(segments, assignments, [_theme("t1")]) == []


def test_select_coaching_uses_an_answer_once_per_theme() -> None:
    segs = _call("c", "won", (Role.CUSTOMER, "Pricing first."), (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
    rows = _rows(segs, {"c#0": "t1", "c#1": "t1"}, [_theme("t1")])
    assert [r.segment_id for r in rows] == ["c#2"]


# ---------------------------------------------------------------- ranking


def test_select_coaching_ranks_won_then_open_then_lost() -> None:
    segs = (
        _call("lost1", "lost", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
        + _call("open1", "open", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
        + _call("none1", "", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
        + _call("won1", "won", (Role.CUSTOMER, PRICE_Q), (Role.REP, PLAIN_ANSWER))
    )
    assignments = {f"{d}#0": "t1" for d in ("lost1", "open1", "none1", "won1")}
    rows = _rows(segs, assignments, [_theme("t1")], per_theme=4)
    assert [r.outcome for r in rows] == ["won", "open", "lost", ""]
    assert rows[2].why.startswith("lost deal") and rows[3].why.startswith("deal outcome unknown")


def test_select_coaching_prefers_objections_and_competitors_within_an_outcome() -> None:
    segs = (
        _call("plain", "won", (Role.CUSTOMER, "We like the dashboard a lot."), (Role.REP, PLAIN_ANSWER))
        + _call("objection", "won", (Role.CUSTOMER, PRICE_Q), (Role.REP, PLAIN_ANSWER))
        + _call("both", "won", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
    )
    assignments = {"plain#0": "t1", "objection#0": "t1", "both#0": "t1"}
    rows = _rows(segs, assignments, [_theme("t1")])
    assert [r.doc_id for r in rows] == ["both", "objection", "plain"]
    assert rows[1].why == "won deal; rep answered a pricing objection"
    assert rows[2].why == "won deal; rep responds to a customer raising \u201ct1 label\u201d"


def test_select_coaching_limits_rows_and_spreads_them_over_calls() -> None:
    first = _call(
        "a", "won",
        (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER),
        (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER + " Again."),
    )  # fmt: skip
    second = _call("b", "open", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER))
    assignments = {"a#0": "t1", "a#2": "t1", "b#0": "t1"}
    rows = _rows(first + second, assignments, [_theme("t1")], per_theme=2)
    assert [r.doc_id for r in rows] == ["a", "b"]  # one per call before a second from call a
    assert _rows(first + second, assignments, [_theme("t1")], per_theme=0) == []


def test_select_coaching_groups_rows_by_theme_order_and_is_deterministic() -> None:
    segs = _call("a", "won", (Role.CUSTOMER, PRICE_Q), (Role.REP, GOOD_ANSWER)) + _call(
        "b", "won", (Role.CUSTOMER, "Is SSO supported for our audit?"), (Role.REP, GOOD_ANSWER)
    )
    assignments = {"a#0": "t-price", "b#0": "t-sec"}
    themes = [_theme("t-sec"), _theme("t-price")]
    rows = _rows(segs, assignments, themes)
    assert [r.theme_id for r in rows] == ["t-sec", "t-price"]
    assert rows == _rows(segs, dict(reversed(list(assignments.items()))), themes)


def test_select_coaching_rejects_negative_per_theme() -> None:
    with pytest.raises(ValueError, match="per_theme must be 0 or more. Got -1"):
        select_coaching([], {}, [], per_theme=-1)


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We compete with Coupa and SAP Ariba", ("Coupa", "SAP Ariba")),  # leading filler dropped
        ("Coupa is the main rival", ("Coupa",)),  # a name that starts the sentence
        ("Against Basware, Tipalti.", ("Basware", "Tipalti")),  # list with punctuation
        ("our rivals are small", ()),  # no capitalised names
    ],
)
def test_competitor_names(text: str, expected: tuple[str, ...]) -> None:
    statements = [Statement("c", StatementKind.COMPETITOR, text), Statement("v", StatementKind.VALUE, "Fast Approvals")]
    assert competitor_names(statements) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is too expensive for our budget.", "pricing"),  # pricing objection
        ("We are worried about GDPR and data privacy.", "security"),  # security
        ("Can't see how it would connect to our ERP.", "integration"),  # integration
        ("I'm not sure, it feels risky.", ""),  # objection with no known topic
        ("Great demo, thanks.", None),  # no objection
    ],
)
def test_objection_topic(text: str, expected: str | None) -> None:
    assert objection_topic(text) == expected
