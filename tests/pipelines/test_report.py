"""Tests for the output bundle writers (pipelines/report)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import plotly.offline
import pytest

from nlp.records import (
    BUNDLE_SCHEMA,
    Bundle,
    Flag,
    FlagKind,
    Quarantined,
    Role,
    Run,
    Segment,
    Source,
    Statement,
    StatementKind,
    Strategy,
    Theme,
    ThemeMatch,
    ThemeStatus,
    Trend,
)
from pipelines.report import BUNDLE_FILES, render_bundle, write_bundle
from pipelines.report.csv_out import COACHING_COLUMNS, SEGMENT_COLUMNS
from pipelines.report.safety import csv_cell, format_offset, json_for_script, md_inline, shorten

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HOSTILE_LABEL = "</script><script>alert(2)</script> label"

# ---------------------------------------------------------------- fixture helpers


def _seg(
    sid: str,
    role: Role,
    text: str,
    *,
    speaker: str,
    start: float | None = None,
    outcome: str = "",
    account: str = "",
    day: int = 3,
) -> Segment:
    doc_id = sid.split("#")[0]
    source = Source.NOTE if start is None else Source.CALL
    return Segment(
        segment_id=sid,
        doc_id=doc_id,
        source=source,
        speaker=speaker,
        speaker_role=role,
        created_at=datetime(2024, 6, day, 15, 30),
        text=text,
        start_s=start,
        end_s=None if start is None else start + 6.25,
        account_name=account,
        outcome=outcome,
    )


def _theme(
    tid: str,
    label: str,
    status: ThemeStatus,
    members: tuple[str, ...],
    match: ThemeMatch | None,
) -> Theme:
    return Theme(
        id=tid,
        label=label,
        keywords=tuple(label.lower().split()[:3]),
        size=len(members) * 10,
        customer_share=0.666666,
        first_seen=date(2024, 3, 1),
        last_seen=date(2024, 6, 20),
        status=status,
        trend=Trend(
            window_days=28,
            recent=0.123456,
            baseline=0.012345,
            growth=3.333333,
            p_value=0.000123,
            recent_count=9,
            baseline_count=1,
            recent_accounts=4,
            top_account_share=0.25,
            weekly=(("2024-05-27", 1), ("2024-06-03", 3), ("2024-06-10", 2), ("2024-06-17", 5)),
        ),
        strategy_match=match,
        exemplars=members[:2],
        members=members,
    )


def make_bundle() -> Bundle:
    """A small bundle with three calls, two notes (one hostile), three themes and three flags."""
    segments = (
        _seg("call-a#0", Role.REP, "Thanks for joining, how is the quarter going?", speaker="Rita Rep", start=0.0, outcome="won", account="Northwind"),
        _seg("call-a#1", Role.CUSTOMER, "Honestly your pricing is too expensive compared to Coupa for a team our size.", speaker="Carl Buyer", start=12.5, outcome="won", account="Northwind"),
        _seg("call-a#2", Role.REP, "We price per approver rather than per seat, so for twelve approvers you pay less than Coupa and it pays back in one quarter.", speaker="Rita Rep", start=20.0, outcome="won", account="Northwind"),
        _seg("call-a#3", Role.CUSTOMER, "=SUM(A1:A9) and what about SSO for our auditors?", speaker="Carl Buyer", start=75.0, outcome="won", account="Northwind"),
        _seg("call-a#4", Role.REP, "-We support SAML single sign-on and share our SOC 2 report under NDA.", speaker="Rita Rep", start=81.0, outcome="won", account="Northwind"),
        _seg("call-b#0", Role.CUSTOMER, "The budget is tight this year but the price of the tool is the main question.", speaker="Gina Lee", start=5.0, outcome="lost", account="Globex"),
        _seg("call-b#1", Role.REP, "Understood, I will ask my manager about a discount for you.", speaker="Sam Seller", start=14.0, outcome="lost", account="Globex"),
        _seg("call-c#0", Role.CUSTOMER, "Could the state agency buy this through a public tender?", speaker="Olu Ade", start=3661.0, outcome="open", account="City of Springfield"),
        _seg("call-c#1", Role.REP, "We can look at that with our partner who handles public sector tenders.", speaker="Sam Seller", start=3670.0, outcome="open", account="City of Springfield"),
        _seg("note-1#0", Role.UNKNOWN, HOSTILE + " wants SSO before signing", speaker="+ops@evil.example", account="@Initech", day=10),
        _seg("note-2#0", Role.UNKNOWN, "Asked about the weather.\nNothing else.", speaker="", day=11),
    )
    assignments = {
        "call-a#1": "t-pricing",
        "call-b#0": "t-pricing",
        "call-a#3": "t-security",
        "note-1#0": "t-security",
        "call-c#0": "t-public",
    }
    statements = (
        Statement("fast-approvals", StatementKind.VALUE, "Invoices approved in a day, not a week"),
        Statement("push-erp", StatementKind.PRIORITY, "Push ERP integrations in every deal"),
        Statement("no-public-sector", StatementKind.NON_TARGET, "We do not sell to public sector agencies"),
        Statement("rivals", StatementKind.COMPETITOR, "We compete with Coupa and SAP Ariba"),
    )
    themes = (
        _theme("t-pricing", "Pricing per approver", ThemeStatus.GROWING, ("call-a#1", "call-b#0"),
               ThemeMatch("fast-approvals", StatementKind.VALUE, 0.612345, 0.8)),
        _theme("t-security", HOSTILE_LABEL, ThemeStatus.EMERGING, ("call-a#3", "note-1#0"), None),
        _theme("t-public", "Public sector tenders", ThemeStatus.EMERGING, ("call-c#0",),
               ThemeMatch("no-public-sector", StatementKind.NON_TARGET, 0.71, 0.9)),
    )
    flags = (
        Flag("f-1", FlagKind.FIELD_AHEAD, "t-security", None, 0.912345,
             "Customers ask for SSO and audits, which no statement covers " + HOSTILE, ("note-1#0", "call-a#3", "gone#9")),
        Flag("f-2", FlagKind.OFF_STRATEGY, "t-public", "no-public-sector", 0.55,
             "Public sector buyers keep asking although we said no", ("call-c#0",)),
        Flag("f-3", FlagKind.STRATEGY_UNHEARD, None, "push-erp", 0.4,
             "Customers barely mention ERP integrations", ()),
    )
    alignment = tuple(
        (t.id, s.id, sim)
        for t, row in zip(themes, ((0.61, 0.2, 0.05, 0.3), (0.1, 0.35, 0.0, 0.12), (0.02, 0.1, 0.71, 0.05)))
        for s, sim in zip(statements, row)
    )
    run = Run(
        id="run-2024-06-30",
        as_of=date(2024, 6, 30),
        started_at=datetime(2024, 6, 30, 2, 0, 0),
        finished_at=datetime(2024, 6, 30, 2, 4, 31),
        store="sqlite:///.groundswell/store.db",
        models={"spacy": "en_core_web_sm-3.8.0", "embed": "all-MiniLM-L6-v2@1a2b3c4d"},
        counts={"documents": 5, "segments": len(segments), "quarantined": 1},
    )
    return Bundle(
        run=run,
        strategy=Strategy(statements=statements, company="Acme <Procure>"),
        themes=themes,
        flags=flags,
        segments=segments,
        assignments=assignments,
        quarantined=(Quarantined("calls/broken.vtt", "no cues found " + HOSTILE, line=3, field="cue"),),
        alignment=alignment,
        theme_xy={"t-pricing": (0.1, 0.2), "t-security": (-0.4, 0.5), "t-public": (0.7, -0.3)},
        changes=("New theme: Public sector tenders", "-Pricing per approver grew from stable to growing"),
        no_theme={"note-2#0": "small talk", **{s.segment_id: "rep speech" for s in segments if s.speaker_role == Role.REP}},
    )


class _TagCollector(HTMLParser):
    """Every start tag with its attributes, and each script element's type and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[str | None, str]] = []
        self._script_type: str | None = None
        self._in_script = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script, self._script_type, self._buffer = True, dict(attrs).get("type"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self.scripts.append((self._script_type, "".join(self._buffer)))
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._buffer.append(data)


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return make_bundle()


@pytest.fixture(scope="module")
def written(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(bundle, tmp_path_factory.mktemp("bundle") / "out")


@pytest.fixture(scope="module")
def page(written: Path) -> str:
    return (written / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(page: str) -> _TagCollector:
    collector = _TagCollector()
    collector.feed(page)
    collector.close()
    return collector


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- files and JSON


def test_write_bundle_writes_exactly_the_spec_files(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(BUNDLE_FILES)
    assert set(BUNDLE_FILES) == {
        "report.html", "summary.md", "themes.json", "flags.json",
        "segments.csv", "coaching.csv", "coaching.md",
    }  # fmt: skip


def test_themes_json_round_trip_reads_spec_fields(written: Path, bundle: Bundle) -> None:
    doc = json.loads((written / "themes.json").read_text(encoding="utf-8"))
    assert doc["schema"] == BUNDLE_SCHEMA == "groundswell.bundle.v1"
    assert doc["run"] == {
        "id": "run-2024-06-30",
        "as_of": "2024-06-30",
        "started_at": "2024-06-30T02:00:00",
        "finished_at": "2024-06-30T02:04:31",
        "store": "sqlite:///.groundswell/store.db",
        "models": {"embed": "all-MiniLM-L6-v2@1a2b3c4d", "spacy": "en_core_web_sm-3.8.0"},
        "counts": {"documents": 5, "segments": 11, "quarantined": 1},
    }
    assert [t["id"] for t in doc["themes"]] == [t.id for t in bundle.themes]
    pricing = doc["themes"][0]
    spec_fields = {
        "id", "label", "keywords", "size", "customer_share", "first_seen", "last_seen",
        "status", "trend", "strategy_match", "exemplars",
    }  # fmt: skip
    assert spec_fields <= set(pricing)
    assert pricing["customer_share"] == 0.6667
    assert pricing["first_seen"] == "2024-03-01" and pricing["status"] == "growing"
    assert {"window_days", "recent", "baseline", "growth", "p_value"} <= set(pricing["trend"])
    assert pricing["trend"]["p_value"] == 0.0001 and pricing["trend"]["growth"] == 3.3333
    assert pricing["strategy_match"]["statement_id"] == "fast-approvals"
    assert pricing["strategy_match"]["kind"] == "value"
    assert pricing["strategy_match"]["similarity"] == 0.6123
    assert doc["themes"][1]["strategy_match"] is None
    assert doc["themes"][1]["label"] == HOSTILE_LABEL
    assert pricing["exemplars"] == ["call-a#1", "call-b#0"]


def test_flags_json_round_trip_reads_spec_fields(written: Path) -> None:
    doc = json.loads((written / "flags.json").read_text(encoding="utf-8"))
    assert doc["schema"] == BUNDLE_SCHEMA
    assert doc["run"]["id"] == "run-2024-06-30"
    first, second, third = doc["flags"]
    assert set(first) >= {"id", "kind", "theme_id", "statement_id", "score", "summary", "evidence"}
    assert (first["kind"], first["theme_id"], first["statement_id"], first["score"]) == (
        "field_ahead", "t-security", None, 0.9123,
    )  # fmt: skip
    assert first["evidence"] == ["note-1#0", "call-a#3", "gone#9"]
    assert (second["kind"], second["statement_id"]) == ("off_strategy", "no-public-sector")
    assert (third["kind"], third["theme_id"], third["evidence"]) == ("strategy_unheard", None, [])


def test_render_bundle_is_deterministic(bundle: Bundle, tmp_path: Path) -> None:
    first = write_bundle(bundle, tmp_path / "one")
    second = write_bundle(make_bundle(), tmp_path / "two")
    for name in BUNDLE_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_json_floats_are_rounded_and_finite(bundle: Bundle) -> None:
    nan_theme = dataclasses.replace(
        bundle.themes[0], trend=dataclasses.replace(bundle.themes[0].trend, growth=float("inf"))
    )
    files = render_bundle(dataclasses.replace(bundle, themes=(nan_theme,)))
    doc = json.loads(files["themes.json"])
    assert doc["themes"][0]["trend"]["growth"] is None  # JSON has no Infinity
    assert b"Infinity" not in files["themes.json"] and b"NaN" not in files["themes.json"]


# ---------------------------------------------------------------- CSV


def test_segments_csv_round_trip(written: Path, bundle: Bundle) -> None:
    with open(written / "segments.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == SEGMENT_COLUMNS
    rows = _read_csv(written / "segments.csv")
    assert [r["segment_id"] for r in rows] == [s.segment_id for s in bundle.segments]
    by_id = {r["segment_id"]: r for r in rows}
    assert by_id["call-a#1"]["theme_id"] == "t-pricing"
    assert by_id["call-a#0"]["theme_id"] == ""
    assert (by_id["call-a#1"]["start_s"], by_id["call-a#1"]["end_s"]) == ("12.5", "18.75")
    assert by_id["call-a#1"]["source"] == "call" and by_id["call-a#1"]["speaker_role"] == "customer"
    assert by_id["call-a#1"]["created_at"] == "2024-06-03T15:30:00"
    note = by_id["note-1#0"]
    assert (note["source"], note["speaker_role"], note["start_s"], note["end_s"]) == ("note", "unknown", "", "")
    assert note["text"] == HOSTILE + " wants SSO before signing"
    assert by_id["note-2#0"]["text"] == "Asked about the weather.\nNothing else."
    # Formula-looking cells come back with the neutralising quote.
    assert by_id["call-a#3"]["text"] == "'=SUM(A1:A9) and what about SSO for our auditors?"
    assert note["speaker"] == "'+ops@evil.example"


def test_coaching_csv_round_trip(written: Path) -> None:
    with open(written / "coaching.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == COACHING_COLUMNS
    rows = _read_csv(written / "coaching.csv")
    first = rows[0]
    assert (first["theme_id"], first["statement_id"], first["segment_id"]) == ("t-pricing", "fast-approvals", "call-a#2")
    assert (first["doc_id"], first["speaker"], first["start_s"], first["outcome"]) == ("call-a", "Rita Rep", "20", "won")
    assert "names competitor Coupa" in first["why"]
    assert {r["theme_id"] for r in rows} == {"t-pricing", "t-security", "t-public"}


@pytest.mark.parametrize("name", ["segments.csv", "coaching.csv"])
def test_csv_cells_never_start_with_a_formula_char(written: Path, name: str) -> None:
    with open(written / name, newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),  # formula
        ("+44 20 7946", "'+44 20 7946"),  # looks like a phone number, still a formula to Excel
        ("-2", "'-2"),  # minus
        ("@SUM(A1)", "'@SUM(A1)"),  # Lotus-style function
        ("\tcmd", "'\tcmd"),  # tab
        ("\rcmd", "'\rcmd"),  # carriage return
        ("plain = text", "plain = text"),  # only the first character matters
        ("", ""),  # empty stays empty
    ],
)
def test_csv_cell_neutralises_formulas(value: str, expected: str) -> None:
    assert csv_cell(value) == expected


# ---------------------------------------------------------------- HTML


def test_report_html_has_flags_first_and_every_section(page: str, parsed: _TagCollector) -> None:
    ids = [attrs["id"] for tag, attrs in parsed.tags if tag == "section" and attrs.get("id")]
    assert ids[:2] == ["flags", "changes"]
    assert {"themes", "map", "trends", "alignment", "quarantined"} <= set(ids)
    assert page.index('id="flags"') < page.index('id="themes"')
    assert "Customers barely mention ERP integrations" in page
    assert "Northwind" in page and "call at 1:01:01" in page  # account and time offset of evidence
    assert "New theme: Public sector tenders" in page
    assert "calls/broken.vtt" in page
    assert page.count('class="flag flag-') == 3


def test_report_html_keeps_hostile_text_inert(page: str, parsed: _TagCollector) -> None:
    assert "<script>alert" not in page
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)  # plotly.js aside
    assert not re.search(r"<[^>]*\bonerror\s*=", markup)  # onerror= only inside escaped text
    assert "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, escaped
    for tag, attrs in parsed.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    assert [tag for tag, _ in parsed.tags if tag in ("img", "iframe", "object", "embed", "link", "base")] == []
    # Scripts: plotly.js, the chart renderer, and JSON data blocks only.
    code = [text for kind, text in parsed.scripts if kind is None]
    data = [text for kind, text in parsed.scripts if kind == "application/json"]
    assert len(code) == 2 and len(data) == 2
    for text in data:
        assert "<" not in text and ">" not in text
        json.loads(text)  # the label survives as data
    assert "alert(2)" in data[0] + data[1]


def test_report_html_loads_nothing_from_the_network(page: str, parsed: _TagCollector) -> None:
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not re.match(r"^(https?:)?//", value), (tag, name, value)
            if tag == "a" and name == "href":
                assert value.startswith("#"), value  # only in-page links
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    assert "cdn.plot.ly" not in "".join(a.get("src") or "" for _, a in parsed.tags)
    assert "mathjax" not in page.lower().split("<script>")[0]  # nothing before plotly.js asks for MathJax


def test_report_html_charts_have_no_cloud_or_mathjax(parsed: _TagCollector) -> None:
    configs = [json.loads(text)["config"] for kind, text in parsed.scripts if kind == "application/json"]
    for config in configs:
        assert config["displaylogo"] is False and config["showSendToCloud"] is False
        assert config["plotlyServerURL"] == "" and config["typesetMath"] is False
        assert "sendChartToCloud" in config["modeBarButtonsToRemove"]


def test_report_html_inlines_plotly_js_once(page: str) -> None:
    signature = plotly.offline.get_plotlyjs()[:400]
    assert page.count(signature) == 1


def test_report_html_renders_without_themes_or_flags(bundle: Bundle) -> None:
    empty = dataclasses.replace(
        bundle, themes=(), flags=(), assignments={}, alignment=(), theme_xy={}, changes=(), quarantined=()
    )
    page = render_bundle(empty)["report.html"].decode("utf-8")
    assert 'id="flags"' in page and "No flags in this run" in page
    assert 'data-chart="chart-map"' not in page


# ---------------------------------------------------------------- Markdown


def test_summary_md_reads_flags_with_quotes(written: Path) -> None:
    text = (written / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("# groundswell for Acme \\<Procure\\>: field themes as of 2024-06-30")
    assert "**Field ahead of strategy** (score 0.91)" in text
    assert "\\<script\\>alert(1)\\</script\\>" in text  # escaped, not raw HTML
    assert "<script>" not in text
    assert "Carl Buyer" in text or "ops@evil" in text  # a quote's attribution
    assert len(text.splitlines()) <= 60  # about a page


def test_coaching_md_shows_turns_offsets_and_why(written: Path) -> None:
    text = (written / "coaching.md").read_text(encoding="utf-8")
    assert "## Pricing per approver" in text
    assert "Rita Rep at 00:20 in call call-a (won)" in text
    assert "> **Customer:** Honestly your pricing is too expensive" in text
    assert "names competitor Coupa" in text
    assert "1:01:10" in text  # past an hour


# ---------------------------------------------------------------- atomic writes


def test_write_bundle_replaces_an_older_bundle_and_leaves_no_temp_folders(bundle: Bundle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_bundle(bundle, out)
    newer = dataclasses.replace(bundle, run=dataclasses.replace(bundle.run, id="run-2"))
    write_bundle(newer, out)
    assert json.loads((out / "flags.json").read_text(encoding="utf-8"))["run"]["id"] == "run-2"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted(BUNDLE_FILES)


def test_write_bundle_keeps_files_it_does_not_own(bundle: Bundle, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "themes.json").write_text("old", encoding="utf-8")
    write_bundle(bundle, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert json.loads((out / "themes.json").read_text(encoding="utf-8"))["schema"] == BUNDLE_SCHEMA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_write_bundle_rejects_a_file_as_out_dir(bundle: Bundle, tmp_path: Path) -> None:
    target = tmp_path / "report"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="must be a folder"):
        write_bundle(bundle, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_write_bundle_creates_missing_parents(bundle: Bundle, tmp_path: Path) -> None:
    out = write_bundle(bundle, tmp_path / "a" / "b" / "out")
    assert (out / "report.html").is_file()


# ---------------------------------------------------------------- safety helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"label": "</script><b>"}, '{"label":"\\u003c/script\\u003e\\u003cb\\u003e"}'),  # tag breakout
        ({"a": "x & y"}, '{"a":"x \\u0026 y"}'),  # ampersand
        ({"a": "<!--"}, '{"a":"\\u003c!--"}'),  # comment opener
        ({"a": "\u2028"}, '{"a":"\\u2028"}'),  # JS line separator
    ],
)
def test_json_for_script_escapes_html_specials(value: dict[str, str], expected: str) -> None:
    assert json_for_script(value) == expected
    assert json.loads(json_for_script(value)) == value


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, ""),  # a note
        (0, "00:00"),  # start of call
        (75.9, "01:15"),  # fractions dropped
        (3661, "1:01:01"),  # past an hour
    ],
)
def test_format_offset(seconds: float | None, expected: str) -> None:
    assert format_offset(seconds) == expected


def test_md_inline_and_shorten() -> None:
    assert md_inline("a *b*\n[c](x) <i>") == "a \\*b\\* \\[c\\](x) \\<i\\>"
    assert shorten("word " * 100, 30).endswith("\u2026") and len(shorten("word " * 100, 30)) <= 30
    assert shorten("short", 30) == "short"


def test_segments_csv_is_utf8(bundle: Bundle) -> None:
    accented = dataclasses.replace(bundle.segments[1], text="Prix trop élevé — 価格")
    files = render_bundle(dataclasses.replace(bundle, segments=(accented,)))
    rows = list(csv.DictReader(io.StringIO(files["segments.csv"].decode("utf-8"))))
    assert rows[0]["text"] == "Prix trop élevé — 価格"


def test_write_bundle_into_the_current_folder_keeps_other_files(
    bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "strategy.yaml").write_text("statements: []", encoding="utf-8")
    monkeypatch.chdir(work)
    write_bundle(bundle, Path("."))
    assert sorted(p.name for p in work.iterdir()) == sorted([*BUNDLE_FILES, "strategy.yaml"])
    assert [p.name for p in tmp_path.iterdir()] == ["work"]


# ---------------------------------------------------------------- flag context, related themes, lineage


def test_report_html_shows_flag_context_related_themes_and_lineage(bundle: Bundle) -> None:
    from nlp.records import LineageEvent, LineageKind

    flag = dataclasses.replace(
        bundle.flags[0],
        context={"accounts_affected": ["<b>Acme</b>", "Globex"], "win_rate": {"raising": 0.625, "baseline": 0.4}},
        related_themes=(bundle.themes[-1].id,),
    )
    event = LineageEvent(LineageKind.MERGED, ("T0007", "T0008"), (bundle.themes[0].id,), "Two themes <i>merged</i>.")
    page = render_bundle(dataclasses.replace(bundle, flags=(flag, *bundle.flags[1:]), lineage=(event,)))[
        "report.html"
    ].decode("utf-8")
    assert "Accounts affected" in page and "&lt;b&gt;Acme&lt;/b&gt;, Globex" in page
    assert "raising: 0.62; baseline: 0.4" in page or "raising: 0.63; baseline: 0.4" in page
    assert f'href="#theme-{bundle.themes[-1].id}"' in page.split('id="changes"')[0]  # linked from the flag
    assert "Two themes &lt;i&gt;merged&lt;/i&gt;." in page and 'class="lin lin-merged"' in page


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),  # absent
        (0.5, "0.5"),  # trailing zeros trimmed
        (float("nan"), ""),  # not a number says nothing
        (True, "yes"),
        ({"won": 3, "lost": 1}, "won: 3; lost: 1"),
        (["a", "b", "c"], "a, b, c"),
        (list(range(10)), "0, 1, 2, 3, 4, 5, 6, 7 and 2 more"),  # long lists cut
    ],
)
def test_plain_value(value: object, expected: str) -> None:
    from pipelines.report.safety import plain_value

    assert plain_value(value) == expected


def test_summary_and_report_say_how_much_the_themes_cover_and_why_the_rest_has_none(written: Path) -> None:
    line = ("Themes cover 5 of 6 customer and note segments (83%); the others: 1 small talk. "
            "Rep speech (5 segments) is never themed.")
    assert line in (written / "summary.md").read_text(encoding="utf-8")
    assert "<dt>Coverage</dt><dd>" + line in (written / "report.html").read_text(encoding="utf-8")


def test_no_coverage_line_without_reasons(bundle: Bundle) -> None:
    from dataclasses import replace

    from pipelines.report.markdown import coverage_line

    assert coverage_line(replace(bundle, no_theme={})) == ""
