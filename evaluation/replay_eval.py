"""Replay benchmark: do nightly runs catch themes that emerge, and ignore one account's burst?

Builds a CRM-note history from a labelled intent data set (real customer
messages), one note per message, over ``--days`` days:

- *steady* intents: mentions spread evenly over the whole span, many accounts;
- *emerging* intents (held back): absent until the release day, then a rising
  number of mentions from many accounts;
- *growing* intents (held back): a thin trickle before the release day, then rising;
- *decoys*: an intent raised only by one account, in a one-week burst.

It then replays nightly runs of :func:`pipelines.mine.mine` on one store, from
a week before the release to the last day, every ``--step`` days, and scores
each run's theme statuses against the plan: a theme stands for the intent most
of its documents carry.

- recall: held-back intents marked emerging or growing in at least one run;
- precision: of the themes ever marked emerging or growing, the share whose
  intent was held back (steady intents and decoys count against it);
- lead time: days from the intent's first mention after the release to the
  first run that marks it;
- steady intents marked rising, decoys marked rising (must be 0), decoys shown
  as an account concentration.

Usage::

    .venv/bin/python -m evaluation.replay_eval --data /work/shared/datasets/clinc150 --seed 0

Writes ``results/replay-<dataset>-s<seed>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from evaluation.datasets import Dataset, load_dataset

__all__ = ["build_history", "replay", "main"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
START = date(2026, 1, 1)
RISING = ("emerging", "growing")


def build_history(
    texts_by_intent: dict[str, list[str]],
    *,
    seed: int,
    days: int = 140,
    release: int = 105,
    n_steady: int = 30,
    n_emerging: int = 2,
    n_growing: int = 2,
    n_decoys: int = 2,
    accounts: int = 40,
) -> tuple[list[dict], dict[str, str], dict[str, int]]:
    """The replay's notes, each intent's role, and each held-back intent's first day after release.

    Returns:
        (notes as dicts with id, created_at, text, account_id, intent;
        intent -> steady | emerging | growing | decoy;
        intent -> day number of its first mention on or after the release).
    """
    rng = np.random.default_rng(seed)
    names = sorted(k for k, v in texts_by_intent.items() if len(v) >= 60)
    pick = list(rng.choice(names, size=n_steady + n_emerging + n_growing + n_decoys, replace=False))
    roles: dict[str, str] = {}
    for role, n in (("steady", n_steady), ("emerging", n_emerging), ("growing", n_growing), ("decoy", n_decoys)):
        for _ in range(n):
            roles[str(pick.pop())] = role
    notes: list[dict] = []

    def add(intent: str, day: int, account: str) -> None:
        pool = texts_by_intent[intent]
        text = pool[len([n for n in notes if n["intent"] == intent]) % len(pool)]
        notes.append({"intent": intent, "day": int(day), "account_id": account, "text": text})

    accts = [f"ACC{i:03d}" for i in range(accounts)]
    for intent, role in sorted(roles.items()):
        if role == "steady":
            for d in rng.integers(0, days, size=60):
                add(intent, d, str(rng.choice(accts)))
        elif role in ("emerging", "growing"):
            if role == "growing":
                for d in rng.integers(0, release, size=8):
                    add(intent, d, str(rng.choice(accts)))
            # rising: density grows linearly from the release day to the last day
            for u in rng.random(40):
                add(intent, release + int((days - release) * np.sqrt(u)), str(rng.choice(accts)))
        else:  # one account's burst, one week, late in the span
            start = int(rng.integers(release, days - 7))
            for d in rng.integers(start, start + 7, size=25):
                add(intent, d, f"DECOY-{intent}")
    rng.shuffle(notes)
    out = []
    for i, n in enumerate(sorted(notes, key=lambda n: n["day"])):
        when = datetime.combine(START + timedelta(days=n["day"]), datetime.min.time()) + timedelta(minutes=i % 600)
        out.append({"id": f"N{i:05d}", "created_at": when.isoformat(), "text": n["text"],
                    "account_id": n["account_id"], "intent": n["intent"]})
    first: dict[str, int] = {}
    for n in out:
        day = (datetime.fromisoformat(n["created_at"]).date() - START).days
        if roles[n["intent"]] in RISING and day >= release:
            first[n["intent"]] = min(first.get(n["intent"], day), day)
    return out, roles, first


def replay(notes: list[dict], roles: dict[str, str], first: dict[str, int], *, days: int, release: int,
           step: int, workdir: Path, incremental: bool = True) -> dict:
    """Nightly runs over the history on one store; statuses scored per run."""
    from pipelines.mine import load_resources, mine
    from pipelines.settings import Settings
    from pipelines.store import Store

    settings = Settings(themes={"incremental": incremental})
    notes_csv = workdir / "notes.csv"
    with notes_csv.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "created_at", "text", "account_id"])
        w.writeheader()
        for n in notes:
            w.writerow({k: n[k] for k in ("id", "created_at", "text", "account_id")})
    strategy = workdir / "strategy.md"
    strategy.write_text("# Objectives\n\n- Grow revenue from existing customers\n", encoding="utf-8")
    intent_of = {n["id"]: n["intent"] for n in notes}
    url = f"sqlite:///{workdir / 'store.db'}"
    resources = load_resources(settings)
    runs = []
    ever_rising: dict[str, str] = {}  # theme id -> its intent when it was first marked rising
    flagged_day: dict[str, int] = {}
    decoy_concentrated: set[str] = set()
    steady_rising: set[str] = set()
    t0 = time.perf_counter()
    doc_of: dict[str, str] = {}
    modes: Counter[str] = Counter()
    for day in range(release - 7, days, step):
        as_of = START + timedelta(days=day)
        res = mine([notes_csv], strategy, workdir / "bundle", store_url=url, as_of=as_of, settings=settings,
                   resources=resources)
        store = Store(url)
        if not doc_of:
            doc_of = {s.segment_id: s.doc_id for s in store.load_segments(datetime(2100, 1, 1))}
        modes[((store.run_record(res.run.id) or {}).get("themes_clustering") or {}).get("mode", "?")] += 1
        store.dispose()
        marked = []
        for t in res.themes:
            intents = Counter(intent_of[doc_of[m]] for m in t.members)
            intent, count = intents.most_common(1)[0]
            role = roles[intent]
            if role == "decoy" and t.trend.top_account_share > settings.trends.max_account_share \
                    and t.trend.recent_count >= 5:
                decoy_concentrated.add(intent)
            if t.status.value in RISING:
                marked.append({"theme": t.id, "intent": intent, "role": role, "status": t.status.value,
                               "purity": round(count / len(t.members), 3)})
                ever_rising.setdefault(t.id, intent)
                if role in RISING:
                    flagged_day.setdefault(intent, day)
                if role == "steady":
                    steady_rising.add(intent)
        runs.append({"as_of": as_of.isoformat(), "themes": len(res.themes), "marked": marked})
        logger.info("replay %s: %d themes, %d marked rising", as_of, len(res.themes), len(marked))
    held = sorted(i for i, r in roles.items() if r in RISING)
    detected = [i for i in held if i in flagged_day]
    true_pos = sum(1 for i in ever_rising.values() if roles[i] in RISING)
    decoys = sorted(i for i, r in roles.items() if r == "decoy")
    return {
        "runs": runs,
        "held_back": {i: {"role": roles[i], "first_day": first.get(i),
                          "flagged_day": flagged_day.get(i),
                          "lead_days": (flagged_day[i] - first[i]) if i in flagged_day else None}
                      for i in held},
        "recall": round(len(detected) / len(held), 3) if held else None,
        "precision": round(true_pos / len(ever_rising), 3) if ever_rising else None,
        "lead_days_mean": round(float(np.mean([flagged_day[i] - first[i] for i in detected])), 1) if detected else None,
        "lead_days_max": max((flagged_day[i] - first[i] for i in detected), default=None),
        "steady_intents_marked_rising": sorted(steady_rising),
        "decoys_marked_rising": sorted(i for i in ever_rising.values() if roles[i] == "decoy"),
        "decoys_shown_as_concentration": sorted(decoy_concentrated),
        "decoys": decoys,
        "seconds": round(time.perf_counter() - t0, 1),
        "clustering_modes": dict(modes),
    }


def _markdown(result: dict) -> str:
    s = result["summary"]
    lines = [
        f"# Replay benchmark: {result['dataset']} (seed {result['seed']})",
        "",
        f"{result['plan']['days']} days from {START}, release day {result['plan']['release']}, "
        f"a run every {result['plan']['step']} days; {result['plan']['notes']} notes, "
        f"{result['plan']['steady']} steady intents, {len(s['held_back'])} held back, {len(s['decoys'])} decoys.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| recall (held-back intents marked emerging/growing) | {s['recall']} |",
        f"| precision (rising themes that are held-back intents) | {s['precision']} |",
        f"| lead time, mean days (first mention -> first mark) | {s['lead_days_mean']} |",
        f"| lead time, max days | {s['lead_days_max']} |",
        f"| steady intents ever marked rising | {len(s['steady_intents_marked_rising'])} |",
        f"| decoys (one account's burst) marked rising | {len(s['decoys_marked_rising'])} |",
        f"| decoys shown as an account concentration | {len(s['decoys_shown_as_concentration'])} of {len(s['decoys'])} |",
        f"| seconds (all runs) | {s['seconds']} |",
        f"| runs clustered in full / incrementally | {s.get('clustering_modes', {}).get('full', 0)} / "
        f"{s.get('clustering_modes', {}).get('incremental', 0)} |",
        "",
        "| held-back intent | kind | first mention (day) | marked (day) | lead days |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for i, h in s["held_back"].items():
        lines.append(f"| {i} | {h['role']} | {h['first_day']} | {h['flagged_day']} | {h['lead_days']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="clinc150", choices=[d.value for d in Dataset])
    parser.add_argument("--data", required=True, type=Path, help="the data set's folder (read in place)")
    parser.add_argument("--seed", type=int, default=0, help="which intents are steady, held back, decoys")
    parser.add_argument("--days", type=int, default=140)
    parser.add_argument("--release", type=int, default=105, help="day the held-back intents appear")
    parser.add_argument("--step", type=int, default=7, help="days between replayed runs")
    parser.add_argument("--full", action="store_true",
                        help="cluster everything in every run (themes.incremental off)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logger.setLevel(logging.INFO)

    ds = Dataset(args.dataset)
    splits = ("train", "val", "test") if ds is Dataset.CLINC150 else ("train", "test")
    pool: dict[str, list[str]] = defaultdict(list)
    for split in splits:
        data = load_dataset(ds, args.data, split)
        for text, label in zip(data.texts, data.labels):
            pool[label].append(text)
    notes, roles, first = build_history(dict(pool), seed=args.seed, days=args.days, release=args.release)
    with tempfile.TemporaryDirectory(prefix="gs-replay-") as tmp:
        summary = replay(notes, roles, first, days=args.days, release=args.release, step=args.step,
                         workdir=Path(tmp), incremental=not args.full)
    result = {
        "dataset": ds.value, "seed": args.seed,
        "plan": {"days": args.days, "release": args.release, "step": args.step, "notes": len(notes),
                 "incremental": not args.full,
                 "steady": sum(r == "steady" for r in roles.values()), "roles": roles},
        "summary": summary,
        "written": date.today().isoformat(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"replay-{ds.value}-s{args.seed}" + (f"-step{args.step}" if args.step != 7 else "") + (
        "-full" if args.full else "")
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
