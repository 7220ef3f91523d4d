"""Ingest: the ledger, sidecar scope, streaming, quarantine, migrations, and a held-out corpus."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nlp.errors import ConfigError
from nlp.pii import name_model_id
from nlp.records import Role
from pipelines.mine import ingest_sources
from pipelines.readers import ReadFailure, ReadLimits, plan_sources, read_file, stream_file
from pipelines.settings import Settings
from pipelines.store import Store
from pipelines.store import schema as s

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "ingest_corpus"
INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"

# What the corpus seeds into the text: none may reach any output.
SEEDED = [
    "olivia.chen@contoso-mail.example", "sven.larsen@wingtip.example", "rob.miles@contoso-mail.example",
    "ap.team@tailspin.example", "exec.sponsor@wingtip.example", "j.doe@litware.example",
    "+44 20 7946 0958", "020 7946 0958", "(415) 555-0100", "+49 30 1234567", "+1 212 555 0199",
    "+33 1 23 45 67 89", "(646) 555-0142", "+44 7700 900123",
    "4111 1111 1111 1111", "5500 0055 5555 5559", "378282246310005",
    "GB82 WEST 1234 5698 7654 32", "123-45-6789",
]
SEEDED_DIGITS = ["4111111111111111", "5500005555555559", "378282246310005", "442079460958", "4155550100"]

GOOD = {  # doc_id -> {speaker: role} (notes: the author, role unknown)
    "teams-contoso-discovery": {"Priya Raman": "rep", "Olivia Chen": "customer"},
    "zoom-fabrikam-demo": {"Marco Diaz": "rep", "Tom Becker": "customer"},
    "srt-tailspin-pricing": {"Priya Raman": "rep", "Nina Alvarez": "customer"},
    "gong-weekly": {"Marco Diaz": "rep", "Sven Larsen": "customer"},
    "otter-litware-sync": {"Marco Diaz": "rep", "Hana Kim": "customer"},
    "N-100": {"Priya Raman": "unknown"}, "N-101": {"Marco Diaz": "unknown"},
    "00TX1": {"005P1": "unknown"}, "00TX2": {"005P1": "unknown"},
    "069X1": {"": "unknown"}, "069X2": {"": "unknown"},
    "7001": {"Lee Owner": "unknown"},
    "J-200": {"": "unknown"}, "J-201": {"": "unknown"},
}
BROKEN = {  # file -> a words of its reason
    "empty.vtt": "empty", "recording.vtt": "binary", "gong-cut.json": "truncated JSON",
    "export-columns.csv": "no note text column", "bad-timing.srt": "ends", "deck.pdf": "unsupported file type",
}


@pytest.fixture(scope="module")
def splitter():
    from nlp.text import load_sentence_splitter

    return load_sentence_splitter()


@pytest.fixture
def store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield st
    st.dispose()


def _ingest(store: Store, sources: list[Path], splitter, run: str = "r1", **ingest: object):
    settings = Settings()
    if ingest:
        settings = settings.model_copy(update={"ingest": settings.ingest.model_copy(update=ingest)})
    return ingest_sources(store, sources, run, settings, splitter)


def _segments(store: Store) -> list[tuple]:
    with store.engine.connect() as con:
        return [tuple(r) for r in con.execute(
            select(s.segments.c.segment_id, s.segments.c.doc_id, s.segments.c.speaker,
                   s.segments.c.speaker_role, s.segments.c.created_at, s.segments.c.text)
            .order_by(s.segments.c.segment_id))]


def _count(store: Store, table) -> int:
    with store.engine.connect() as con:
        return int(con.execute(select(func.count()).select_from(table)).scalar_one())


# --- planning ----------------------------------------------------------------------


def test_plan_sources_hashes_files_and_scopes_sidecars_to_transcripts() -> None:
    plan = {Path(f.path).name: f for f in plan_sources([CORPUS / "exports"])}
    assert plan["calls.csv"].is_sidecar and plan["team.csv"].is_sidecar
    teams = plan["teams-contoso-discovery.vtt"]
    assert [Path(p).name for p in teams.sidecars] == ["calls.csv", "team.csv"]
    assert teams.sidecar_hash and teams.sidecar_hash == plan["gong-weekly.json"].sidecar_hash
    assert plan["notes.csv"].sidecar_hash == "" and plan["notes.csv"].sidecars == ()  # notes take no sidecars
    import hashlib

    assert teams.content_hash == hashlib.sha256(Path(teams.path).read_bytes()).hexdigest()


# --- the ledger --------------------------------------------------------------------


def test_ingest_twice_adds_nothing_and_reports_quarantine_again(store, splitter) -> None:
    first = _ingest(store, [CORPUS / "exports"], splitter, "r1")
    before = _segments(store)
    second = _ingest(store, [CORPUS / "exports"], splitter, "r2")
    assert first.new_documents == len(GOOD) and second.new_documents == 0
    assert second.unchanged_documents == len(GOOD)
    assert sorted(Path(q.path).name for q in second.quarantined) == sorted(BROKEN)
    assert [q.reason for q in second.quarantined] == [q.reason for q in first.quarantined]
    assert _segments(store) == before
    with store.engine.connect() as con:
        assert set(con.execute(select(s.files.c.last_run)).scalars()) == {"r2"}


def test_ingest_changed_sidecar_rereads_only_its_transcripts(tmp_path, store, splitter) -> None:
    src = tmp_path / "exports"
    shutil.copytree(CORPUS / "exports" / "calls", src / "calls")
    shutil.copytree(CORPUS / "exports" / "crm", src / "crm")
    _ingest(store, [src], splitter, "r1")
    calls = src / "calls" / "calls.csv"
    calls.write_text(calls.read_text().replace("2026-10-01T15:00:00Z", "2026-10-02T15:00:00Z"))
    team = src / "calls" / "team.csv"
    team.write_text(team.read_text() + "Hana Kim,hana@ourco.example\n")
    report = _ingest(store, [src], splitter, "r2")
    assert report.new_documents == 5  # the five transcripts, not the notes
    with store.engine.connect() as con:
        rows = dict(con.execute(select(s.documents.c.doc_id, s.documents.c.created_at)).all())
        roles = set(con.execute(select(s.segments.c.speaker, s.segments.c.speaker_role)
                                .where(s.segments.c.doc_id == "otter-litware-sync")).all())
    assert rows["teams-contoso-discovery"].day == 2
    assert ("Hana Kim", "rep") in roles


def test_ingest_changed_file_replaces_its_documents_without_duplicates(tmp_path, store, splitter) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("id,created_at,text\nA,2026-10-01,SSO with Okta is required.\n"
                     "B,2026-10-02,Needs a sandbox for approval rules.\n")
    _ingest(store, [notes], splitter, "r1")
    notes.write_text("id,created_at,text\nA,2026-10-01,SSO with Azure AD is required now.\n")
    report = _ingest(store, [notes], splitter, "r2")
    assert report.new_documents == 1
    assert [(r[1], r[5]) for r in _segments(store)] == [("A", "SSO with Azure AD is required now.")]
    assert _count(store, s.documents) == 1


def test_ingest_quarantined_file_is_not_retried_until_it_changes(tmp_path, store, splitter) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("id,created_at,text\nA,2026-10-01,Fine note about SSO.\n")
    _ingest(store, [notes], splitter, "r1")
    # a half-written export: quarantined, and the last good version is kept
    notes.write_text("id,created_at,text\nA,2026-10-01,Fine note about SSO.\nB,next week,broken date\n")
    report = _ingest(store, [notes], splitter, "r2")
    assert [q.line for q in report.quarantined] == [3]
    assert [r[1] for r in _segments(store)] == ["A"]
    again = _ingest(store, [notes], splitter, "r3")
    assert [q.reason for q in again.quarantined] == [report.quarantined[0].reason]
    assert store.file_entry(str(notes)).status == "quarantined"
    notes.write_text("id,created_at,text\nA,2026-10-01,Fine note about SSO.\nB,2026-10-03,Fixed date now.\n")
    fixed = _ingest(store, [notes], splitter, "r4")
    assert fixed.quarantined == () and [r[1] for r in _segments(store)] == ["A", "B"]


def test_ingest_redaction_setting_change_rereads_files(tmp_path, store, splitter) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("id,created_at,text\nA,2026-10-01,Mail dana@acme.example about SSO.\n")
    _ingest(store, [notes], splitter, "r1", redact_pii=False)
    assert "dana@acme.example" in _segments(store)[0][5]
    report = _ingest(store, [notes], splitter, "r2", redact_pii=True)
    assert report.new_documents == 1 and _segments(store)[0][5] == "Mail <EMAIL> about SSO."


# --- streaming and limits ----------------------------------------------------------


def test_stream_file_reads_a_large_csv_row_by_row_and_rejects_a_bad_row_late(tmp_path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,created_at,text\n")
        for i in range(20_000):
            fh.write(f'N{i},2026-10-01,"Note {i} about approvals,\nsecond line"\n')
        fh.write("BAD,not a date,text\n")
    source = plan_sources([path])[0]
    streamed = stream_file(source)
    first = next(streamed.documents)  # the first row arrives before the file is read through
    assert (streamed.kind, first.doc_id) == ("notes_csv", "N0")
    with pytest.raises(ReadFailure) as info:
        for _ in streamed.documents:
            pass
    assert info.value.quarantined.line == 40_002 and info.value.quarantined.field == "created_at"


@pytest.mark.parametrize(
    ("name", "content", "limits", "reason"),
    [
        # a line over max_line_bytes in a streamed CSV, found at its line
        ("long.csv", "id,created_at,text\n1,2026-10-01," + "x" * 3000 + "\n", ReadLimits(10_000, 1000),
         "line 2: line is longer than 1,000 bytes"),
        # a line over max_line_bytes in JSON Lines
        ("long.jsonl", '{"id": "1", "created_at": "2026-10-01", "text": "ok"}\n'
         + json.dumps({"id": "2", "created_at": "2026-10-01", "text": "y" * 3000}) + "\n",
         ReadLimits(10_000, 1000), "line 2: line is longer than 1,000 bytes"),
        # a file over max_file_bytes is quarantined unread
        ("big.csv", "id,created_at,text\n" + "1,2026-10-01,hello\n" * 200, ReadLimits(1000, 1000),
         "over the 1,000-byte limit"),
        # a transcript over max_line_bytes
        ("call.txt", "Ann: " + "z" * 3000 + "\n", ReadLimits(10_000, 1000), "line is longer than 1,000 bytes"),
    ],
)
def test_read_file_size_limits_hold(tmp_path, name, content, limits, reason) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = read_file(plan_sources([path])[0], limits=limits)
    assert result.quarantined is not None and reason in result.quarantined.reason


def test_stream_file_utf16_csv_with_bom_streams(tmp_path) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes("id,created_at,text\n1,2026-10-01,Café owners need offline mode\n".encode("utf-16"))
    result = read_file(plan_sources([path])[0])
    assert result.quarantined is None and result.documents[0].turns[0].text == "Café owners need offline mode"


# --- migrations --------------------------------------------------------------------

V1_FILES = """CREATE TABLE gs_files (path VARCHAR(1024) PRIMARY KEY, content_hash VARCHAR(64) NOT NULL,
 kind VARCHAR(40) NOT NULL, status VARCHAR(16) NOT NULL, reason TEXT NOT NULL, line INTEGER,
 field VARCHAR(200), documents INTEGER NOT NULL, first_run VARCHAR(64) NOT NULL, last_run VARCHAR(64) NOT NULL)"""


def test_store_migrates_a_version_1_store_keeping_its_rows(tmp_path) -> None:
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE gs_meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)")
    con.execute("INSERT INTO gs_meta VALUES ('schema_version', '1')")
    con.execute(V1_FILES)
    con.execute("INSERT INTO gs_files VALUES ('a.vtt', 'h', 'teams_vtt', 'ok', '', NULL, NULL, 1, 'r0', 'r0')")
    con.commit()
    con.close()
    st = Store(f"sqlite:///{db}")
    try:
        assert st.upgraded_from == 1 and st.schema_version() == s.SCHEMA_VERSION
        entry = st.file_entry("a.vtt")
        assert (entry.content_hash, entry.sidecar_hash, entry.config_hash, entry.documents) == ("h", "", "", 1)
        assert _count(st, s.segments) == 0  # tables new since version 1 were created
    finally:
        st.dispose()
    again = Store(f"sqlite:///{db}")  # opening again runs nothing
    try:
        assert again.upgraded_from == s.SCHEMA_VERSION
    finally:
        again.dispose()


def test_store_new_store_is_stamped_and_newer_store_refused(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    st = Store(url)
    assert st.upgraded_from == 0 and st.schema_version() == s.SCHEMA_VERSION
    st.dispose()
    con = sqlite3.connect(tmp_path / "new.db")
    con.execute("UPDATE gs_meta SET value = ? WHERE key = 'schema_version'", (str(s.SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    with pytest.raises(ConfigError, match="newer than this groundswell"):
        Store(url)


# --- the held-out corpus, end to end -------------------------------------------------


def _scan_for_seeded(paths: list[Path], texts: list[str]) -> list[str]:
    found = []
    for path in paths:
        data = path.read_bytes().decode("utf-8", errors="replace")
        blobs = [data, html.unescape(data)]
        compact = re.sub(r"[\s\-().+]", "", data)
        for value in SEEDED:
            if any(value in blob for blob in blobs):
                found.append(f"{path.name}: {value}")
        for digits in SEEDED_DIGITS:
            if digits in compact:
                found.append(f"{path.name}: {digits}")
    for text in texts:
        found += [f"store: {v}" for v in SEEDED if v in text]
    return found


@pytest.mark.slow
def test_mine_cli_on_held_out_corpus(prefect_harness, tmp_path) -> None:
    from flows.cli import main

    db = tmp_path / "store.db"
    args = ["mine", "--source", str(CORPUS / "exports"), "--strategy", str(CORPUS / "strategy.md"),
            "--store", f"sqlite:///{db}", "--as-of", "2026-10-31"]
    assert main([*args, "--out", str(tmp_path / "run1")]) == 0
    out = tmp_path / "run1"
    with (out / "segments.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got: dict[str, dict[str, str]] = {}
    for r in rows:
        got.setdefault(r["doc_id"], {})[r["speaker"]] = r["speaker_role"]
    assert got == GOOD
    themes = json.loads((out / "themes.json").read_text())
    assert themes["run"]["counts"]["quarantined"] == len(BROKEN)
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    for name, words in BROKEN.items():
        assert name in page and words in page, name
    with Store(f"sqlite:///{db}").engine.connect() as con:
        texts = list(con.execute(select(s.segments.c.text)).scalars())
        n_docs = con.execute(select(func.count()).select_from(s.documents)).scalar_one()
    assert _scan_for_seeded(sorted(p for p in out.rglob("*") if p.is_file()), texts) == []

    assert main([*args, "--out", str(tmp_path / "run2")]) == 0
    assert (tmp_path / "run2" / "segments.csv").read_bytes() == (out / "segments.csv").read_bytes()
    again = json.loads((tmp_path / "run2" / "themes.json").read_text())
    assert again["run"]["counts"]["quarantined"] == len(BROKEN)
    with Store(f"sqlite:///{db}").engine.connect() as con:
        assert con.execute(select(func.count()).select_from(s.documents)).scalar_one() == n_docs
    assert n_docs == len(GOOD)


def test_ingest_redacts_other_names_but_keeps_speakers(tmp_path, store, splitter) -> None:
    if not name_model_id():
        pytest.skip("no spaCy NER model installed")
    _ingest(store, [CORPUS / "exports" / "calls"], splitter)
    teams = [r for r in _segments(store) if r[1] == "teams-contoso-discovery"]
    texts = " ".join(r[5] for r in teams)
    assert "Gregory Halvorsen" not in texts and "not for <PERSON>." in texts
    assert {(r[2], r[3]) for r in teams} == {("Priya Raman", Role.REP.value), ("Olivia Chen", Role.CUSTOMER.value)}
