"""The `groundswell` command end to end, on the bundled sample and on unseen data."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flows.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
BUNDLE = {"report.html", "summary.md", "themes.json", "flags.json", "segments.csv", "coaching.csv", "coaching.md"}
THEME_FIELDS = {"id", "label", "keywords", "size", "customer_share", "first_seen", "last_seen", "status",
                "trend", "strategy_match", "exemplars"}
FLAG_FIELDS = {"id", "kind", "theme_id", "statement_id", "score", "summary", "evidence"}
SEGMENT_COLUMNS = ["segment_id", "doc_id", "source", "speaker", "speaker_role", "created_at", "start_s",
                   "end_s", "theme_id", "text"]
COACHING_COLUMNS = ["theme_id", "statement_id", "segment_id", "doc_id", "speaker", "start_s", "outcome",
                    "text", "why"]

pytestmark = pytest.mark.slow


class _LinkCollector(HTMLParser):
    """Every src and href attribute of the page's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in {"src", "href"}]


def check_bundle(out: Path) -> tuple[dict, dict, list[dict]]:
    """The bundle reads exactly as SPEC.md says; returns themes, flags, segment rows."""
    assert BUNDLE <= {p.name for p in out.iterdir()}
    themes = json.loads((out / "themes.json").read_text())
    flags = json.loads((out / "flags.json").read_text())
    for doc in (themes, flags):
        assert doc["schema"] == "groundswell.bundle.v1"
        run = doc["run"]
        assert {"id", "as_of", "started_at", "finished_at", "store", "models", "counts"} <= set(run)
        assert {"documents", "segments", "quarantined"} <= set(run["counts"])
    with (out / "segments.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == SEGMENT_COLUMNS
        rows = list(reader)
    ids = {r["segment_id"] for r in rows}
    theme_ids = {t["id"] for t in themes["themes"]}
    for t in themes["themes"]:
        assert THEME_FIELDS <= set(t)
        assert t["status"] in {"emerging", "growing", "stable", "declining"}
        assert {"window_days", "recent", "baseline", "growth", "p_value"} <= set(t["trend"])
        assert set(t["exemplars"]) <= ids
        if t["strategy_match"] is not None:
            assert {"statement_id", "kind", "similarity"} <= set(t["strategy_match"])
    for f in flags["flags"]:
        assert FLAG_FIELDS <= set(f)
        assert f["kind"] in {"field_ahead", "off_strategy", "strategy_unheard"}
        assert set(f["evidence"]) <= ids
        assert f["theme_id"] is None or f["theme_id"] in theme_ids
    for r in rows:
        assert r["source"] in {"call", "note"}
        assert r["speaker_role"] in {"customer", "rep", "unknown"}
        assert r["theme_id"] == "" or r["theme_id"] in theme_ids
        if r["source"] == "note":
            assert r["start_s"] == "" and r["speaker_role"] == "unknown"
    with (out / "coaching.csv").open(newline="", encoding="utf-8") as fh:
        assert csv.DictReader(fh).fieldnames == COACHING_COLUMNS
    links = _LinkCollector()
    links.feed((out / "report.html").read_text(encoding="utf-8"))
    assert links.urls and not [u for u in links.urls if re.match(r"\s*(?:https?:)?//", u, re.I)]
    return themes, flags, rows


def _theme_of(themes: dict, rows: list[dict], name: str) -> dict | None:
    """The theme that holds most of the segments worded as the sample's generator planted need ``name``
    (``evaluation.sample_themes.planted_patterns``). A need often comes out as several themes (the AI
    need in five); the one that holds most of it is the need's theme."""
    from evaluation.sample_themes import planted_needs, planted_patterns

    patterns = {name: planted_patterns()[name]}
    held = Counter(r["theme_id"] for r in rows if r["theme_id"] and planted_needs(r["text"], patterns))
    by_id = {t["id"]: t for t in themes["themes"]}
    return by_id[held.most_common(1)[0][0]] if held else None


def test_demo_finds_what_was_planted(prefect_harness, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    themes, flags, rows = check_bundle(out)
    planted = json.loads((SAMPLE / "planted.json").read_text())
    by_kind: dict[str, list[dict]] = {}
    for f in flags["flags"]:
        by_kind.setdefault(f["kind"], []).append(f)
    for p in planted["themes"]:
        theme = _theme_of(themes, rows, p["name"])
        assert theme is not None, f"no theme found for planted {p['name']}"
        if p["expected_flag"] == "field_ahead":
            assert theme["status"] in {"emerging", "growing"}, (p["name"], theme)
            flagged = {tid for f in by_kind.get("field_ahead", []) for tid in [f["theme_id"], *f["related_themes"]]}
            assert theme["id"] in flagged, (p["name"], theme["label"])
        elif p["expected_flag"] == "off_strategy":
            hits = [f for f in by_kind.get("off_strategy", [])
                    if theme["id"] in [f["theme_id"], *f["related_themes"]]]
            assert hits and hits[0]["statement_id"] == p["statement_id"], (p["name"], theme["label"])
        else:  # steady and covered: never flagged
            flagged_ids = {tid for f in flags["flags"] for tid in [f["theme_id"], *f["related_themes"]]}
            assert theme["id"] not in flagged_ids, (p["name"], theme["label"])
    unheard = {f["statement_id"] for f in by_kind.get("strategy_unheard", [])}
    assert planted["unheard_statement_id"] in unheard
    assert any(r["theme_id"] == "" for r in rows), "small talk must stay unthemed"
    # a rerun on the same store keeps every theme id and raises the same flags
    out2 = tmp_path / "demo2"
    assert main(["demo", "--out", str(out2)]) == 0
    themes2 = json.loads((out2 / "themes.json").read_text())
    flags2 = json.loads((out2 / "flags.json").read_text())
    assert [t["id"] for t in themes2["themes"]] == [t["id"] for t in themes["themes"]]
    assert [(f["kind"], f["theme_id"], f["statement_id"]) for f in flags2["flags"]] == [
        (f["kind"], f["theme_id"], f["statement_id"]) for f in flags["flags"]]


def _canonical_notes(tmp_path: Path) -> Path:
    """The sample's Salesforce notes rewritten with the canonical columns."""
    src = SAMPLE / "notes" / "salesforce_tasks.csv"
    dst = tmp_path / "crm_notes.csv"
    with src.open(newline="", encoding="utf-8") as fin, dst.open("w", newline="", encoding="utf-8") as fout:
        w = csv.writer(fout)
        w.writerow(["id", "created_at", "text", "account_id", "author"])
        for r in csv.DictReader(fin):
            w.writerow([r["Id"], r["CreatedDate"], r["Description"], r["AccountId"], r["OwnerId"]])
    return dst


def test_mine_reads_unseen_canonical_notes_and_yaml_strategy(prefect_harness, tmp_path):
    notes = _canonical_notes(tmp_path)
    out = tmp_path / "bundle"
    code = main(["mine", "--source", str(notes), "--strategy", str(SAMPLE / "strategy.yaml"),
                 "--out", str(out), "--store", f"sqlite:///{tmp_path / 'store.db'}",
                 "--as-of", "2026-10-31"])
    assert code == 0
    themes, flags, rows = check_bundle(out)
    assert rows and all(r["source"] == "note" for r in rows)
    assert themes["run"]["as_of"] == "2026-10-31"
    assert {f["kind"] for f in flags["flags"]} >= {"field_ahead", "strategy_unheard"}


@pytest.mark.parametrize(
    "strategy_text, needle",
    [
        ("statements:\n  - {id: a, kind: wishlist, text: Be nice}\n", "kind"),  # unknown kind
        ("statements: [\n", "line"),  # YAML syntax error
        ("", "empty"),  # nothing in it
    ],
)
def test_mine_bad_strategy_exits_2_naming_the_problem(tmp_path, capsys, strategy_text, needle):
    strategy = tmp_path / "strategy.yaml"
    strategy.write_text(strategy_text)
    code = main(["mine", "--source", str(SAMPLE / "notes"), "--strategy", str(strategy),
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert str(strategy) in err and needle in err.lower()
    assert not (tmp_path / "out").exists()


def test_mine_missing_source_exits_2(tmp_path, capsys):
    code = main(["mine", "--source", str(tmp_path / "nope"), "--strategy", str(SAMPLE / "strategy.md"),
                 "--out", str(tmp_path / "out")])
    assert code == 2
    assert "nope" in capsys.readouterr().err


def test_help_answers():
    res = subprocess.run([sys.executable, "-m", "flows.cli", "mine", "--help"], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    for word in ("--source", "--strategy", "--out", "--store", "--as-of", "exit codes"):
        assert word in res.stdout
