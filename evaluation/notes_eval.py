"""Theme quality through ``groundswell mine``: labelled customer messages as CRM notes.

Run from the repository root::

    .venv/bin/python -m evaluation.notes_eval --dataset banking77 --data ../shared/datasets/banking77 --bertopic
    .venv/bin/python -m evaluation.notes_eval --dataset clinc150 --data ../shared/datasets/clinc150 \\
        --model all-mpnet-base-v2 --bertopic

``themes_eval`` scores the clusterer alone; this scores what a user gets. Each
message of a labelled split becomes one note of a canonical notes CSV (dated
over July-October 2026, spread over 200 accounts, with deal outcomes), a small
strategy file is written beside it, and the real command line runs on them as
a subprocess (``groundswell mine``: Prefect flow, PII redaction, segmentation,
the small-talk rule, embeddings, clustering, labels) on a fresh store. The
bundle's ``segments.csv`` gives each note its theme (a note of several segments
takes its first segment's). Scores are NMI and ARI between a note's theme and
its gold intent over every note: a note with no theme (noise or small talk)
counts as one more label, so leaving notes out is penalised.

With ``--bertopic``, BERTopic 0.17.4's defaults run beside it on the same
texts and the same packaged model's vectors (``nlp.embed``), with and without
``reduce_outliers``.

``clinc150`` is the development set; ``banking77`` is an acceptance set: run it
and report, never tune on it.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import random
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from evaluation.datasets import Dataset, LabelledTexts, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from evaluation.mine_process import add_settings_argument, run_mine, settings_suffix, settings_variables
from nlp.embed import DEFAULT_MODEL, MODELS

__all__ = ["write_notes", "note_themes", "score", "main"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
AS_OF = date(2026, 10, 31)
SOURCES = {
    Dataset.CLINC150: "CLINC150, Larson et al., EMNLP 2019 (CC BY 3.0), in-scope queries only",
    Dataset.BANKING77: "Banking77, Casanueva et al., 2020 (CC BY 4.0)",
}
# A strategy is required by the command line; this one is written here and plays no part in the scores.
STRATEGY = """statements:
  - {id: self_service, kind: value, text: Customers solve their own problems in the app without waiting}
  - {id: fast_answers, kind: priority, text: Answer every customer question within one business day}
"""


def write_notes(data: LabelledTexts, folder: Path, seed: int = 0) -> tuple[Path, dict[str, str]]:
    """One canonical-CSV note per message; returns the file and each note id's gold label."""
    rng = random.Random(seed)
    start = date(2026, 7, 1)
    days = (AS_OF - start).days
    accounts = [(f"ACC{n:03d}", rng.choices(["won", "lost", "open"], [0.35, 0.25, 0.4])[0]) for n in range(200)]
    gold: dict[str, str] = {}
    path = folder / "notes.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "created_at", "text", "account_id", "account_name", "outcome", "author"])
        for n, (text, label) in enumerate(zip(data.texts, data.labels)):
            doc = f"N{n:05d}"
            gold[doc] = label
            acc, outcome = rng.choice(accounts)
            day = start + timedelta(days=rng.randrange(days + 1))
            stamp = datetime(day.year, day.month, day.day, rng.randint(8, 18), rng.randint(0, 59))
            w.writerow([doc, stamp.isoformat(), text, acc, f"Account {acc[3:]}", outcome,
                        rng.choice(["Avery", "Blake", "Casey", "Devon"])])
    return path, gold


def note_themes(segments_csv: Path) -> dict[str, str]:
    """Each note's theme id ('' for none): the theme of its first segment in the bundle."""
    out: dict[str, str] = {}
    with segments_csv.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["doc_id"], row["theme_id"])
    return out


def score(gold: dict[str, str], themes: dict[str, str]) -> dict[str, Any]:
    """NMI / ARI over every note; a note with no theme (or no segment) is one more label, ``-``."""
    docs = sorted(gold)
    truth = [gold[d] for d in docs]
    got = [themes.get(d) or "-" for d in docs]
    unthemed = Counter(t for t, g in zip(truth, got) if g == "-")
    return {
        "nmi": round(float(normalized_mutual_info_score(truth, got)), 4),
        "ari": round(float(adjusted_rand_score(truth, got)), 4),
        "unthemed_share": round(sum(g == "-" for g in got) / len(got), 4),
        "themes": len({g for g in got if g != "-"}),
        "unthemed_by_intent": dict(unthemed.most_common(20)),  # the 20 intents with most notes left unthemed
    }


def bertopic_scores(data: LabelledTexts, model: str, cache_dir: Path) -> dict[str, Any]:
    """BERTopic's defaults on the same texts and the same model's vectors, with and without reduce_outliers."""
    from evaluation.themes_eval import fit_bertopic
    from nlp.embed import load_model

    vectors, _ = cached_embeddings(load_model(model=model), data.name, data.texts, cache_dir)
    topics, reduced, fit, total = fit_bertopic(list(data.texts), vectors)
    gold = {f"N{n:05d}": label for n, label in enumerate(data.labels)}

    def as_themes(labels: Any) -> dict[str, str]:
        return {f"N{n:05d}": ("" if t < 0 else str(t)) for n, t in enumerate(labels)}

    return {"defaults": {**score(gold, as_themes(topics)), "seconds": round(fit, 1)},
            "reduce_outliers": {**score(gold, as_themes(reduced)), "seconds": round(total, 1)}}


def _markdown(report: dict[str, Any]) -> str:
    g = report["groundswell"]
    lines = [
        f"# Theme quality through `groundswell mine`: {report['split']}",
        "",
        f"{report['notes']} notes, {report['intents']} gold intents. Source: {report['source']}.",
        f"Embedding model: {report['model']}. Machine: {report['machine']}.",
        "NMI / ARI of each note's theme against its intent over every note; a note with no theme counts as one "
        "more label.",
        "",
        "| method | NMI | ARI | notes with no theme | themes | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| groundswell mine (whole process) | {g['nmi']:.3f} | {g['ari']:.3f} | {g['unthemed_share']:.1%} | "
        f"{g['themes']} | {g['seconds']:.1f} |",
    ]
    for name, r in report.get("bertopic", {}).items():
        lines.append(f"| BERTopic 0.17.4 {name.replace('_', ' ')} | {r['nmi']:.3f} | {r['ari']:.3f} | "
                     f"{r['unthemed_share']:.1%} | {r['themes']} | {r['seconds']:.1f} |")
    lines += ["", f"Command: `{report['command']}`", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, choices=[d.value for d in Dataset])
    parser.add_argument("--data", required=True, type=Path, help="the data set's folder (read in place)")
    parser.add_argument("--split", default="test", help="split to mine (default: test)")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                        help="embed.model for the run (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed for dates, accounts and outcomes")
    parser.add_argument("--bertopic", action="store_true", help="also run BERTopic's defaults on the same input")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON and Markdown results")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="embedding cache for BERTopic")
    add_settings_argument(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    dataset = Dataset(args.dataset)
    data = load_dataset(dataset, args.data, args.split)
    with tempfile.TemporaryDirectory(prefix="gs-notes-eval-") as tmp:
        folder = Path(tmp)
        notes, gold = write_notes(data, folder, args.seed)
        logger.info("wrote %d notes; mining them with %s", len(gold), args.model)
        strategy = folder / "strategy.yaml"
        strategy.write_text(STRATEGY, encoding="utf-8")
        run = run_mine(notes, strategy, folder, args.model, AS_OF, settings_variables(args.settings))
        seconds = run["wall_s"]
        result = {**score(gold, note_themes(run["bundle"] / "segments.csv")), "seconds": seconds}
    logger.info("groundswell mine: NMI %.3f ARI %.3f, %.1f%% notes with no theme, %d themes, %.1f s",
                result["nmi"], result["ari"], 100 * result["unthemed_share"], result["themes"], seconds)
    report: dict[str, Any] = {
        "split": data.name, "source": SOURCES[dataset], "notes": len(gold), "intents": len(set(gold.values())),
        "model": args.model, "seed": args.seed,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": "python -m evaluation.notes_eval " + " ".join(argv if argv is not None else sys.argv[1:]),
        "groundswell": result,
    }
    if args.bertopic:
        report["bertopic"] = bertopic_scores(data, args.model, args.cache_dir)
        for name, r in report["bertopic"].items():
            logger.info("BERTopic %s: NMI %.3f ARI %.3f", name, r["nmi"], r["ari"])
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"notes-{dataset.value}-{args.split}-{args.model}"
    stem += settings_suffix(args.settings)
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_markdown(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
