"""Faults around a run: a busy store, a full disk, a corrupt store, an interrupted bundle write."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flows.cli import main

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "tests" / "fixtures" / "inputs"
SOURCES = [INPUTS / "calls", INPUTS / "notes"]
STRATEGY = INPUTS / "strategy" / "strategy.md"
BUNDLE = {"report.html", "summary.md", "themes.json", "flags.json", "segments.csv", "coaching.csv", "coaching.md"}


def _mine(out: Path, store_url: str, *extra: str) -> int:
    args = ["mine"]
    for s in SOURCES:
        args += ["--source", str(s)]
    return main([*args, "--strategy", str(STRATEGY), "--out", str(out), "--store", store_url,
                 "--as-of", "2026-10-31", *extra])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


# --- another writer holds the store -------------------------------------------------


def test_mine_stops_with_exit_1_while_another_run_holds_the_store(prefect_harness, tmp_path, capsys,
                                                                   hold_store_lock):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    holder = hold_store_lock(url, 60, "the nightly run in another process")
    try:
        rc = _mine(tmp_path / "out", url, "--lock-timeout", "1")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    err = capsys.readouterr().err
    assert rc == 1
    assert "in use by another run" in err and "the nightly run in another process" in err
    assert str(tmp_path / "store.db") in err and "--lock-timeout" in err
    assert not (tmp_path / "out").exists()
    # the holder died: its lock went with it, and the next run goes through
    assert _mine(tmp_path / "out", url, "--lock-timeout", "5") == 0
    assert BUNDLE <= {p.name for p in (tmp_path / "out").iterdir()}


# --- a corrupt store --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",  # not an SQLite file at all
        "header",  # an SQLite header over garbage pages
    ],
)
def test_mine_corrupt_store_exits_2_and_leaves_the_file_alone(prefect_harness, tmp_path, capsys, damage):
    store = tmp_path / "store.db"
    if damage == "garbage":
        store.write_bytes(os.urandom(8192))
    else:
        store.write_bytes(b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + os.urandom(8192 - 20))
    before = _digest(store)
    rc = _mine(tmp_path / "out", f"sqlite:///{store}")
    err = capsys.readouterr().err
    assert rc == 2, err
    assert str(store) in err and "corrupt" in err and "Fix:" in err
    assert _digest(store) == before  # nothing lost: the file is exactly as it was
    assert not (tmp_path / "out").exists()


# --- a full disk under the output folder ---------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 200 KiB tmpfs (needs root and mount permission; skipped elsewhere)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_mine_full_disk_exits_1_clearly_and_keeps_the_store_and_old_bundle(prefect_harness, tmp_path, capsys,
                                                                             tiny_disk):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    out = tiny_disk / "out"
    out.mkdir()
    (out / "summary.md").write_text("the bundle of an earlier run\n")  # an old bundle's file, small
    old = _tree(out)
    rc = _mine(out, url)
    err = capsys.readouterr().err
    assert rc == 1, err
    assert "No space left on device" in err or "no space" in err.lower()
    assert str(out) in err
    assert _tree(out) == old  # the old bundle is untouched
    assert [p.name for p in tiny_disk.iterdir()] == ["out"]  # no staging folder left behind
    con = sqlite3.connect(tmp_path / "store.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = con.execute("SELECT status, record FROM gs_runs").fetchall()
        assert [r[0] for r in runs] == ["failed"] and "space" in runs[0][1].lower()
        assert con.execute("SELECT count(*) FROM gs_themes").fetchone()[0] == 0  # no half-made themes
        assert con.execute("SELECT count(*) FROM gs_documents").fetchone()[0] > 0  # ingest is kept
    finally:
        con.close()
    # with room again, the same store finishes the job
    good = tmp_path / "good"
    assert _mine(good, url) == 0
    assert BUNDLE <= {p.name for p in good.iterdir()}


# --- an interrupted bundle write -------------------------------------------------------------------


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipelines.report import writer

    real_open = open
    count = 0

    def dying_open(path, *args, **kwargs):  # the process dies while writing its third file
        global count
        if ".tmp-" in str(path):
            count += 1
            if count == 3:
                import os, signal
                os.kill(os.getpid(), signal.SIGKILL)
        return real_open(path, *args, **kwargs)

    writer.open = dying_open
    writer.render_bundle = lambda bundle: {name: b"new " + name.encode() for name in writer.BUNDLE_FILES}
    writer.write_bundle(None, Path(sys.argv[1]))
""")


def test_write_bundle_killed_part_way_leaves_the_old_bundle_whole(demo_bundle, tmp_path):
    bundle_dir, _, _ = demo_bundle
    out = tmp_path / "out"
    shutil.copytree(bundle_dir, out)
    old = _tree(out)
    res = subprocess.run([sys.executable, "-c", _WRITER, str(out)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == -9, res.stderr
    assert _tree(out) == old  # readers still see the whole old bundle
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "out"]
    assert all(name.startswith(".out.tmp-") for name in leftovers)  # only a hidden staging folder
