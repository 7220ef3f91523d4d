"""``groundswell mine`` as a whole process on a fresh store, for the harnesses that score what users get."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["add_settings_argument", "groundswell_command", "in_process_harness", "last_record", "run_mine",
           "settings_suffix", "settings_variables"]

logger = logging.getLogger(__name__)


def add_settings_argument(parser: Any) -> None:
    """``--set section.field=value`` (repeatable) on a harness's command line: a setting for its
    ``groundswell mine`` run (see :func:`settings_variables`)."""
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="a setting for the groundswell mine run, e.g. themes.recluster=false (repeatable)")


def in_process_harness(description: str, results_dir: Path, argv: list[str] | None = None,
                       extra: list[tuple[tuple[str, ...], dict[str, Any]]] = ()) -> tuple[Any, Any]:
    """The command line of a harness that runs the stages in this process: ``--set`` (repeatable),
    ``--out`` (default ``results_dir``) and the ``extra`` arguments (``add_argument``'s names and keywords)
    parsed, warnings logged, and the ``pipelines.settings.Settings`` it
    runs with: the ``--set`` pairs become ``GROUNDSWELL_*`` variables of this process, read as
    ``groundswell mine`` reads them. Returns the parsed arguments and the settings."""
    import argparse

    from pipelines.settings import Settings

    parser = argparse.ArgumentParser(description=description)
    add_settings_argument(parser)
    parser.add_argument("--out", type=Path, default=results_dir)
    for names, keywords in extra:
        parser.add_argument(*names, **keywords)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.update(settings_variables(args.settings))
    return args, Settings()


def settings_variables(pairs: list[str]) -> dict[str, str]:
    """``["themes.recluster=false"]`` as the variables ``groundswell mine`` reads
    (``{"GROUNDSWELL_THEMES__RECLUSTER": "false"}``).

    Raises:
        ValueError: a pair is not ``section.field=value``.
    """
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        section, dot, field = key.strip().partition(".")
        if not sep or not dot or not section or not field:
            raise ValueError(f"--set takes section.field=value, e.g. themes.recluster=false; got {pair!r}")
        out[f"GROUNDSWELL_{section.upper()}__{field.upper()}"] = value.strip()
    return out


def settings_suffix(pairs: list[str]) -> str:
    """What ``--set`` pairs add to a results file's name: ``-themes.recluster-false`` for each."""
    return "".join(f"-{pair.replace('=', '-')}" for pair in pairs)


def groundswell_command() -> str:
    """The ``groundswell`` script beside this Python (or on PATH)."""
    local = Path(sys.executable).with_name("groundswell")
    found = str(local) if local.exists() else shutil.which("groundswell")
    if not found:
        raise SystemExit("groundswell is not installed beside this Python; run scripts/demo or pip install -e . first")
    return found


def last_record(store: Path) -> dict[str, Any]:
    """The run record of the latest finished run in a SQLite store ({} when there is none)."""
    con = sqlite3.connect(store)
    try:
        row = con.execute("SELECT record FROM gs_runs WHERE status='done' "
                          "ORDER BY finished_at DESC, run_id DESC").fetchone()
    finally:
        con.close()
    return json.loads(row[0]) if row else {}


def run_mine(source: Path, strategy: Path, work: Path, model: str, as_of: date,
             settings: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``groundswell mine`` on ``source`` with store, Prefect home and bundle under ``work``.

    The user's own ``GROUNDSWELL_*`` settings are left out; ``model`` is the
    run's ``embed.model``; ``settings`` adds ``GROUNDSWELL_*`` variables
    (``{"GROUNDSWELL_THEMES__SLOT_ANSWERS": "true"}``). The command's output goes
    to this process's stderr.

    Returns:
        ``wall_s``, ``bundle`` (the output folder), ``command``, and the run
        record's models, counts, timings and themes_clustering.

    Raises:
        RuntimeError: the command failed, or the run record names another embedding model.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDSWELL_")}
    env.update(GROUNDSWELL_HOME=str(work / "home"), PREFECT_HOME=str(work / "prefect"),
               GROUNDSWELL_EMBED__MODEL=model, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    for key, value in (settings or {}).items():
        if not key.startswith("GROUNDSWELL_"):
            raise ValueError(f"settings are GROUNDSWELL_* variables; got {key!r}")
        env[key] = value
    store, out = work / "store.db", work / "bundle"
    cmd = [groundswell_command(), "mine", "--source", str(source), "--strategy", str(strategy),
           "--store", f"sqlite:///{store}", "--out", str(out), "--as-of", as_of.isoformat()]
    logger.info("running: GROUNDSWELL_EMBED__MODEL=%s %s", model, " ".join(cmd))
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=sys.stderr, stderr=sys.stderr, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"groundswell mine exited {proc.returncode} after {wall:.0f} s (see its stderr above)")
    record = last_record(store)
    embedding = str((record.get("models") or {}).get("embedding", ""))
    if model not in embedding:
        raise RuntimeError(f"asked for {model} (GROUNDSWELL_EMBED__MODEL) but the run record names {embedding!r}")
    return {"wall_s": round(wall, 1), "bundle": out, "command": " ".join(cmd), "models": record.get("models"),
            "counts": record.get("counts"), "timings_s": record.get("timings_s"),
            "themes_clustering": record.get("themes_clustering")}
