"""A killed `groundswell mine` rerun on the same store ends exactly like a run that was never killed.

The clean run is measured first; then, for each of 25%, 50% and 80% of its
wall time, a fresh store gets a run that is SIGKILLed at that moment (the
whole process group, so Prefect's server dies with it) and is then run again.
The rerun's bundle must equal the clean run's: the same theme ids, the same
assignments in segments.csv, the same flags, and no duplicate in the store.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
BUNDLE = ("report.html", "summary.md", "themes.json", "flags.json", "segments.csv", "coaching.csv", "coaching.md")

pytestmark = pytest.mark.slow


def _command(out: Path, store: Path) -> list[str]:
    exe = Path(sys.executable).parent / "groundswell"
    head = [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.cli"]
    return [*head, "mine", "--source", str(SAMPLE / "calls"), "--source", str(SAMPLE / "notes"),
            "--strategy", str(SAMPLE / "strategy.md"), "--out", str(out), "--store", f"sqlite:///{store}",
            "--as-of", "2026-10-31"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GROUNDSWELL_"))}
    env.update(GROUNDSWELL_HOME=str(home), PREFECT_HOME=str(home / "prefect"), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    return env


def _start(out: Path, store: Path, home: Path) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(_command(out, store), cwd=home.parent, env=_env(home), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def _run(out: Path, store: Path, home: Path) -> float:
    """Run to the end; returns the wall time."""
    t0 = time.monotonic()
    proc = _start(out, store, home)
    try:
        output, _ = proc.communicate(timeout=400)
    finally:
        _kill_group(proc)  # nothing of it (Prefect's server) outlives the test
    assert proc.returncode == 0, output
    return time.monotonic() - t0


def _state(store: Path) -> object:
    """What a kill left of the store: its counts, or how far it got (a kill may land between the file's
    creation and its tables')."""
    if not store.exists():
        return "not created yet"
    try:
        return store_counts(store)
    except sqlite3.OperationalError as exc:
        return f"file created, tables not yet ({exc})"


def comparable(out: Path) -> dict[str, object]:
    """What a repeatable run must reproduce: themes and flags without the run header, segments.csv."""
    themes = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    flags = json.loads((out / "flags.json").read_text(encoding="utf-8"))
    themes.pop("run")
    flags.pop("run")
    return {"themes": themes, "flags": flags, "segments.csv": (out / "segments.csv").read_bytes(),
            "coaching.csv": (out / "coaching.csv").read_bytes()}


def store_counts(store: Path) -> dict[str, int]:
    """Row counts, and how many document or segment ids occur more than once."""
    con = sqlite3.connect(store)
    try:
        q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": q("SELECT count(*) FROM gs_documents"),
            "segments": q("SELECT count(*) FROM gs_segments"),
            "files": q("SELECT count(*) FROM gs_files"),
            "duplicate_documents": q("SELECT count(*) FROM (SELECT doc_id FROM gs_documents "
                                     "GROUP BY doc_id HAVING count(*) > 1)"),
            "duplicate_segments": q("SELECT count(*) FROM (SELECT segment_id FROM gs_segments "
                                    "GROUP BY segment_id HAVING count(*) > 1)"),
            "duplicate_texts": q("SELECT count(*) FROM (SELECT doc_id, seq FROM gs_segments "
                                 "GROUP BY doc_id, seq HAVING count(*) > 1)"),
            "done_runs": q("SELECT count(*) FROM gs_runs WHERE status = 'done'"),
        }
    finally:
        con.close()


def test_mine_killed_at_any_point_then_rerun_equals_a_clean_run(tmp_path):
    clean_out, clean_store = tmp_path / "clean" / "out", tmp_path / "clean" / "store.db"
    wall = _run(clean_out, clean_store, tmp_path / "clean" / "home")
    expected = comparable(clean_out)
    expected_counts = store_counts(clean_store)
    assert expected_counts["done_runs"] == 1
    assert expected["themes"]["themes"] and expected["flags"]["flags"]

    for fraction in (0.25, 0.5, 0.8):
        case = tmp_path / f"killed-{int(fraction * 100)}"
        out, store, home = case / "out", case / "store.db", case / "home"
        proc = _start(out, store, home)
        try:
            proc.wait(timeout=wall * fraction)
        except subprocess.TimeoutExpired:
            pass
        finally:
            _kill_group(proc)
        print(f"killed at {fraction:.0%}: store {_state(store)}")
        # whatever the kill left, a reader never finds half a bundle
        if out.exists():
            assert sorted(p.name for p in out.iterdir()) == sorted(BUNDLE)
        _run(out, store, home)
        assert comparable(out) == expected, f"the rerun after a kill at {fraction:.0%} differs"
        counts = store_counts(store)
        assert counts.pop("done_runs") >= 1
        assert counts == {k: v for k, v in expected_counts.items() if k != "done_runs"}, (
            f"the store after a kill at {fraction:.0%} differs")
