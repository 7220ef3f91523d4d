"""How many of the sample's admin notes (a rep's own activity log) end up in themes.

Run from the repository root::

    .venv/bin/python -m evaluation.admin_notes [--set section.field=value]

The bundled sample plants 120 notes that record the rep's own work, not the
customer ("Left voicemail for Dana, will try again Friday.", "Sent MSA and order
form for review."; ``data/sample/PLANTED.md``: "admin noise"). A strategy team
reading the theme report wants what customers raise, so such notes should form
no theme. This runs ``groundswell mine``'s stages on ``data/sample`` as of
2026-10-31 on a fresh store and reports how many admin notes carry a theme and
which themes are mostly admin notes. A note is an admin note when its text
matches one of the generator's templates (``data/generate_sample.py``,
``NOISE_NOTES``; :func:`admin_note_patterns`). Development data only: the
templates are the sample's own. Results: ``results/admin-notes[-SETTINGS].{json,md}``.

With ``--held-out``, the held-out notes of ``evaluation/activity_heldout.txt`` (activity
logs) and ``activity_needs_heldout.txt`` (customers' needs, some about calendars or time
off as product needs), written by another author before the activity-log rule
(``nlp.activity``) was measured on them and never tuned on, are added to the sample as
320 more Salesforce tasks (seeded dates from 2026-07-01 and the sample's accounts), and
it reports how many of each carry a theme. Results: ``results/admin-notes-held-out[-SETTINGS]``.
"""

from __future__ import annotations

import ast
import csv
import json
import random
import re
import shutil
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from evaluation.mine_process import in_process_harness, settings_suffix

__all__ = ["admin_note_patterns", "is_admin_note", "add_held_out_notes", "mine_sample", "main"]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
GENERATOR = ROOT / "data" / "generate_sample.py"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
AS_OF = date(2026, 10, 31)


def admin_note_patterns(generator: Path = GENERATOR) -> list[re.Pattern[str]]:
    """One pattern per admin-note template of the sample's generator (``NOISE_NOTES``, read from its source,
    not run): its literal words in order, each ``{slot}`` matching anything, anchored at the note's start."""
    tree = ast.parse(Path(generator).read_text(encoding="utf-8"))
    templates = next((ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                      and any(getattr(t, "id", "") == "NOISE_NOTES" for t in node.targets)), None)
    if not templates:
        raise ValueError(f"{generator} defines no NOISE_NOTES list of admin-note templates")
    return [re.compile("^" + ".*?".join(re.escape(p) for p in re.split(r"\{[a-z0-9]+\}", t.rstrip("."))))
            for t in templates]


def is_admin_note(text: str, patterns: list[re.Pattern[str]]) -> bool:
    """Whether a note's text is one of the admin templates filled in."""
    return any(p.search(text) for p in patterns)


#: Task ids of the held-out notes start with these (activity logs, needs).
HELD_OUT_PREFIX = {"activity_heldout": "HOA", "activity_needs_heldout": "HON"}


def add_held_out_notes(notes_dir: Path, seed: int = 0) -> dict[str, str]:
    """Write the held-out notes as ``held_out_tasks.csv`` in ``notes_dir`` (the sample's columns; dates
    2026-07-01 to 2026-10-30 and accounts of the sample's tasks, seeded). Returns task id -> its file's name."""
    from evaluation.activity_probe import read_notes

    with (SAMPLE / "notes" / "salesforce_tasks.csv").open(encoding="utf-8", newline="") as fh:
        sample = list(csv.DictReader(fh))
    rng = random.Random(seed)
    rows, kinds = [], {}
    for name, prefix in HELD_OUT_PREFIX.items():
        for i, text in enumerate(read_notes(name)):
            like = rng.choice(sample)
            day = date(2026, 7, 1).toordinal() + rng.randrange(122)
            when = date.fromordinal(day).isoformat()
            task_id = f"{prefix}{i:05d}"
            kinds[task_id] = name
            rows.append({**like, "Id": task_id, "Subject": "Task", "ActivityDate": when,
                         "CreatedDate": f"{when}T17:00:00.000+0000", "Description": text})
    with (notes_dir / "held_out_tasks.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(sample[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return kinds


def mine_sample(settings: Any, tmp: Path, notes: Path = SAMPLE / "notes") -> tuple[Any, list[Any]]:
    """``groundswell mine``'s stages on the sample's calls and ``notes`` as of :data:`AS_OF`, on a fresh store
    and bundle in ``tmp``: the run's result and every segment it stored."""
    from pipelines.mine import load_resources, mine
    from pipelines.store.store import Store

    url = f"sqlite:///{tmp / 'store.db'}"
    result = mine([SAMPLE / "calls", notes], SAMPLE / "strategy.md", tmp / "bundle", store_url=url, as_of=AS_OF,
                  settings=settings, resources=load_resources(settings))
    store = Store(url)
    try:
        return result, store.load_segments(datetime(2100, 1, 1))
    finally:
        store.dispose()


def main(argv: list[str] | None = None) -> int:
    args, settings = in_process_harness(__doc__.splitlines()[0], RESULTS_DIR, argv,
                                        extra=[(("--held-out",), {"action": "store_true", "help": (
                                            "add the held-out notes of evaluation/activity_heldout.txt and "
                                            "activity_needs_heldout.txt to the sample and report how many of "
                                            "each carry a theme")})])
    patterns = admin_note_patterns()
    with tempfile.TemporaryDirectory(prefix="gs-admin-") as tmp:
        notes_dir = Path(tmp) / "notes"
        shutil.copytree(SAMPLE / "notes", notes_dir)
        held_out = add_held_out_notes(notes_dir) if args.held_out else {}
        result, segments = mine_sample(settings, Path(tmp), notes_dir)
    stored = [s for s in segments if s.source.value == "note"]
    themed = {m for t in result.themes for m in t.members}
    held = {name: {s.segment_id for s in stored if held_out.get(s.doc_id) == name} for name in HELD_OUT_PREFIX}
    notes = {s.segment_id: s.text for s in stored if s.doc_id not in held_out}
    admin = {sid for sid, text in notes.items() if is_admin_note(text, patterns)}
    rows = []
    for t in result.themes:
        kinds = Counter("admin" if m in admin else "note" if m in notes else "call" for m in t.members)
        if kinds["admin"] * 2 > len(t.members):
            rows.append({"id": t.id, "label": t.label, "size": len(t.members), "admin_notes": kinds["admin"]})
    report = {"settings": args.settings, "as_of": AS_OF.isoformat(), "notes": len(notes), "admin_notes": len(admin),
              "admin_notes_themed": len(admin & themed), "other_notes_themed": len((set(notes) - admin) & themed),
              "themes": len(result.themes),
              **({"held_out": {name: {"segments": len(ids), "themed": len(ids & themed)}
                               for name, ids in held.items()}} if held_out else {}),
              "themes_mostly_admin": rows, "flags": [f.kind.value for f in result.flags]}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "admin-notes" + ("-held-out" if held_out else "") + settings_suffix(args.settings)
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = ["# The sample's admin notes (a rep's activity log) in themes", "",
             f"Settings: {', '.join(args.settings) or 'defaults'}. Generated by `python -m evaluation.admin_notes"
             f"{' --held-out' if held_out else ''}{''.join(' --set ' + p for p in args.settings)}` (data/sample"
             f"{' and the held-out notes' if held_out else ''}, as of {AS_OF}, fresh store).", "",
             f"- admin notes: {len(admin)} of {len(notes)} note segments; in a theme: {len(admin & themed)}",
             f"- the other {len(notes) - len(admin)} note segments (customers' needs): in a theme: "
             f"{report['other_notes_themed']}",
             *[f"- held-out {name}.txt: {len(ids)} note segments; in a theme: {len(ids & themed)}"
               for name, ids in held.items() if held_out],
             f"- themes mostly admin notes: {len(rows)} of {len(result.themes)}",
             f"- flags: {', '.join(report['flags'])}", "",
             "| theme | label | members | admin notes |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {r['id']} | {r['label']} | {r['size']} | {r['admin_notes']} |" for r in rows]
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
