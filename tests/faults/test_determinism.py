"""The same input on two fresh stores gives byte-identical themes.json and flags.json, run header aside."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipelines.mine import mine
from pipelines.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

pytestmark = pytest.mark.slow


def without_run_header(path: Path) -> bytes:
    """The file's bytes with the run's id, times and store URL blanked (they name the run, not its results)."""
    text = path.read_text(encoding="utf-8")
    run = json.loads(text)["run"]
    for key in ("id", "started_at", "finished_at", "store"):
        text = text.replace(json.dumps(run[key]), '"<run>"')
    return text.encode("utf-8")


def test_mine_same_input_twice_gives_byte_identical_themes_and_flags(demo_bundle, resources, tmp_path):
    first, _, _ = demo_bundle
    second = mine(
        [SAMPLE / "calls", SAMPLE / "notes"], SAMPLE / "strategy.md", tmp_path / "bundle",
        store_url=f"sqlite:///{tmp_path / 'store.db'}", as_of=date(2026, 10, 31), settings=Settings(),
        resources=resources,
    ).bundle_dir
    for name in ("themes.json", "flags.json"):
        a, b = without_run_header(first / name), without_run_header(second / name)
        assert a.count(b'"<run>"') >= 4
        assert a == b, f"{name} differs between two runs on the same input"
    assert (first / "segments.csv").read_bytes() == (second / "segments.csv").read_bytes()
