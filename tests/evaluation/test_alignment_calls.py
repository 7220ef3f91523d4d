"""The held-out calls case on invented needs (no clinc150 text, no `groundswell mine` run)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from evaluation.alignment_calls import (
    CASE,
    REP_NAMES,
    STRATEGY_MD,
    CallsBuilt,
    TurnTruth,
    build_calls_case,
    map_segments,
    planted_statement_ids,
    vtt_text,
)
from nlp.records import Role, StatementKind
from pipelines.readers import read_sources, read_strategy

# Invented stand-ins for clinc150: a few phrasings per intent of the case, numbered so that
# every intent has more texts than the plan draws (60 a steady intent). One phrasing holds
# characters WebVTT must escape.
_PHRASINGS = ("could you help me with {topic} number {n}", "i need {topic} sorted for team {n} today",
              "what about {topic} for R&D <group {n}>")


def _invented(intents: list[str]) -> dict[str, list[str]]:
    return {i: [p.format(topic=i.replace("_", " "), n=n) for p in _PHRASINGS for n in range(30)] for i in intents}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> CallsBuilt:
    intents = [*CASE.covered, *CASE.refused_steady, *CASE.refused_growing, *CASE.emerging]
    return build_calls_case(CASE, _invented(intents), tmp_path_factory.mktemp("calls-case"), seed=3)


def test_build_calls_case_reads_without_quarantine(built: CallsBuilt) -> None:
    results = read_sources([built.calls_dir])
    assert [r.path for r in results if r.quarantined is not None] == []
    docs = {d.doc_id: d for r in results for d in r.documents}
    assert set(docs) == set(built.turns)
    assert {r.kind for r in results} == {"sidecar", "teams_vtt"}


def test_build_calls_case_roles_text_and_times_match_the_truth(built: CallsBuilt) -> None:
    docs = {d.doc_id: d for r in read_sources([built.calls_dir]) for d in r.documents}
    reps = set(REP_NAMES.values())
    for call_id, truth in built.turns.items():
        doc = docs[call_id]
        assert len(doc.turns) == len(truth), call_id  # no two turns of one speaker in a row
        for turn, want in zip(doc.turns, truth):
            assert turn.role == (Role.REP if want.kind == "rep" else Role.CUSTOMER)
            assert (turn.speaker in reps) == (want.kind == "rep")
            assert turn.text == want.text  # escaped and unescaped back
            assert turn.start_s == want.start_s
        assert doc.account_name and doc.outcome in ("won", "lost", "open")
        assert doc.author in reps


def test_build_calls_case_follows_the_plan(built: CallsBuilt) -> None:
    # one call per planned need, dated by calls.csv within the four months
    intent_count = Counter(built.built.intent_of_doc.values())
    assert intent_count["order"] == sum(built.built.counts["order"]) == 47
    assert all(intent_count[i] == 60 for i in CASE.covered)
    assert all(intent_count[i] == 39 for i in CASE.emerging)
    with (built.calls_dir / "calls.csv").open(newline="", encoding="utf-8") as fh:
        started = [row["started_at"] for row in csv.DictReader(fh)]
    assert len(started) == len(built.turns)
    assert min(started) >= "2026-01-01" and max(started) < "2026-05-01"
    for call_id, truth in built.turns.items():
        needs = [t for t in truth if t.kind == "need"]
        assert 1 <= len(needs) <= 2 and {t.intent for t in needs} == {built.built.intent_of_doc[call_id]}
        assert sum(t.kind == "small_talk" for t in truth) >= 2


def test_planted_statement_ids_found_in_the_markdown_strategy(built: CallsBuilt) -> None:
    strategy = read_strategy(built.strategy_md)
    by_id = {s.id: s for s in strategy.statements}
    ids = planted_statement_ids(built.strategy_md, CASE)
    assert len(ids) == len(strategy.statements)  # every bullet is planted or an extra
    for intent, (kind, text) in CASE.covered.items():
        assert by_id[ids[text]].kind.value == kind
        assert built.built.statement_intent[ids[text]] == intent
    refused = ids["We do not place orders or buy supplies on anyone's behalf"]
    assert by_id[refused].kind == StatementKind.NON_TARGET
    assert built.built.statement_intent[refused] == "order"
    assert set(built.built.unheard_ids) == {ids[CASE.unheard[0]], ids[CASE.unheard_priorities[0]]}
    assert {by_id[s].kind for s in built.built.unheard_ids} == {StatementKind.VALUE, StatementKind.PRIORITY}
    assert not set(built.built.heard_ids) & set(built.built.unheard_ids)


def test_planted_statement_ids_rejects_a_missing_bullet(tmp_path: Path) -> None:
    path = tmp_path / "strategy.md"
    path.write_text(STRATEGY_MD.replace("- Louder or quieter the moment you ask\n", ""), encoding="utf-8")
    with pytest.raises(ValueError, match="Louder or quieter"):
        planted_statement_ids(path, CASE)


def test_map_segments_takes_the_turn_a_segment_starts_in(tmp_path: Path) -> None:
    turns = {"c1": (TurnTruth(2, "Rep", "rep", "hi"), TurnTruth(6, "Cus", "small_talk", "good thanks"),
                    TurnTruth(10, "Rep", "rep", "so?"), TurnTruth(14, "Cus", "need", "call sal", "make_call"))}
    path = tmp_path / "segments.csv"
    path.write_text("segment_id,doc_id,speaker_role,start_s,theme_id\n"
                    "c1#1,c1,rep,2.0,\n"  # a rep turn
                    "c1#2,c1,customer,6.0,\n"  # small talk
                    "c1#3,c1,customer,14.0,T1\n"  # the need
                    "c1#4,c1,customer,15.2,T1\n"  # a later piece of the same turn
                    "x#1,x,customer,1.0,\n", encoding="utf-8")  # an unknown call
    got = [(r["truth_kind"], r["truth_intent"]) for r in map_segments(path, turns)]
    assert got == [("rep", ""), ("small_talk", ""), ("need", "make_call"), ("need", "make_call"), ("?", "")]


def test_vtt_text_escapes_markup() -> None:
    text = vtt_text([TurnTruth(1, "Avery Holmqvist", "rep", "a <b> & c --> d")])
    assert "<v Avery Holmqvist>a &lt;b&gt; &amp; c --&gt; d</v>" in text
    assert text.startswith("WEBVTT\n")


def _fake_bundle(built: CallsBuilt, folder: Path) -> Path:
    """A bundle as `groundswell mine` would write it: one segment per turn, a theme per need intent."""
    import json

    folder.mkdir()
    theme_of = {i: f"T{n:04d}" for n, i in enumerate(sorted(set(built.built.intent_of_doc.values())))}
    with (folder / "segments.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["segment_id", "doc_id", "source", "speaker", "speaker_role", "created_at", "start_s", "end_s",
                    "theme_id", "text"])
        for call_id, truth in built.turns.items():
            for n, t in enumerate(truth, start=1):
                w.writerow([f"{call_id}#{n}", call_id, "call", t.speaker, "rep" if t.kind == "rep" else "customer",
                            "2026-01-01T00:00:00", f"{t.start_s:.3f}", "", theme_of[t.intent] if t.intent else "",
                            t.text])
    themes = [{"id": tid, "label": intent, "status": "growing" if intent in ("order", *CASE.emerging) else "stable",
               "size": 1, "strategy_match": None} for intent, tid in theme_of.items()]
    ids = built.statement_ids
    flags = [
        {"kind": "field_ahead", "theme_id": theme_of["travel_alert"], "statement_id": None, "score": 1.0},
        {"kind": "field_ahead", "theme_id": theme_of["make_call"], "statement_id": None, "score": 0.5},
        {"kind": "off_strategy", "theme_id": theme_of["order"],
         "statement_id": ids["We do not place orders or buy supplies on anyone's behalf"], "score": 0.6},
        {"kind": "strategy_unheard", "theme_id": None, "statement_id": ids[CASE.unheard[0]], "score": 1.0},
        {"kind": "strategy_unheard", "theme_id": None,
         "statement_id": ids["Louder or quieter the moment you ask"], "score": 0.7},
    ]
    (folder / "themes.json").write_text(json.dumps({"themes": themes}), encoding="utf-8")
    (folder / "flags.json").write_text(json.dumps({"flags": flags}), encoding="utf-8")
    return folder


def test_score_case_scores_flags_by_majority_need_intent(built: CallsBuilt, tmp_path: Path) -> None:
    from evaluation.alignment_calls import score_case

    got = score_case(built, CASE, _fake_bundle(built, tmp_path / "bundle"), tmp_path / "work")
    fa, off, un = (got["scores"][k] for k in ("field_ahead", "off_strategy", "strategy_unheard"))
    assert (fa["precision"], fa["recall"], fa["flagged_intents"]) == (0.5, 0.5, ["travel_alert", "make_call"])
    assert (off["right"], off["recall"]) == (1, 1.0)
    assert (un["precision"], un["recall"], un["heard_flagged"]) == (0.5, 0.5, ["louder-or-quieter-the-moment-you-ask"])
    assert got["acceptance"] == {"field_ahead": False, "off_strategy": True, "strategy_unheard": False}
    assert [f["right"] for f in got["flags"]] == [True, False, True, True, False]
    seg = got["segments"]
    assert seg["role_mismatches"] == seg["unmapped_segments"] == seg["rep_segments_in_a_theme"] == 0
    assert seg["small_talk_in_theme_share"] == seg["needs_without_theme_share"] == 0.0
    assert {t["purity_needs"] for t in got["themes"]} == {1.0}
