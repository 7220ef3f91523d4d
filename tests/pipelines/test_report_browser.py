"""report.html in a real browser: headless Chromium loads it, draws the charts, logs no errors.

Skipped where ``/usr/bin/chromium`` is missing (``apt-get install -y chromium``).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from pipelines.report import write_bundle

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
)

# Console lines that mean the page broke: script errors and Content-Security-Policy refusals.
_BAD_CONSOLE = re.compile(r"Uncaught|ERROR:CONSOLE|Refused to|Content Security Policy")


def _report_fixtures() -> ModuleType:
    """The bundle builder shared with test_report.py (loaded by path: tests/ has no packages)."""
    spec = importlib.util.spec_from_file_location("_report_fixtures", Path(__file__).with_name("test_report.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = write_bundle(_report_fixtures().make_bundle(), tmp_path_factory.mktemp("browser") / "out")
    return out / "report.html"


def test_report_html_renders_in_headless_chromium(report: Path, tmp_path: Path, chromium) -> None:
    shot = tmp_path / "report.png"
    result = chromium(tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    assert not _BAD_CONSOLE.findall(result.stderr), result.stderr[-4000:]


def test_report_html_dom_has_flags_and_drawn_charts(report: Path, tmp_path: Path, chromium) -> None:
    result = chromium(tmp_path / "profile-dom", "--dump-dom", report.as_uri())
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r'<section id="flags"', dom), dom[:2000]
    assert dom.count('class="flag flag-') == 3
    # plotly.js ran under the page's Content-Security-Policy and drew both charts.
    assert dom.count('class="main-svg"') >= 2, result.stderr[-4000:]
    titles = re.findall(r'data-title="([^"]*)"', dom)
    assert "Download plot as a PNG" in titles and not [t for t in titles if "Share" in t or "Cloud" in t]
    # The hostile note stayed text: no element came out of it.
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", dom, flags=re.S)  # plotly.js aside
    assert "<img" not in markup
    assert not re.search(r"<[^>]*\bonerror\s*=", markup)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert not _BAD_CONSOLE.findall(result.stderr), result.stderr[-4000:]
