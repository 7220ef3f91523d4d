"""Tests for pipelines.readers: every SPEC.md input format, sidecars, quarantine."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.errors import InputError, StrategyError
from nlp.records import Document, Role, Source, StatementKind
from pipelines.readers import FileResult, read_sources, read_strategy

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"


def _one(path: Path, **kwargs: int) -> FileResult:
    results = read_sources([path], **kwargs)
    assert len(results) == 1
    return results[0]


def _doc(result: FileResult, doc_id: str) -> Document:
    return next(doc for doc in result.documents if doc.doc_id == doc_id)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)


# --- format detection ---------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "kind", "doc_ids"),
    [
        # Teams voice tags, dated by the calls.csv beside it
        ("calls/teams/acme-discovery.vtt", "teams_vtt", ["acme-discovery"]),
        # UTF-16 LE with BOM, Teams voice tags
        ("calls/teams/globex-utf16.vtt", "teams_vtt", ["globex-utf16"]),
        # Zoom 'Name: text' cues
        ("calls/zoom/initech-demo.vtt", "zoom_vtt", ["initech-demo"]),
        # SubRip
        ("calls/zoom/umbrella-call.srt", "srt", ["umbrella-call"]),
        # Gong JSON with two calls: '<stem>-<callId>'
        ("gong/gong-week10.json", "gong_json",
         ["gong-week10-7782342274025937895", "gong-week10-999"]),
        # 'Name: text' lines
        ("text/hooli-sync.txt", "text_transcript", ["hooli-sync"]),
        # Otter-style 'Name  0:05' headers
        ("text/otter-export.txt", "text_transcript", ["otter-export"]),
        # canonical CSV; the row with empty text is skipped
        ("notes/canonical.csv", "notes_csv", ["N-1", "N-2"]),
        # canonical JSON Lines
        ("notes/canonical.jsonl", "notes_jsonl", ["J-1"]),
        # Salesforce Task export in cp1252; the task without Description is skipped
        ("notes/salesforce_task.csv", "salesforce_task", ["00T1", "00T2"]),
        # Salesforce ContentNote: base64 and HTML content
        ("notes/salesforce_contentnote.csv", "salesforce_contentnote", ["069A", "069B"]),
        # HubSpot UI export with 'Note ID' / 'Create date' / 'Note body'
        ("notes/hubspot.csv", "hubspot_notes", ["501"]),
        # HubSpot API records with 'properties' and hs_* names
        ("notes/hubspot.jsonl", "hubspot_notes", ["601", "602"]),
        # a sidecar gives no documents
        ("calls/teams/calls.csv", "sidecar", []),
        # the other sidecar
        ("calls/teams/team.csv", "sidecar", []),
    ],
)
def test_read_sources_detects_kind(relative: str, kind: str, doc_ids: list[str]) -> None:
    result = _one(INPUTS / relative)
    assert result.quarantined is None
    assert result.kind == kind
    assert [doc.doc_id for doc in result.documents] == doc_ids


def test_read_sources_content_hash_is_sha256_of_bytes() -> None:
    path = INPUTS / "calls/zoom/umbrella-call.srt"
    assert _one(path).content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        # a .txt that is really WebVTT
        ("call.txt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nAnn: Hi there\n", "zoom_vtt"),
        # a .txt that is really SubRip
        ("call.txt", "1\n00:00:00,000 --> 00:00:01,000\nAnn: Hi there\n", "srt"),
        # Gong JSON saved as .jsonl
        ("call.jsonl", '{"callTranscripts": [{"callId": "1", "transcript": [{"speakerId": "1",'
         ' "sentences": [{"start": 0, "end": 10, "text": "Hi"}]}]}]}', "gong_json"),
        # a .json array of canonical notes
        ("notes.json", '[{"id": "a", "created_at": "2024-01-01", "text": "Hi"}]', "notes_jsonl"),
        # a file without extension holding WebVTT
        ("transcript", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Ann>Hi</v>\n", "teams_vtt"),
        # a semicolon-separated CSV (European Excel)
        ("notes.csv", "id;created_at;text\n1;2024-01-01;Hallo\n", "notes_csv"),
        # a tab-separated .tsv
        ("notes.tsv", "id\tcreated_at\ttext\n1\t2024-01-01\tHello\n", "notes_csv"),
    ],
)
def test_read_sources_detects_by_content(
    tmp_path: Path, name: str, content: str, kind: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = _one(path)
    assert result.quarantined is None, result.quarantined
    assert result.kind == kind


# --- transcripts ----------------------------------------------------------------


def test_read_sources_teams_vtt_merges_turns_and_applies_sidecars() -> None:
    doc = _one(INPUTS / "calls/teams/acme-discovery.vtt").documents[0]
    assert doc.source is Source.CALL
    assert [(t.speaker, t.role) for t in doc.turns] == [
        ("Jane Doe", Role.REP), ("Bob Buyer", Role.CUSTOMER), ("Jane Doe", Role.REP),
    ]
    first = doc.turns[0]
    assert (first.start_s, first.end_s) == (1.0, 7.0)
    assert first.text == "Thanks for joining, everyone. Shall we start with your current setup?"
    assert doc.turns[1].text == "Sure. Our biggest pain is the SSO setup & audit logs."
    # calls.csv: +01:00 converted to naive UTC, CRM context, rep as author
    assert doc.created_at == datetime(2024, 3, 5, 13, 0)
    assert doc.dated_by == "calls.csv"
    assert (doc.account_id, doc.account_name, doc.segment) == ("001A", "Acme Corp", "mid-market")
    assert (doc.opportunity_id, doc.stage, doc.outcome) == ("006X", "Discovery", "open")
    assert doc.amount == 12500.0
    assert doc.author == "Jane Doe"


def test_read_sources_call_missing_from_calls_csv_dated_by_mtime(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = INPUTS / "calls/teams/globex-utf16.vtt"
    with caplog.at_level(logging.WARNING):
        doc = _one(path).documents[0]
    assert doc.dated_by == "file mtime"
    assert doc.created_at == _mtime(path)
    assert "globex-utf16" in caplog.text and "modification time" in caplog.text
    # UTF-16 decoded; team.csv makes the unknown name a customer
    assert [(t.speaker, t.role) for t in doc.turns] == [
        ("Jane Doe", Role.REP), ("Jürgen Kunde", Role.CUSTOMER),
    ]
    assert doc.turns[0].text == "Hallo, schön dich zu sehen."


def test_read_sources_zoom_vtt_without_team_has_unknown_roles() -> None:
    doc = _one(INPUTS / "calls/zoom/initech-demo.vtt").documents[0]
    assert [(t.speaker, t.role, t.start_s, t.end_s) for t in doc.turns] == [
        ("Sam Seller", Role.UNKNOWN, 0.0, 2.0),
        ("Pat Prospect", Role.UNKNOWN, 2.0, 8.0),  # the unprefixed cue continues Pat
        ("Sam Seller", Role.UNKNOWN, 8.0, 10.0),
    ]
    assert doc.turns[1].text == "We need a Salesforce integration. It has to sync both ways."


def test_read_sources_srt_strips_tags_and_merges() -> None:
    doc = _one(INPUTS / "calls/zoom/umbrella-call.srt").documents[0]
    assert [(t.speaker, t.start_s, t.end_s) for t in doc.turns] == [
        ("Sam Seller", 0.0, 2.5), ("Ann Admin", 2.5, 9.0),
    ]
    assert doc.turns[1].text == "Slow. Very slow. We need better docs."


def test_read_sources_gong_parties_roles_and_times() -> None:
    result = _one(INPUTS / "gong/gong-week10.json")
    call = _doc(result, "gong-week10-7782342274025937895")
    assert [(t.speaker, t.role, t.start_s, t.end_s) for t in call.turns] == [
        ("Rita Rep", Role.REP, 0.46, 2.5),  # two topic blocks of one speaker merged
        ("Carl Customer", Role.CUSTOMER, 2.6, 7.25),
    ]
    assert call.turns[1].text == "Your price is too high. Competitor X is cheaper."
    assert (call.created_at, call.dated_by, call.outcome) == (
        datetime(2024, 3, 8, 9, 30), "calls.csv", "won")
    other = _doc(result, "gong-week10-999")
    # calls.csv may also name a Gong call by its bare callId; M/D/YYYY h:mm PM
    assert (other.created_at, other.outcome) == (datetime(2024, 3, 9, 14, 15), "lost")
    # a speaker no party names keeps its speakerId, role unknown
    assert [(t.speaker, t.role) for t in other.turns] == [("333", Role.UNKNOWN)]


def test_read_sources_gong_single_call_uses_file_name(tmp_path: Path) -> None:
    path = tmp_path / "one-call.json"
    path.write_text(
        '{"callTranscripts": [{"callId": "42", "transcript": [{"speakerId": "s1", '
        '"sentences": [{"start": 1000, "end": 2000, "text": "Hello."}]}]}], '
        '"calls": [{"metaData": {"id": "42", "started": "2024-02-01T10:00:00-08:00"}, '
        '"parties": [{"speakerId": "s1", "name": "Dana", "affiliation": "External"}]}]}',
        encoding="utf-8",
    )
    doc = _one(path).documents[0]
    assert doc.doc_id == "one-call"
    assert (doc.created_at, doc.dated_by) == (datetime(2024, 2, 1, 18, 0), "export")
    assert [(t.speaker, t.role) for t in doc.turns] == [("Dana", Role.CUSTOMER)]


def test_read_sources_text_transcripts() -> None:
    plain = _one(INPUTS / "text/hooli-sync.txt").documents[0]
    assert [t.speaker for t in plain.turns] == ["Sam Seller", "Lee Lead", "Sam Seller"]
    assert plain.turns[1].text == (
        "Happy to. Our main issue is reporting, it takes days to build a dashboard.")
    otter = _one(INPUTS / "text/otter-export.txt").documents[0]
    assert [(t.speaker, t.start_s, t.end_s) for t in otter.turns] == [
        ("Sam Seller", 5.0, 12.0), ("Lee Lead", 12.0, 62.0), ("Sam Seller", 62.0, None),
    ]
    assert otter.turns[1].text == (
        "The per-seat price is too high for us. We would prefer usage based.")


# --- sidecars -------------------------------------------------------------------


def test_read_sources_team_csv_applies_to_subfolders(tmp_path: Path) -> None:
    (tmp_path / "team.csv").write_text("name,email\nSAM  seller,sam@x.com\n", encoding="utf-8")
    sub = tmp_path / "emea"
    sub.mkdir()
    (sub / "c1.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\nSam Seller: Hi\n\n"
        "2\n00:00:01,000 --> 00:00:02,000\nKim Client: Hello\n", encoding="utf-8")
    (sub / "calls.csv").write_text("call_id,started_at\nc1,2024-05-01\n", encoding="utf-8")
    results = read_sources([tmp_path])
    assert [r.kind for r in results] == ["sidecar", "sidecar", "srt"]
    doc = results[-1].documents[0]
    assert [(t.speaker, t.role) for t in doc.turns] == [
        ("Sam Seller", Role.REP), ("Kim Client", Role.CUSTOMER)]
    assert (doc.created_at, doc.dated_by) == (datetime(2024, 5, 1), "calls.csv")


def test_read_sources_given_file_uses_sidecars_beside_it() -> None:
    doc = _one(INPUTS / "calls/teams/acme-discovery.vtt").documents[0]
    assert doc.dated_by == "calls.csv"


def test_read_sources_bad_sidecar_is_quarantined_and_ignored(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("call_id,started_at\nc1,someday\n", encoding="utf-8")
    (tmp_path / "c1.txt").write_text("Ann: Hello\n", encoding="utf-8")
    sidecar, call = read_sources([tmp_path])
    assert sidecar.kind == "sidecar"
    assert sidecar.quarantined is not None
    assert (sidecar.quarantined.line, sidecar.quarantined.field) == (2, "started_at")
    assert call.documents[0].dated_by == "file mtime"


def test_read_sources_skips_hidden_and_is_deterministic(tmp_path: Path) -> None:
    (tmp_path / ".hidden.txt").write_text("Ann: secret\n", encoding="utf-8")
    hidden_dir = tmp_path / ".cache"
    hidden_dir.mkdir()
    (hidden_dir / "x.txt").write_text("Ann: cached\n", encoding="utf-8")
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text("Ann: Hi\n", encoding="utf-8")
    first = read_sources([tmp_path])
    assert [Path(r.path).name for r in first] == ["a.txt", "b.txt"]
    assert first == read_sources([tmp_path])


def test_read_sources_reads_a_file_once_when_reached_twice() -> None:
    folder = INPUTS / "text"
    results = read_sources([folder, folder / "hooli-sync.txt"])
    assert [Path(r.path).name for r in results] == ["hooli-sync.txt", "otter-export.txt"]


def test_read_sources_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_sources([tmp_path / "nope"])


# --- notes ------------------------------------------------------------------------


def test_read_sources_canonical_csv_multiline_and_context() -> None:
    result = _one(INPUTS / "notes/canonical.csv")
    note = _doc(result, "N-1")
    assert note.source is Source.NOTE
    assert note.turns == (note.turns[0],)
    turn = note.turns[0]
    assert (turn.speaker, turn.role, turn.start_s) == ("Jane Doe", Role.UNKNOWN, None)
    assert turn.text == 'Customer asked about SSO.\nThey also want audit logs, "soon".'
    assert note.created_at == datetime(2024, 3, 1, 10, 0)
    assert (note.account_id, note.segment, note.outcome, note.amount) == (
        "001A", "mid-market", "open", 12000.0)
    lost = _doc(result, "N-2")
    assert (lost.outcome, lost.amount, lost.author) == ("lost", None, "Sam Seller")


def test_read_sources_salesforce_task_cp1252(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        result = _one(INPUTS / "notes/salesforce_task.csv")
    assert "cp1252" in caplog.text
    task = _doc(result, "00T1")
    assert task.turns[0].text == "Spoke with the café owner.\nThey need offline mode – urgently."
    assert (task.account_id, task.opportunity_id, task.author) == ("001A", "006X", "005U1")
    assert task.created_at == datetime(2024, 3, 4, 15, 0)
    # no CreatedDate: ActivityDate dates it
    assert _doc(result, "00T2").created_at == datetime(2024, 3, 6)


def test_read_sources_contentnote_base64_html_to_text() -> None:
    result = _one(INPUTS / "notes/salesforce_contentnote.csv")
    assert _doc(result, "069A").turns[0].text == (
        "Acme exec meeting\n\nMet with Acme CFO.\n\nBudget & timing:\nQ3 at the earliest."
        "\n\n- SSO\n- Audit logs")
    other = _doc(result, "069B")
    assert other.turns[0].text == "Globex check-in\n\nThey asked about HIPAA."
    assert other.created_at == datetime(2024, 3, 6, 17, 0)  # -05:00 to UTC


def test_html_list_items_read_as_bullets_and_split_a_note_at_them() -> None:
    from nlp.text import note_items
    from pipelines.readers.htmltext import html_to_text

    text = html_to_text("<p>Call with Dana (CFO)</p><ul><li>Wants SSO via Okta</li><li>Price too high</li></ul>"
                        "<p>Next steps: send deck</p>")
    assert text == "Call with Dana (CFO)\n\n- Wants SSO via Okta\n- Price too high\n\nNext steps: send deck"
    assert note_items(text) == ["Call with Dana (CFO) - Wants SSO via Okta", "Price too high", "Next steps: send deck"]


def test_read_sources_hubspot_exports() -> None:
    ui = _one(INPUTS / "notes/hubspot.csv").documents[0]
    assert ui.turns[0].text == "Prospect wants a Slack integration.\n\nSecond paragraph."
    assert (ui.account_id, ui.account_name, ui.author) == ("9001", "Hooli", "Lee Owner")
    api = _one(INPUTS / "notes/hubspot.jsonl")
    first = _doc(api, "601")
    assert first.created_at == datetime(2024, 3, 7, 8, 26, 40)  # epoch milliseconds
    assert first.turns[0].text == "Asked for EU data residency."
    assert _doc(api, "602").created_at == datetime(2024, 3, 8, 10, 0)


def test_read_sources_jsonl_converts_offset_and_types() -> None:
    note = _one(INPUTS / "notes/canonical.jsonl").documents[0]
    assert note.created_at == datetime(2024, 3, 9, 8, 0)
    assert (note.amount, note.outcome, note.author) == (5000.0, "won", "")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),  # Excel's 'CSV UTF-8'
        ("utf-16-le", codecs.BOM_UTF16_LE),  # Excel's 'Unicode text'
        ("utf-16-be", codecs.BOM_UTF16_BE),  # rare, but a valid BOM
        ("utf-8", b""),  # plain UTF-8
    ],
)
def test_read_sources_decodes_boms(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(bom + "id,created_at,text\nx1,2024-01-01,Grüße aus Köln\n".encode(encoding))
    result = _one(path)
    assert result.quarantined is None
    assert result.documents[0].doc_id == "x1"
    assert result.documents[0].turns[0].text == "Grüße aus Köln"


# --- quarantine -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected", "line", "field"),
    [
        # zero bytes
        ("empty.vtt", "empty", None, None),
        # NUL and control bytes after a WEBVTT header
        ("binary.vtt", "binary", None, None),
        # a timing line cut off mid-way
        ("truncated.vtt", "broken cue timing", 6, None),
        # a cue that ends before it starts
        ("bad-timing.srt", "before it starts", 2, None),
        # JSON cut off mid-object
        ("truncated.json", "invalid or truncated JSON", 1, None),
        # CSV without any known text column
        ("no-text-column.csv", "no note text column", 1, "text"),
        # a date nobody can read, with its line and column
        ("bad-date.csv", "is not a date", 3, "created_at"),
        # a quoted field that never closes
        ("unclosed-quote.csv", "broken CSV quoting", 3, None),
        # a PDF is not an export
        ("slides.pdf", "unsupported file type '.pdf'", None, None),
        # nor is a Word document
        ("memo.docx", "unsupported file type '.docx'", None, None),
        # prose with no speakers
        ("unknown-shape.txt", "no line names a speaker", None, None),
    ],
)
def test_read_sources_quarantines_broken_files(
    name: str, expected: str, line: int | None, field: str | None
) -> None:
    path = INPUTS / "broken" / name
    result = _one(path)
    assert result.documents == ()
    quarantined = result.quarantined
    assert quarantined is not None
    assert expected in quarantined.reason
    assert "Fix:" in quarantined.reason
    assert (quarantined.line, quarantined.field) == (line, field)
    assert quarantined.path == str(path)
    assert quarantined.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_sources_quarantines_whole_folder_without_raising() -> None:
    results = read_sources([INPUTS / "broken"])
    assert len(results) == 11
    assert all(r.quarantined is not None for r in results)


@pytest.mark.parametrize(
    ("limits", "content", "expected"),
    [
        # over the file size limit
        ({"max_file_bytes": 10}, "Ann: Hello there, how are you?\n", "over the 10-byte limit"),
        # a line over the line limit
        ({"max_line_bytes": 40}, "Ann: " + "x" * 100 + "\n", "longer than 40 bytes"),
    ],
)
def test_read_sources_enforces_limits(
    tmp_path: Path, limits: dict[str, int], content: str, expected: str
) -> None:
    path = tmp_path / "call.txt"
    path.write_text(content, encoding="utf-8")
    result = _one(path, **limits)
    assert result.quarantined is not None
    assert expected in result.quarantined.reason
    assert result.content_hash == hashlib.sha256(content.encode()).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # VTT without its header
        ("a.vtt", "00:00:00.000 --> 00:00:01.000\nAnn: Hi\n", "must start with 'WEBVTT'"),
        # Gong JSON with times that are not milliseconds
        ("g.json", '{"callTranscripts": [{"callId": "1", "transcript": [{"speakerId": "1", '
         '"sentences": [{"start": "soon", "end": 5, "text": "Hi"}]}]}]}', "milliseconds"),
        # Gong JSON whose calls hold no speech
        ("g.json", '{"callTranscripts": [{"callId": "1", "transcript": []}]}', "no call"),
        # a JSON file that is neither Gong nor notes
        ("x.json", '"just a string"', "must hold Gong transcript JSON"),
        # JSON Lines with a broken second line
        ("n.jsonl", '{"id": "1", "created_at": "2024-01-01", "text": "a"}\n{"id": 2,\n',
         "not a JSON object"),
        # notes without an id column
        ("n.csv", "created_at,text\n2024-01-01,hello\n", "no note id column"),
        # calls.csv-like data under another name is not a notes file
        ("other.csv", "call_id,started_at\nc1,2024-01-01\n", "no note text column"),
    ],
)
def test_read_sources_quarantines_bad_shapes(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = _one(path)
    assert result.quarantined is not None
    assert expected in result.quarantined.reason


# --- strategy files ---------------------------------------------------------------


def test_read_strategy_yaml_and_markdown() -> None:
    yaml_strategy = read_strategy(INPUTS / "strategy/strategy.yaml")
    assert yaml_strategy.company == "Acme Analytics"
    assert [s.id for s in yaml_strategy.statements][:2] == ["obj-midmarket", "no-public-sector"]
    md = read_strategy(INPUTS / "strategy/strategy.md")
    assert md.path == str(INPUTS / "strategy/strategy.md")
    assert [s.kind for s in md.statements] == [
        StatementKind.OBJECTIVE, StatementKind.OBJECTIVE, StatementKind.NON_TARGET,
        StatementKind.VALUE, StatementKind.VALUE, StatementKind.COMPETITOR,
    ]


def test_read_strategy_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(StrategyError, match="no such strategy file"):
        read_strategy(tmp_path / "strategy.yaml")


def test_read_strategy_sniffs_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "strategy.txt"
    path.write_text("statements:\n  - {id: a, kind: focus, text: x}\n", encoding="utf-8")
    with pytest.raises(StrategyError) as info:
        read_strategy(path)
    assert info.value.line == 2 and info.value.field == "kind"


# --- properties -------------------------------------------------------------------

_EXTENSIONS = [".vtt", ".srt", ".json", ".jsonl", ".txt", ".csv", ".tsv", "", ".pdf"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), extension=st.sampled_from(_EXTENSIONS))
def test_read_sources_never_raises_on_arbitrary_bytes(data: bytes, extension: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{extension}"
        path.write_bytes(data)
        results = read_sources([path])
    assert len(results) == 1
    result = results[0]
    assert result.content_hash == hashlib.sha256(data).hexdigest()
    if result.quarantined is not None:
        assert "internal error" not in result.quarantined.reason
        assert result.documents == ()


_TEXTY = st.text(
    alphabet=st.sampled_from(list("WEBVTT0123456789:.,->\n <v/>Ann:{}[]\"id,created_at,text")),
    max_size=400,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTY, extension=st.sampled_from(_EXTENSIONS[:-1]))
def test_read_sources_never_raises_on_near_miss_text(text: str, extension: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{extension}"
        path.write_text(text, encoding="utf-8")
        os.utime(path, (0, 0))
        result = read_sources([path])[0]
    if result.quarantined is not None:
        assert "internal error" not in result.quarantined.reason
    else:
        assert result.documents
        assert all(doc.turns for doc in result.documents)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.text(alphabet=st.sampled_from('ab,;"\n\r\t{}[]:é 0-'), max_size=60), max_size=20),
       extension=st.sampled_from([".csv", ".jsonl"]), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_stream_file_raises_only_read_failure(lines: list[str], extension: str, encoding: str) -> None:
    from pipelines.readers import ReadFailure, ReadLimits, plan_sources, stream_file

    header = "id,created_at,text\n" if extension == ".csv" else ""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"notes{extension}"
        path.write_bytes((header + "\n".join(lines)).encode(encoding, errors="replace"))
        source = plan_sources([path])[0]
        try:
            streamed = stream_file(source, limits=ReadLimits(10_000, 40))
            docs = list(streamed.documents)
        except ReadFailure as failure:
            assert "internal error" not in failure.quarantined.reason
            assert failure.quarantined.content_hash == source.content_hash
        else:
            assert docs and streamed.kind in {"notes_csv", "notes_jsonl"}
