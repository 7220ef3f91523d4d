"""The held-out notes case against a real PostgreSQL server that the test starts."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from flows.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
               if (p / "pg_ctl").exists()), None) if Path("/usr/lib/postgresql").exists() else None

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL server binaries are not installed "
                                 "(Debian package postgresql; scripts/test installs it as root)")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """The server refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server on a free loopback port; stopped after the module."""
    if os.geteuid() == 0:
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server")
    # not under pytest's base temp: that is private to root (0700), and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="groundswell-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "gs", "-A", "trust",
                                 "-E", "UTF8", "--no-sync"]), check=True, capture_output=True)
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l",
                                 str(root / "server.log"), "-w", "-t", "60", "start"]), check=True,
                   capture_output=True)
    try:
        yield f"postgresql://gs@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _canonical_notes(tmp_path: Path) -> Path:
    """The sample's Salesforce notes rewritten with the canonical columns (the held-out notes case)."""
    dst = tmp_path / "crm_notes.csv"
    with (SAMPLE / "notes" / "salesforce_tasks.csv").open(newline="", encoding="utf-8") as fin, \
            dst.open("w", newline="", encoding="utf-8") as fout:
        w = csv.writer(fout)
        w.writerow(["id", "created_at", "text", "account_id", "author"])
        for r in csv.DictReader(fin):
            w.writerow([r["Id"], r["CreatedDate"], r["Description"], r["AccountId"], r["OwnerId"]])
    return dst


@pytest.mark.slow
def test_mine_notes_case_on_postgres_then_rerun_from_cache(prefect_harness, postgres_url, tmp_path):
    from pipelines.store import Store

    notes = _canonical_notes(tmp_path)
    args = ["mine", "--source", str(notes), "--strategy", str(SAMPLE / "strategy.yaml"),
            "--store", postgres_url, "--as-of", "2026-10-31"]
    assert main([*args, "--out", str(tmp_path / "first")]) == 0
    assert main([*args, "--out", str(tmp_path / "second")]) == 0
    runs = []
    for name in ("first", "second"):
        out = tmp_path / name
        assert {"report.html", "summary.md", "themes.json", "flags.json", "segments.csv", "coaching.csv",
                "coaching.md"} <= {p.name for p in out.iterdir()}
        themes = json.loads((out / "themes.json").read_text())
        flags = json.loads((out / "flags.json").read_text())
        assert themes["run"]["store"] == postgres_url and themes["run"]["counts"]["documents"] > 400
        runs.append((themes, flags))
    (t1, f1), (t2, f2) = runs
    assert [t["id"] for t in t1["themes"]] == [t["id"] for t in t2["themes"]]  # repeatable
    assert [(f["kind"], f["theme_id"], f["statement_id"]) for f in f1["flags"]] == [
        (f["kind"], f["theme_id"], f["statement_id"]) for f in f2["flags"]]
    assert {f["kind"] for f in f1["flags"]} >= {"field_ahead", "strategy_unheard"}

    store = Store(postgres_url)
    try:
        first, second = store.run_record(t1["run"]["id"]), store.run_record(t2["run"]["id"])
    finally:
        store.dispose()
    for rec in (first, second):  # the run record: models, versions, settings, inputs, counts, stage times
        assert rec["status"] == "done"
        assert rec["models"]["embedding"].startswith("sentence-transformers/all-MiniLM-L6-v2")
        assert {"torch", "prefect", "sentence-transformers"} <= set(rec["versions"])
        assert rec["settings"]["themes"]["min_theme_size"] == 5
        assert rec["inputs"] == {str(notes): rec["inputs"][str(notes)]} and len(rec["inputs"][str(notes)]) == 64
        assert rec["counts"]["documents"] == t1["run"]["counts"]["documents"]
        assert {"ingest", "embed", "themes", "compare", "report"} <= set(rec["timings_s"])
    assert first["cache"]["reused_from"] is None and first["cache"]["embeddings_computed"] > 400
    assert set(first["cache"]["stages"].values()) == {"computed"}
    # nothing new: the rerun finishes from the cache, and its record says so
    assert second["cache"]["reused_from"] == t1["run"]["id"] and second["cache"]["new_documents"] == 0
    assert second["cache"]["stages"] == {"embed": "computed", "themes": "cached", "compare": "cached"}
    assert second["cache"]["embeddings_computed"] == 0
    assert second["fingerprint"] == first["fingerprint"]


def test_postgres_lock_second_run_stops_naming_store_and_holder(postgres_url, hold_store_lock):
    from pipelines.lock import StoreBusyError, store_lock
    from pipelines.store import Store

    proc = hold_store_lock(postgres_url, 60, "the other nightly run")
    store = Store(postgres_url)
    try:
        with pytest.raises(StoreBusyError) as err:
            with store_lock(store, holder="second", timeout_s=1, poll_s=0.1):
                pass
        assert postgres_url in err.value.message and "the other nightly run" in err.value.message
        proc.kill()  # the server drops a dead holder's advisory lock with its connection
        proc.wait()
        with store_lock(store, holder="after", timeout_s=20, poll_s=0.2):
            pass
    finally:
        proc.kill()
        proc.wait()
        store.dispose()
