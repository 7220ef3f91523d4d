"""The demo's bundle as readers get it: report.html in headless Chromium, coaching.csv, summary.md.

Also a bundle mined from a hostile notes export: nothing in it may run in a
reader's browser or a spreadsheet. Browser tests are skipped where
``/usr/bin/chromium`` is missing (``apt-get install -y chromium``).
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
)
# Console lines that mean the page broke: script errors and Content-Security-Policy refusals.
_BAD_CONSOLE = re.compile(r"Uncaught|ERROR:CONSOLE|Refused to|Content Security Policy")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

pytestmark = pytest.mark.slow


class _Recorder(http.server.SimpleHTTPRequestHandler):
    """Serves the bundle folder and remembers every path asked for."""

    hits: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        self.hits.append(self.path)


@pytest.fixture(scope="module")
def served(demo_bundle) -> Iterator[tuple[str, list[str]]]:
    """The demo bundle over a loopback HTTP server: (report URL, paths the server was asked for)."""
    bundle_dir = demo_bundle[0]
    hits: list[str] = []
    handler = functools.partial(type("Handler", (_Recorder,), {"hits": hits}), directory=str(bundle_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/report.html", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _page_requests(net_log: Path) -> list[tuple[str, str, str]]:
    """(url, initiator, network isolation key) of every request the browser started, from a NetLog file."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        (p["url"], p.get("initiator", ""), p.get("network_isolation_key", ""))
        for e in log["events"]
        if e["type"] == start_job and "url" in (p := e.get("params", {}))
    ]


@needs_chromium
def test_demo_report_makes_no_network_request_and_logs_no_error(served, tmp_path: Path, chromium) -> None:
    url, hits = served
    origin = url.rsplit("/", 1)[0]
    net_log = tmp_path / "net.json"
    result = chromium(tmp_path / "profile", f"--log-net-log={net_log}", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    # The page ran: flags are there and plotly.js drew both charts under the page's CSP.
    assert '<section id="flags"' in dom and dom.count('class="flag flag-') >= 3
    assert dom.count('class="main-svg"') >= 2, result.stderr[-4000:]
    assert not _BAD_CONSOLE.findall(result.stderr), result.stderr[-4000:]
    # The server saw the page and nothing else (a favicon is the browser's own habit).
    assert hits and set(hits) <= {"/report.html", "/favicon.ico"}, hits
    # Every request on the page's behalf (its site as initiator or in the isolation key) went to its origin.
    site = "http://127.0.0.1"
    requests = _page_requests(net_log)
    for_page = [r for r in requests if r[1].startswith(site) or site in r[2]]
    assert any(u == url for u, _, _ in for_page), requests  # the log does see the page's own requests
    assert [u for u, _, _ in for_page if not u.startswith(origin + "/")] == []
    # The rest are the browser's own background fetches (no page initiates them).
    assert all(initiator in ("", "not an origin") for u, initiator, _ in requests if not u.startswith(origin)), requests


@needs_chromium
def test_demo_report_screenshot_and_print(demo_bundle, tmp_path: Path, chromium) -> None:
    report = demo_bundle[0] / "report.html"
    shot = tmp_path / "report.png"
    result = chromium(tmp_path / "p1", f"--screenshot={shot}", "--window-size=1280,2400", report.as_uri())
    assert shot.exists() and shot.stat().st_size > 50_000, result.stderr[-2000:]
    assert not _BAD_CONSOLE.findall(result.stderr), result.stderr[-4000:]
    pdf = tmp_path / "report.pdf"
    result = chromium(tmp_path / "p2", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    assert pdf.exists(), result.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert 3 <= pages <= 60, pages  # every section printed, and no runaway page count


def test_demo_report_puts_flags_first_with_attributed_quotes(demo_bundle) -> None:
    page = (demo_bundle[0] / "report.html").read_text(encoding="utf-8")
    order = [page.index(f'<section id="{name}"') for name in ("flags", "changes", "map", "trends", "themes",
                                                            "alignment", "quarantined", "lineage")]
    assert order == sorted(order)
    flags = json.loads((demo_bundle[0] / "flags.json").read_text(encoding="utf-8"))["flags"]
    assert {"field_ahead", "off_strategy", "strategy_unheard"} <= {f["kind"] for f in flags}
    # A call quote carries speaker, account, date and the time offset in the call.
    assert re.search(r"\(customer\)</span> · [^<·]+ · 2026-\d\d-\d\d · call at \d\d:\d\d", page)
    related = [t for f in flags for t in f.get("related_themes", [])]
    for theme_id in related:
        assert f'href="#theme-{theme_id}"' in page


def test_demo_never_calls_a_rising_theme_an_account_concentration(demo_bundle) -> None:
    themes = json.loads((demo_bundle[0] / "themes.json").read_text(encoding="utf-8"))["themes"]
    rising = {t["id"] for t in themes if t["status"] in ("emerging", "growing")}
    summary = (demo_bundle[0] / "summary.md").read_text(encoding="utf-8")
    lines = [line for line in summary.splitlines() if "account concentration" in line]
    assert not [line for line in lines if line.removeprefix("- ").split(" ", 1)[0] in rising]
    # each says what it rests on: one account's share, or its documents without which the rise is not significant
    for line in lines:
        assert re.search(r"one account drives it \(\d+% of its \d+ recent documents\)"
                         r"|rises only on one account's \d+ of its \d+ recent documents", line), line


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_demo_coaching_csv_has_rows_with_outcome_reason_and_offset(demo_bundle) -> None:
    rows = list(csv.DictReader(io.StringIO((demo_bundle[0] / "coaching.csv").read_text(encoding="utf-8"))))
    good = [r for r in rows if r["outcome"] in ("won", "open", "lost") and r["why"] and r["start_s"]]
    assert len(good) >= 3
    assert any(r["outcome"] == "won" and "won deal" in r["why"] for r in rows)
    # Won deals come first within each theme.
    rank = {"won": 0, "open": 1, "lost": 2, "": 3}
    by_theme: dict[str, list[int]] = {}
    for r in rows:
        by_theme.setdefault(r["theme_id"], []).append(rank[r["outcome"]])
    assert all(ranks == sorted(ranks) for ranks in by_theme.values())
    md = (demo_bundle[0] / "coaching.md").read_text(encoding="utf-8")
    assert md.count("> **Customer:**") == len(rows)


def test_demo_summary_md_is_a_page_with_one_quote_per_flag(demo_bundle) -> None:
    text = (demo_bundle[0] / "summary.md").read_text(encoding="utf-8")
    flags = json.loads((demo_bundle[0] / "flags.json").read_text(encoding="utf-8"))["flags"]
    assert len(text.splitlines()) <= 60
    assert text.count("   > ") == min(len(flags), 6)
    assert "Field ahead of strategy" in text and "Pulled off strategy" in text and "Strategy unheard" in text


@pytest.mark.parametrize("name", ["segments.csv", "coaching.csv"])
def test_demo_csv_cells_never_start_with_a_formula_char(demo_bundle, name: str) -> None:
    rows = _read_csv(demo_bundle[0] / name)
    assert [cell for row in rows for cell in row if cell.startswith(_FORMULA_STARTS)] == []


# ---------------------------------------------------------------- a hostile notes export

_HOSTILE_NOTES = [
    "<script>alert('note')</script> Customer asks about vendor payment fraud controls",
    "<img src=x onerror=alert(1)> wants fraud checks on vendor bank changes",
    '=HYPERLINK("http://evil.example/x","click me") vendor fraud worries',
    "+cmd|' /C calc'!A0 needs fraud protection on payments",
    "@SUM(1+1)*cmd|' /C calc'!A0 asked about payment fraud",
    "-2+3 fraud controls on vendor bank account changes please",
]


@pytest.fixture(scope="module")
def hostile_bundle(resources, tmp_path_factory) -> Path:
    from pipelines.mine import mine
    from pipelines.settings import Settings

    root = tmp_path_factory.mktemp("hostile")
    notes = root / "notes.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "created_at", "text", "account_name", "author"])
    for n, text in enumerate(_HOSTILE_NOTES * 2, start=1):
        writer.writerow([f"n{n}", f"2026-10-{n:02d}T10:00:00", text, f"<b>Acct {n % 4}</b>", "=cmd|' /C calc'!A0"])
    notes.write_text(buffer.getvalue(), encoding="utf-8")
    mine(
        [notes], ROOT / "data" / "sample" / "strategy.yaml", root / "bundle",
        store_url=f"sqlite:///{root / 'store.db'}", as_of=date(2026, 10, 31),
        settings=Settings(), resources=resources,
    )  # fmt: skip
    return root / "bundle"


def test_hostile_notes_stay_inert_in_report(hostile_bundle: Path) -> None:
    page = (hostile_bundle / "report.html").read_text(encoding="utf-8")
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)  # plotly.js and chart data aside
    assert "<img" not in markup and "<b>" not in markup
    assert not re.search(r"<[^>]*\bon\w+\s*=", markup)
    assert "<script>alert" not in page
    # Inside script elements, user text only travels as escaped JSON.
    for body in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, flags=re.S):
        assert "<" not in body and ">" not in body
    summary = (hostile_bundle / "summary.md").read_text(encoding="utf-8")
    assert "<script>" not in summary and "<img" not in summary


@pytest.mark.parametrize("name", ["segments.csv", "coaching.csv"])
def test_hostile_notes_give_no_formula_cells(hostile_bundle: Path, name: str) -> None:
    rows = _read_csv(hostile_bundle / name)
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c.startswith(_FORMULA_STARTS)] == []
    if name == "segments.csv":
        assert any(c.startswith("'=HYPERLINK") for c in cells)  # neutralised, not dropped
        assert any(c.startswith("'+cmd") for c in cells) and any(c.startswith("'@SUM") for c in cells)
