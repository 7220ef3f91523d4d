"""Tests of pipelines.store on a SQLite file in tmp_path."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import func, select

from nlp.embed import text_hash
from nlp.errors import ConfigError
from nlp.records import Document, Quarantined, Role, Segment, Source, Turn
from pipelines.store import Store, default_store_url, redact_url
from pipelines.store import schema as s

MARCH = datetime(2024, 3, 5, 14, 0)
APRIL = datetime(2024, 4, 2, 9, 30)
LATER = datetime(2030, 1, 1)


def _doc(doc_id: str = "acme-discovery", when: datetime = MARCH, **kw) -> Document:
    return Document(doc_id=doc_id, source=Source.CALL, created_at=when,
                    turns=(Turn("Dana Buyer", Role.CUSTOMER, "x"),), path="calls/acme.vtt",
                    account_id="001A", account_name="Acme", outcome="open", **kw)


def _segs(doc: Document, texts: list[str]) -> list[Segment]:
    return [
        Segment(segment_id=f"{doc.doc_id}#{n}", doc_id=doc.doc_id, source=doc.source,
                speaker="Dana Buyer" if n % 2 else "Sam Rep",
                speaker_role=Role.CUSTOMER if n % 2 else Role.REP, created_at=doc.created_at,
                text=t, start_s=float(n * 10), end_s=float(n * 10 + 9.5), small_talk=(n == 3),
                account_id=doc.account_id, account_name=doc.account_name, outcome=doc.outcome)
        for n, t in enumerate(texts, start=1)
    ]


TEXTS = ["We need SSO with Okta.", "Okta is supported on business.", "Okay.", "And SCIM provisioning too."]


@pytest.fixture
def store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")
    yield st
    st.dispose()


def _count(store: Store, table) -> int:
    with store.engine.connect() as con:
        return int(con.execute(select(func.count()).select_from(table)).scalar_one())


def test_store_creates_the_sqlite_file_and_its_folder(tmp_path) -> None:
    st = Store(f"sqlite:///{tmp_path / 'a' / 'b' / 'store.db'}")
    try:
        assert (tmp_path / "a" / "b" / "store.db").is_file()
    finally:
        st.dispose()


def test_record_file_then_load_segments_round_trip(store) -> None:
    doc = _doc()
    segs = _segs(doc, TEXTS)
    store.record_file(path="calls/acme.vtt", content_hash="h1", kind="vtt", run_id="r1",
                      documents=[(doc, segs, "d1")])
    assert store.load_segments(LATER) == segs
    assert store.count_documents(LATER) == 1
    assert store.file_hash("calls/acme.vtt") == ("h1", "ok")


def test_load_segments_until_excludes_later_documents_and_keeps_document_order(store) -> None:
    early, late = _doc("b-early", MARCH), _doc("a-late", APRIL)
    store.record_file(path="p", content_hash="h", kind="vtt", run_id="r1",
                      documents=[(late, _segs(late, TEXTS[:2]), "dl"), (early, _segs(early, TEXTS), "de")])
    assert [x.segment_id for x in store.load_segments(MARCH)] == [f"b-early#{n}" for n in range(1, 5)]
    assert [x.segment_id for x in store.load_segments(LATER)] == (
        [f"b-early#{n}" for n in range(1, 5)] + ["a-late#1", "a-late#2"]
    )
    assert store.count_documents(MARCH) == 1


def test_record_file_same_document_hash_is_a_no_op(store) -> None:
    doc = _doc()
    store.record_file(path="p", content_hash="h1", kind="vtt", run_id="r1",
                      documents=[(doc, _segs(doc, TEXTS), "d1")])
    # the same document hash: its segments are left alone, even if others are offered
    store.record_file(path="p", content_hash="h1", kind="vtt", run_id="r2",
                      documents=[(doc, _segs(doc, ["Something else entirely."]), "d1")])
    assert [x.text for x in store.load_segments(LATER)] == TEXTS
    assert _count(store, s.documents) == 1
    assert _count(store, s.segments) == 4
    assert _count(store, s.files) == 1


def test_record_file_changed_document_replaces_its_segments(store) -> None:
    doc = _doc()
    store.record_file(path="p", content_hash="h1", kind="vtt", run_id="r1",
                      documents=[(doc, _segs(doc, TEXTS), "d1")])
    edited = _doc()
    new_texts = ["We need SSO with Azure AD instead.", "Azure AD works too."]
    store.record_file(path="p", content_hash="h2", kind="vtt", run_id="r2",
                      documents=[(edited, _segs(edited, new_texts), "d2")])
    got = store.load_segments(LATER)
    assert [x.text for x in got] == new_texts
    assert [x.segment_id for x in got] == ["acme-discovery#1", "acme-discovery#2"]
    assert _count(store, s.documents) == 1
    assert _count(store, s.segments) == 2
    assert store.file_hash("p") == ("h2", "ok")


def test_record_file_quarantined_file_is_listed(store) -> None:
    q = Quarantined(path="broken/bad.csv", reason="no text column", line=1, field="text", content_hash="hq")
    store.record_file(path="broken/bad.csv", content_hash="hq", kind="csv", run_id="r1", quarantined=q)
    assert store.quarantined_files() == [q]
    assert store.file_hash("broken/bad.csv") == ("hq", "quarantined")
    # fixed later: no longer quarantined
    doc = _doc()
    store.record_file(path="broken/bad.csv", content_hash="ok2", kind="csv", run_id="r2",
                      documents=[(doc, _segs(doc, TEXTS[:1]), "d")])
    assert store.quarantined_files() == []


def test_file_hash_unknown_path_is_none(store) -> None:
    assert store.file_hash("never/seen.vtt") is None


@pytest.mark.parametrize(
    "vector",
    [
        np.array([0.1, -0.2, 1e-8, 3.4028235e38], dtype=np.float32),  # awkward float32 values
        np.random.default_rng(0).normal(size=384).astype(np.float32),  # a real embedding's size
        np.array([1 / 3, 2 / 3], dtype=np.float64),  # float64 in: stored as float32
    ],
)
def test_save_vectors_then_cached_vectors_round_trip_float32_exact(store, vector: np.ndarray) -> None:
    h = text_hash("We need SSO with Okta.")
    store.save_vectors({h: vector}, "minilm@abc")
    got = store.cached_vectors([h, h], "minilm@abc")
    assert list(got) == [h]
    assert got[h].dtype == np.float32
    np.testing.assert_array_equal(got[h], vector.astype(np.float32))


def test_cached_vectors_are_per_model_and_first_write_wins(store) -> None:
    h = text_hash("x")
    store.save_vectors({h: np.ones(4, np.float32)}, "model-a")
    store.save_vectors({h: np.zeros(4, np.float32)}, "model-a")  # already cached: left alone
    assert store.cached_vectors([h], "model-b") == {}
    np.testing.assert_array_equal(store.cached_vectors([h], "model-a")[h], np.ones(4, np.float32))
    assert _count(store, s.embeddings) == 1


def test_cached_vectors_many_keys_across_chunks(store) -> None:
    vecs = {text_hash(str(i)): np.full(3, i, np.float32) for i in range(1200)}
    store.save_vectors(vecs, "m")
    got = store.cached_vectors(list(vecs), "m")
    assert len(got) == 1200
    assert all(np.array_equal(got[h], v) for h, v in vecs.items())


def _theme_rows(*ids: str) -> list[tuple]:
    return [(tid, f"Label {tid}", ["okta", "sso"], np.eye(4, dtype=np.float32)[i], 2, "growing")
            for i, tid in enumerate(ids)]


def test_finish_run_then_load_themes_returns_members(store) -> None:
    store.start_run("r1", "2024-03-31", MARCH)
    store.finish_run("r1", finished_at=APRIL, record={"counts": {"segments": 4}},
                     themes=_theme_rows("T1", "T2"),
                     assignments={"a#1": "T1", "a#2": "T1", "b#1": "T2"})
    themes = {t.theme_id: t for t in store.load_themes()}
    assert set(themes) == {"T1", "T2"}
    assert themes["T1"].members == frozenset({"a#1", "a#2"})
    assert themes["T2"].members == frozenset({"b#1"})
    assert themes["T1"].label == "Label T1"
    assert themes["T1"].alive
    np.testing.assert_array_equal(themes["T2"].centroid, np.eye(4, dtype=np.float32)[1])
    assert store.last_done_run() == "r1"
    assert store.theme_statuses() == {"T1": "growing", "T2": "growing"}
    rec = store.run_record("r1")
    assert rec["status"] == "done" and rec["counts"] == {"segments": 4} and rec["as_of"] == "2024-03-31"


def test_finish_run_marks_themes_not_seen_again_as_gone(store) -> None:
    store.start_run("r1", "2024-03-31", MARCH)
    store.finish_run("r1", finished_at=MARCH, record={}, themes=_theme_rows("T1", "T2"),
                     assignments={"a#1": "T1", "b#1": "T2"})
    store.start_run("r2", "2024-04-30", APRIL)
    store.finish_run("r2", finished_at=APRIL, record={}, themes=_theme_rows("T1"), assignments={"a#9": "T1"})
    themes = {t.theme_id: t for t in store.load_themes()}
    assert themes["T1"].alive and not themes["T2"].alive
    # members come from the latest finished run only
    assert themes["T1"].members == frozenset({"a#9"})
    assert themes["T2"].members == frozenset()


def test_the_last_run_is_the_one_that_finished_last_within_one_second(store) -> None:
    # two short runs (a replay, a backfill) can finish within one second; the store keeps the
    # microseconds, so "the last run" is the later one, not the one whose id sorts last
    store.start_run("run-b", "2024-03-30", MARCH)
    store.finish_run("run-b", finished_at=MARCH.replace(microsecond=100_000), record={}, themes=_theme_rows("T1"),
                     assignments={"a#1": "T1"})
    store.start_run("run-a", "2024-03-31", MARCH)
    store.finish_run("run-a", finished_at=MARCH.replace(microsecond=900_000), record={}, themes=_theme_rows("T1"),
                     assignments={"a#2": "T1"})
    assert store.last_done_run() == "run-a"
    assert {t.theme_id: t.members for t in store.load_themes()} == {"T1": frozenset({"a#2"})}


def test_two_runs_started_in_one_second_get_two_ids(store) -> None:
    from datetime import date

    from pipelines.mine import start_run

    first, started = start_run(store, date(2024, 3, 31))
    second, _ = start_run(store, date(2024, 3, 31))
    assert first != second and started.microsecond == 0


def test_load_themes_empty_store(store) -> None:
    assert store.load_themes() == []
    assert store.last_done_run() is None
    assert store.run_record("nope") is None


def test_start_run_twice_with_the_same_id_does_not_duplicate(store) -> None:
    store.start_run("r1", "2024-03-31", MARCH)
    store.start_run("r1", "2024-03-31", APRIL)
    assert _count(store, s.runs) == 1
    assert store.run_record("r1")["started_at"] == APRIL
    assert store.run_record("r1")["status"] == "running"


def test_finish_run_twice_with_the_same_id_does_not_duplicate_assignments(store) -> None:
    for _ in range(2):
        store.start_run("r1", "2024-03-31", MARCH)
        store.finish_run("r1", finished_at=APRIL, record={}, themes=_theme_rows("T1"),
                         assignments={"a#1": "T1", "a#2": "T1"})
    assert _count(store, s.assignments) == 2
    assert _count(store, s.themes) == 1
    assert _count(store, s.runs) == 1


def test_store_reopens_an_existing_file(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    st = Store(url)
    doc = _doc()
    st.record_file(path="p", content_hash="h", kind="vtt", run_id="r1", documents=[(doc, _segs(doc, TEXTS), "d")])
    st.dispose()
    st2 = Store(url)
    try:
        assert len(st2.load_segments(LATER)) == 4
    finally:
        st2.dispose()


def test_store_corrupt_file_raises_config_error(tmp_path) -> None:
    db = tmp_path / "store.db"
    db.write_bytes(b"this is not a database at all \x00\xff" * 200)
    with pytest.raises(ConfigError) as info:
        Store(f"sqlite:///{db}")
    msg = str(info.value)
    assert str(db) in msg
    assert "cannot open the store" in msg
    assert "corrupt" in msg  # the fix names what to do


def test_store_newer_schema_version_raises_config_error(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    st = Store(url)
    with st.engine.begin() as con:
        con.execute(s.meta.update().where(s.meta.c.key == "schema_version").values(value="99"))
    st.dispose()
    with pytest.raises(ConfigError, match="schema version 99"):
        Store(url)


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://gs:s3cret@db.example:5432/gs", "postgresql://gs:***@db.example:5432/gs"),  # password hidden
        ("postgresql://gs@db.example/gs", "postgresql://gs@db.example/gs"),  # no password: unchanged
        ("sqlite:///tmp/store.db", "sqlite:///tmp/store.db"),  # no credentials at all
        ("postgresql://gs:p@ss@db/gs", "postgresql://gs:***@db/gs"),  # '@' inside the password
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    "env, expected",
    [
        ("", "sqlite:///.groundswell/store.db"),  # unset: the local default
        ("sqlite:////data/gs.db", "sqlite:////data/gs.db"),  # the environment wins
    ],
)
def test_default_store_url(monkeypatch, env: str, expected: str) -> None:
    monkeypatch.setenv("GROUNDSWELL_STORE", env)
    assert default_store_url() == expected


def test_only_the_latest_runs_keep_their_assignments(store) -> None:
    from datetime import timedelta

    from pipelines.store.store import KEEP_ASSIGNMENT_RUNS

    runs = [f"r{i:03d}" for i in range(KEEP_ASSIGNMENT_RUNS + 2)]
    for i, run in enumerate(runs):
        when = MARCH + timedelta(days=i)
        store.start_run(run, when.date().isoformat(), when)
        store.finish_run(run, finished_at=when, record={}, themes=_theme_rows("T1"), assignments={f"a#{i}": "T1"})
    with store.engine.connect() as con:
        kept = {r[0] for r in con.execute(select(s.assignments.c.run_id).distinct())}
        total = con.execute(select(func.count()).select_from(s.runs)).scalar_one()
    assert kept == set(runs[2:])  # the two oldest runs' assignments are gone
    assert total == len(runs)  # their records stay
    assert {t.theme_id: t.members for t in store.load_themes()}["T1"] == frozenset({f"a#{len(runs) - 1}"})
