"""The MultiDoGO calls harness on a tiny invented fixture (no MultiDoGO text, no `groundswell mine` run)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from evaluation.multidogo_calls import (
    NON_NEED_INTENTS,
    REP_NAMES,
    BuiltCall,
    CallTurn,
    MappedSegment,
    SegmentRow,
    build_calls,
    map_segments,
    read_conversations,
    read_segments,
    sample_conversations,
    score_bertopic,
    score_segments,
    write_case,
)
from nlp.records import Role, Segment, Source
from nlp.text import load_sentence_splitter, segment_document
from pipelines.readers import read_sources, read_strategy
from pipelines.report.csv_out import segments_csv

HEADER = "conversationId\tturnNumber\tutteranceId\tutterance\tslot-labels\tintent\n"


def _row(conv: str, turn: str, text: str, intent: str, slots: str = "O") -> str:
    return f"{conv}\t{turn}\t<CONV>{conv}<TURN>{turn}\t{text}\t{slots}\t{intent}\n"


# Invented conversations of a fictional bakery; one row of each malformed kind.
BAKERY = HEADER + "".join([
    _row("k1", "0", "hi there", "openinggreeting"),
    _row("k1", "2", "i want to order a birthday cake for saturday", "ordercake"),
    _row("k1", "4", "zelda quint", "contentonly", "name name"),
    _row("k1", "6", "yes please", "confirmation"),
    _row("k1", "8", "thanks a lot bye", "thankyou"),
    _row("k2", "1.0", "hello", "openinggreeting"),
    _row("k2", "3.0", "my croissant delivery never arrived this morning. the driver says it was left at the door.",
         "trackdelivery"),
    _row("k2", "5.0", "order 4417 23", "contentonly"),
    # a multi-intent row keeps its first intent
    _row("k2", "7.0", "where is my order and can i also add a cake", "trackdelivery<div>ordercake"),
    _row("k2", "9.0", "no that is all", "rejection"),
    # an utterance broken by a newline: three fragments, none a whole row
    "k3\t4\t<CONV>k3<TURN>4\t\"12 maple lane \n",
    " springfield 55501 \n",
    "604 5550199\"\taddress address O phone\tcontentonly\n",
    # slot labels where the intent should be, and an empty intent
    _row("k3", "6", "just the usual", "O O O", "O O O O"),
    _row("k3", "8", "ok", ""),
    _row("k3", "0", "good morning", "openinggreeting"),  # out of order: sorted by turn number
    _row("k3", "2", "can i get a gluten free loaf sliced", "ordercake"),
    _row("k4", "0", "hey", "openinggreeting"),
    _row("k4", "2", "the cake i picked up had the wrong name written on it", "complaint"),
    _row("k4", "4", "sure", "confirmation"),
])

GARAGE = HEADER + "".join([
    _row("g1", "0", "hello", "openinggreeting"),
    _row("g1", "2", "i need to book a tyre change for my van next week", "bookservice"),
    _row("g1", "4", "yes", "confirmation"),
    _row("g2", "0", "hi", "openinggreeting"),
    _row("g2", "2", "how much is a full service on a small hatchback", "getquote"),
    _row("g2", "4", "thank you", "thankyou"),
    _row("g3", "0", "morning", "openinggreeting"),
    _row("g3", "2", "my brakes squeal every time i stop", "bookservice"),
    _row("g3", "4", "plate quebec 774", "contentonly"),
    _row("g4", "0", "hey there", "openinggreeting"),
    _row("g4", "2", "what would it cost to replace a cracked windscreen", "getquote"),
    _row("g4", "4", "that is all goodbye", "closinggreeting"),
])


@pytest.fixture()
def fixture_data(tmp_path: Path) -> dict:
    (tmp_path / "bakery_test.tsv").write_text(BAKERY, encoding="utf-8")
    (tmp_path / "garage_test.tsv").write_text(GARAGE, encoding="utf-8")
    bakery, stats = read_conversations(tmp_path / "bakery_test.tsv", "bakery")
    garage, _ = read_conversations(tmp_path / "garage_test.tsv", "garage")
    return {"by_domain": {"bakery": bakery, "garage": garage}, "stats": stats}


def test_read_conversations_skips_malformed_rows(fixture_data):
    convs = {c.conversation_id: c for c in fixture_data["by_domain"]["bakery"]}
    assert sorted(convs) == ["k1", "k2", "k3", "k4"]
    assert fixture_data["stats"] == {
        "skipped_columns": 3,  # the three fragments of the broken utterance
        "skipped_intent": 2,  # slot labels, and an empty intent
        "multi_intent_first_kept": 1,
    }
    assert [t.intent for t in convs["k2"].turns] == [
        "openinggreeting", "trackdelivery", "contentonly", "trackdelivery", "rejection"]
    assert [t.text for t in convs["k3"].turns] == ["good morning", "can i get a gluten free loaf sliced"]
    assert not convs["k1"].turns[2].is_need and convs["k1"].turns[1].is_need


def test_sample_conversations_spreads_over_domains_and_is_seeded(fixture_data):
    by_domain = fixture_data["by_domain"]
    picked = sample_conversations(by_domain, 6, seed=3)
    assert sorted(c.domain for c in picked) == ["bakery"] * 3 + ["garage"] * 3
    assert [c.conversation_id for c in picked] == [c.conversation_id for c in sample_conversations(by_domain, 6, 3)]
    assert len({c.conversation_id for c in sample_conversations(by_domain, 8, 0)}) == 8
    with pytest.raises(ValueError, match="more conversations"):
        sample_conversations(by_domain, 9)


def test_write_case_reads_back_with_the_product_readers(fixture_data, tmp_path):
    convs = sample_conversations(fixture_data["by_domain"], 8, seed=1)
    calls = build_calls(convs, seed=1)
    calls_dir = write_case(calls, tmp_path / "case")
    assert read_strategy(tmp_path / "case" / "strategy.md").statements

    results = [r for r in read_sources([calls_dir]) if r.kind != "sidecar"]
    assert all(r.quarantined is None for r in results), [r.quarantined for r in results]
    assert {r.kind for r in results} == {"text_transcript"}
    docs = {d.doc_id: d for r in results for d in r.documents}
    assert sorted(docs) == sorted(c.call_id for c in calls)
    for call, conv in zip(calls, convs):
        doc = docs[call.call_id]
        assert doc.dated_by == "calls.csv" and doc.created_at == call.started_at
        assert doc.outcome == call.outcome and doc.account_id == call.account_id
        # a rep line before every customer turn, roles from team.csv, times and texts kept
        assert [t.role for t in doc.turns] == [Role.REP, Role.CUSTOMER] * len(conv.turns)
        assert [t.text for t in doc.turns if t.role == Role.CUSTOMER] == [t.text for t in conv.turns]
        assert [t.start_s for t in doc.turns] == [float(t.start_s) for t in call.turns]
        assert {t.speaker for t in doc.turns if t.role == Role.REP} <= set(REP_NAMES)


def test_map_segments_follows_the_product_segmenter(fixture_data, tmp_path):
    calls = build_calls(sample_conversations(fixture_data["by_domain"], 8, seed=2), seed=2)
    calls_dir = write_case(calls, tmp_path / "case")
    docs = [d for r in read_sources([calls_dir]) for d in r.documents]
    split = load_sentence_splitter()
    # a tiny max_chars splits the longer turns into several segments
    segments = [s for d in docs for s in segment_document(d, split, max_chars=30)]
    rows = [SegmentRow(s.segment_id, s.doc_id, s.speaker_role.value, s.start_s, "") for s in segments]
    mapped = map_segments(rows, calls)
    by_id = {c.call_id: c for c in calls}
    for seg, m in zip(segments, mapped):
        if seg.speaker_role == Role.REP:
            assert m.turn == -1 and m.intent == ""
            continue
        turn = by_id[seg.doc_id].customer_turns[m.turn]
        assert seg.text in turn.text and m.intent == turn.intent
    assert any(v > 1 for v in Counter((m.doc_id, m.turn) for m in mapped if m.turn >= 0).values())


def _call(call_id: str, intents: list[str]) -> BuiltCall:
    turns, clock = [], 0
    for i, intent in enumerate(intents):
        turns += [CallTurn(clock, "Rep", True, "Okay."), CallTurn(clock + 3, "Cus", False, "text", i, intent)]
        clock += 10
    return BuiltCall(call_id, "d", "c", datetime(2026, 1, 5), "Rep", "Cus", "", "", "", "", "", 0, tuple(turns))


@pytest.mark.parametrize(("call_id", "start_s", "turn", "intent"), [
    ("a", 3.0, 0, "billing"),  # the turn's own start
    ("a", 8.5, 0, "billing"),  # a later piece of a split turn, before the next rep turn
    ("a", 13.0, 1, "thankyou"),  # the second customer turn
    ("a", 10.0, -1, ""),  # starts in a rep turn
    ("a", None, -1, ""),  # no offset
    ("zz", 3.0, -1, ""),  # unknown call
])
def test_map_segments_takes_the_turn_a_segment_starts_in(call_id, start_s, turn, intent):
    (m,) = map_segments([SegmentRow("s", call_id, "customer", start_s, "")], [_call("a", ["billing", "thankyou"])])
    assert (m.turn, m.intent) == (turn, intent)


def _m(seg: str, role: str, theme: str, turn: int, intent: str, doc: str = "a") -> MappedSegment:
    return MappedSegment(seg, doc, role, theme, turn, intent)


def test_score_segments_on_a_hand_made_table():
    mapped = [
        _m("1", "customer", "T1", 0, "billing"),
        _m("2", "customer", "T1", 1, "billing"),
        _m("3", "customer", "T2", 2, "refund"),
        _m("4", "customer", "", 3, "refund"),  # a need without a theme: the label "noise"
        _m("5", "customer", "T2", 4, "thankyou"),  # small talk inside a theme
        _m("6", "customer", "", 5, "confirmation"),
        _m("7", "customer", "", 6, "contentonly"),
        _m("8", "customer", "", 6, "contentonly"),  # the same turn, split
        _m("9", "rep", "T2", -1, ""),  # a rep segment in T2: a mixed theme
        _m("10", "rep", "", -1, ""),
        _m("11", "customer", "T1", -1, ""),  # unmapped: left out of the scores
    ]
    s = score_segments(mapped)
    assert s["need_segments"] == 4 and s["small_talk_segments"] == 4
    assert s["ari_needs"] == pytest.approx(0.5714, abs=1e-4)  # {T1,T1,T2,noise} against {b,b,r,r}
    assert 0 < s["nmi_needs"] < 1 and s["nmi_needs_themed_only"] == 1.0
    assert s["small_talk_in_themes_share"] == 0.25
    assert s["needs_without_theme_share"] == 0.25
    assert s["themes"] == 2 and s["mixed_themes"] == 1 and s["mixed_theme_ids"] == ["T2"]
    assert s["rep_segments_in_themes"] == 1
    assert s["small_talk_in_themes_by_intent"]["thankyou"] == {"in_themes": 1, "segments": 1, "share": 1.0}
    assert s["needs_without_theme_by_intent"]["refund"] == {"without_theme": 1, "segments": 2, "share": 0.5}
    assert s["need_intents_mostly_without_theme"] == 0
    assert s["customer_segments_unmapped"] == 1 and s["customer_turns_split"] == 1


def test_score_segments_perfect_themes():
    mapped = [_m(str(i), "customer", f"T{i % 2}", i, ["a", "b"][i % 2]) for i in range(6)]
    mapped += [_m("x", "customer", "", 9, "rejection")]
    s = score_segments(mapped)
    assert s["nmi_needs"] == 1.0 and s["ari_needs"] == 1.0
    assert s["small_talk_in_themes_share"] == 0.0 and s["mixed_themes"] == 0


def test_score_bertopic_counts_outliers_as_a_label():
    intents = ["a", "a", "b", "b", "thankyou", "contentonly"]
    s = score_bertopic(intents, [0, 0, 1, -1, 2, -1])
    assert s["small_talk_in_topics_share"] == 0.5 and s["needs_in_outliers_share"] == 0.25
    assert s["topics"] == 3 and s["nmi_needs"] < 1
    assert NON_NEED_INTENTS >= {"thankyou", "contentonly"}


def test_read_segments_round_trips_the_product_writer(tmp_path):
    segs = [
        Segment("c#1", "c", Source.CALL, "Rep", Role.REP, datetime(2026, 1, 5), "Hello.", 0.0, 2.5),
        Segment("c#2", "c", Source.CALL, "Cus", Role.CUSTOMER, datetime(2026, 1, 5), "=1+1 my bill", 2.5, 7.125),
        Segment("n1", "n1", Source.NOTE, "", Role.UNKNOWN, datetime(2026, 1, 5), "a note"),
    ]
    path = tmp_path / "segments.csv"
    path.write_text(segments_csv(segs, {"c#2": "7"}), encoding="utf-8", newline="")
    assert read_segments(path) == [
        SegmentRow("c#1", "c", "rep", 0.0, ""),
        SegmentRow("c#2", "c", "customer", 2.5, "7"),
        SegmentRow("n1", "n1", "unknown", None, ""),
    ]
