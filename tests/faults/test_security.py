"""Hostile input: no PII, script or formula in any output; nothing written outside --out and the store."""

from __future__ import annotations

import csv
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flows.cli import main

ROOT = Path(__file__).resolve().parents[2]
STRATEGY = ROOT / "tests" / "fixtures" / "inputs" / "strategy" / "strategy.md"

# seeded PII: every one of these must be gone from every file a run writes
PII = {
    "email": "jane.doe.gs10@example.com",
    "phone": "+1 (415) 555-0134",
    "card": "4111 1111 1111 1111",
    "card digits": "4111111111111111",
    "iban": "DE89 3704 0044 0532 0130 00",
    "iban digits": "DE89370400440532013000",
    "ssn": "219-09-9999",
}
SCRIPT = '<script>alert("gs10-xss")</script>'
IMG = '<img src=x onerror=alert("gs10-img")>'
FORMULAS = ('=HYPERLINK("http://evil.example/x","gs10")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3")
SQLI = "x'); DROP TABLE gs_documents;--"
PII_LINE = (f"Email me at {PII['email']} or call {PII['phone']}; card {PII['card']}, "
            f"IBAN {PII['iban']}, SSN {PII['ssn']}.")


def _hostile_corpus(root: Path) -> Path:
    """Calls and notes that try everything at once."""
    calls = root / "calls"
    calls.mkdir(parents=True)
    # a file name with '..' in it
    (calls / "..hostile..call.vtt").write_text(
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.000\n"
        f"Pat Prospect: {SCRIPT} our invoices pile up every month end. {PII_LINE}\n\n"
        "2\n00:00:04.000 --> 00:00:08.000\n"
        f"Sam Seller: {FORMULAS[0]} we can automate the approval routing for you.\n", encoding="utf-8")
    # a Gong callId that walks out of any folder it would be joined to
    gong = {"callTranscripts": [
        {"callId": "../../etc/gs10-x", "transcript": [
            {"speakerId": "1", "topic": None, "sentences": [
                {"start": 0, "end": 2000, "text": f"{IMG} Invoice approvals take us two weeks. {PII_LINE}"}]}]},
        {"callId": "/tmp/gs10-abs", "transcript": [
            {"speakerId": "2", "topic": None, "sentences": [
                {"start": 0, "end": 2000, "text": "Month end close is slow because invoices wait for approval."}]}]},
    ]}
    (calls / "gong-..-export.json").write_text(json.dumps(gong), encoding="utf-8")
    for f in calls.iterdir():  # no calls.csv: the calls are dated by their files' times, before the as-of day
        os.utime(f, (1_791_000_000, 1_791_000_000))

    notes = root / "notes"
    notes.mkdir()
    rows = [["id", "created_at", "text", "account_id", "account_name", "author"]]
    topics = ["invoice approval routing is too slow", "invoices wait weeks for approval",
              "approval workflow for invoices keeps stalling", "slow invoice approvals delay month end close",
              "they need faster invoice approval routing", "approvers lose invoices in email",
              "invoice approval takes two weeks", "month end close waits on invoice approvals"]
    for i, topic in enumerate(topics):
        hostile = [SCRIPT, IMG, *FORMULAS, PII_LINE][i % 7]
        text = f"{FORMULAS[i % 4]} {topic}. {hostile} {PII_LINE}" if i % 2 else f"{hostile} {topic}. {PII_LINE}"
        rows.append([SQLI if i == 0 else f"../../evil-{i}", f"2026-10-{10 + i:02d}", text,
                     f"A{i % 4}", f"{SCRIPT} Account {i % 4}", FORMULAS[i % 4]])
    with (notes / "notes.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    # a broken file whose bad line carries PII: its quarantine reason must not repeat it
    (notes / "broken.csv").write_text(
        f"id,created_at,text\nB-1,not a date {PII['card']} {PII['email']},{PII_LINE}\n", encoding="utf-8")
    # one line over the size limit (the run's config sets max_line_bytes to 20000)
    (notes / "huge.jsonl").write_text(json.dumps(
        {"id": "H-1", "created_at": "2026-10-01", "text": "invoice " * 4000}) + "\n", encoding="utf-8")
    return root


class _Scripts(HTMLParser):
    """Script elements and event-handler attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        self.handlers += [f"{tag} {k}={v}" for k, v in attrs if k.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def hostile_run(prefect_harness, tmp_path_factory):
    """One CLI run over the hostile corpus, from an empty working folder."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = _hostile_corpus(root / "in")
    cwd = root / "cwd"
    cwd.mkdir()
    config = root / "config.yaml"
    config.write_text("ingest: {max_line_bytes: 20000}\n", encoding="utf-8")
    before = {p for p in root.rglob("*")}
    out, store = root / "out", root / "store.db"
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(["mine", "--source", str(corpus / "calls"), "--source", str(corpus / "notes"),
                     "--strategy", str(STRATEGY), "--out", str(out), "--store", f"sqlite:///{store}",
                     "--config", str(config), "--as-of", "2026-10-31"])
    finally:
        os.chdir(old)
    written = {p for p in root.rglob("*")} - before
    return code, root, out, store, written


def test_hostile_run_finishes(hostile_run):
    code, _, out, _, _ = hostile_run
    assert code == 0
    segments = list(csv.DictReader((out / "segments.csv").open(newline="", encoding="utf-8")))
    doc_ids = {r["doc_id"] for r in segments}
    assert SQLI in doc_ids  # stored under its own id, as data
    assert any("gs10-x" in d for d in doc_ids) and any("gs10-abs" in d for d in doc_ids)


def test_hostile_run_writes_only_into_out_and_the_store(hostile_run):
    _, root, out, store, written = hostile_run
    stray = [p for p in written if not (p == out or out in p.parents or p.parent == store.parent
                                        and p.name.startswith(store.name))]
    assert not stray, f"written outside --out and the store: {stray}"
    assert not list((root / "cwd").iterdir())
    assert not Path("/etc/gs10-x").exists() and not Path("/tmp/gs10-abs").exists()
    assert not list(Path("/etc").glob("gs10*")) and not list(Path(root.parent).glob("*gs10*"))


def _output_files(out: Path, store: Path) -> list[Path]:
    return [*sorted(out.iterdir()), *sorted(store.parent.glob(store.name + "*"))]


def test_hostile_run_leaks_no_pii_anywhere(hostile_run, capsys):
    _, _, out, store, _ = hostile_run
    files = _output_files(out, store)
    assert len(files) >= 8
    for path in files:
        raw = path.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        for kind, value in PII.items():
            assert value not in text, f"{kind} leaks into {path.name}"
            assert value.encode("utf-16-le") not in raw
    for kind, value in PII.items():  # nor into what the run printed
        assert value not in capsys.readouterr().err


def test_hostile_run_report_runs_no_seeded_script(hostile_run):
    _, _, out, _, _ = hostile_run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "gs10" in page  # the hostile notes are in the report, as text
    parser = _Scripts()
    parser.feed(page)
    assert not [s for s in parser.scripts if re.search(r"alert\(\"gs10", s)], "seeded script runs"
    assert not [h for h in parser.handlers if "gs10" in h], "seeded event handler runs"
    for name in ("report.html", "summary.md", "coaching.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert SCRIPT not in text and IMG not in text and "<script>alert" not in text, name


@pytest.mark.parametrize("name", ["segments.csv", "coaching.csv"])
def test_hostile_run_csv_has_no_formula_cell(hostile_run, name):
    _, _, out, _, _ = hostile_run
    with (out / name).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows  # coaching.csv may hold no row: the header alone is checked then
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_hostile_run_quarantines_oversize_and_broken_files(hostile_run):
    _, _, out, store, _ = hostile_run
    import sqlite3

    con = sqlite3.connect(store)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "gs_documents" in tables  # the note id did not drop it
        assert con.execute("SELECT count(*) FROM gs_documents WHERE doc_id = ?", (SQLI,)).fetchone()[0] == 1
        quarantined = dict(con.execute("SELECT path, reason FROM gs_files WHERE status = 'quarantined'"))
    finally:
        con.close()
    by_name = {Path(p).name: r for p, r in quarantined.items()}
    assert {"broken.csv", "huge.jsonl"} <= set(by_name)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "huge.jsonl" in page and "broken.csv" in page


_FORMATTED_SQL = re.compile(
    r"""(?:text|execute|exec_driver_sql)\(\s*(?:f["']|["'][^"']*["']\s*(?:%|\.format))""")


@pytest.mark.parametrize("folder", ["pipelines/store", "pipelines/lock.py", "flows", "pipelines/mine.py"])
def test_sql_uses_bound_parameters_only(folder):
    path = ROOT / folder
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    offenders = []
    for f in files:
        source = f.read_text(encoding="utf-8")
        offenders += [f"{f.name}: {m.group(0)}" for m in _FORMATTED_SQL.finditer(source)]
        offenders += [f"{f.name}: {line.strip()}" for line in source.splitlines()
                      if re.search(r"""\b(SELECT|INSERT|UPDATE|DELETE|DROP)\b.*["']\s*(\+|%)""", line)]
    assert not offenders, offenders
