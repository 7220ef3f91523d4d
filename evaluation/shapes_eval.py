"""Theme quality on clinc150 cut into the shapes of one company's field (development data).

Run from the repository root::

    .venv/bin/python -m evaluation.shapes_eval --data ../shared/datasets/clinc150 [--model all-mpnet-base-v2] [--bertopic]

clinc150's splits mix ten domains with every intent the same size. A company's
calls and notes are one domain, where needs lie close together, and a few needs
are raised far more often than the rest. This harness cuts clinc150 (train,
in-scope) into those shapes and scores the clusterer on each:

- ``val``: the validation split as it is (150 intents x 20), the tuning set;
- ``domain-40``: each of the ten domains alone, 40 queries per intent (15 x 40 = 600);
- ``domain-100``: each domain alone with all its train queries (15 x 100 = 1,500);
- ``zipf``: all 150 intents with Zipf-like sizes (300 / rank, at most 100, at
  least 3; four seeds, about 1,460 queries each).

Methods: groundswell's clusterer with its defaults and with pieces never
joined (``merge_mixing=None``), and with ``--bertopic`` BERTopic 0.17.4's
defaults followed by ``reduce_outliers`` on the model's own sentence embeddings (the clusterer reads its
``cluster_pooling``, see ``nlp.embed``). Scores: NMI and
ARI (noise is one more label), themes, and for ``zipf`` the small intents kept
(of the intents with 5 to 15 queries, how many are the majority of a theme
that holds at least half of them). Results: ``results/shapes-clinc150-<model>.{json,md}``.
Only clinc150 is read: the acceptance sets are never cut this way.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from evaluation.datasets import Dataset, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from nlp import cluster as nlp_cluster
from nlp.embed import DEFAULT_MODEL, MODELS, load_model

__all__ = ["build_shapes", "small_intents_kept", "main"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ZIPF_SEEDS = (1, 2, 3, 4)

Shape = tuple[np.ndarray, list[str], np.ndarray]  # vectors, texts, gold labels


def build_shapes(folder: Path, model, cache_dir: Path, pooling: str = "mean") -> dict[str, dict[str, Shape]]:
    """The shapes, each a dict of named samples (vectors of ``pooling``, texts, gold labels)."""
    val = load_dataset(Dataset.CLINC150, folder, "val")
    vv, _ = cached_embeddings(model, val.name, val.texts, cache_dir, pooling=pooling)
    train = load_dataset(Dataset.CLINC150, folder, "train")
    tv, _ = cached_embeddings(model, train.name, train.texts, cache_dir, pooling=pooling)
    texts, labels = np.asarray(train.texts, dtype=object), np.asarray(train.labels)
    domains = json.loads((Path(folder) / "domains.json").read_text(encoding="utf-8"))

    def pick(index: np.ndarray) -> Shape:
        index = np.sort(index)
        return tv[index], [str(t) for t in texts[index]], labels[index]

    shapes: dict[str, dict[str, Shape]] = {"val": {"val": (vv, list(val.texts), np.asarray(val.labels))}}
    rng = np.random.default_rng(0)
    shapes["domain-40"] = {
        d: pick(np.concatenate([rng.choice(np.flatnonzero(labels == i), 40, replace=False) for i in intents]))
        for d, intents in domains.items()
    }
    shapes["domain-100"] = {d: pick(np.flatnonzero(np.isin(labels, intents))) for d, intents in domains.items()}
    shapes["zipf"] = {}
    for seed in ZIPF_SEEDS:
        rng = np.random.default_rng(seed)
        index = []
        for rank, intent in enumerate(rng.permutation(np.unique(labels)), 1):
            size = min(100, max(3, int(round(300 / rank))))
            index.append(rng.choice(np.flatnonzero(labels == intent), size, replace=False))
        shapes["zipf"][f"seed {seed}"] = pick(np.concatenate(index))
    return shapes


def small_intents_kept(gold: np.ndarray, labels: np.ndarray, low: int = 5, high: int = 15) -> tuple[int, int]:
    """(kept, all) intents with ``low``..``high`` members: kept when a theme holds at
    least half of them and they are its majority."""
    kept = total = 0
    for intent, count in zip(*np.unique(gold, return_counts=True)):
        if not low <= count <= high:
            continue
        total += 1
        mine = labels[(gold == intent) & (labels >= 0)]
        if mine.size == 0:
            continue
        themes, counts = np.unique(mine, return_counts=True)
        if 2 * counts.max() >= count:
            majority = Counter(gold[labels == themes[counts.argmax()]]).most_common(1)[0][0]
            kept += majority == intent
    return kept, total


def _bertopic(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    from evaluation.themes_eval import fit_bertopic

    try:
        return fit_bertopic(texts, vectors)[1]
    except ValueError:  # BERTopic found no outliers, so reduce_outliers refuses: its fit is the answer
        from bertopic import BERTopic

        return np.asarray(BERTopic(embedding_model=None).fit_transform(texts, vectors)[0])


def _score(method: Callable[[np.ndarray, list[str]], np.ndarray], samples: dict[str, Shape]) -> dict:
    rows = []
    start = time.perf_counter()
    for name, (vectors, texts, gold) in samples.items():
        labels = method(vectors, texts)
        kept, small = small_intents_kept(gold, labels)
        rows.append({"sample": name, "nmi": float(normalized_mutual_info_score(gold, labels)),
                     "ari": float(adjusted_rand_score(gold, labels)), "themes": int(labels.max()) + 1,
                     "intents": int(np.unique(gold).size), "small_kept": kept, "small": small})
    return {
        "nmi": round(float(np.mean([r["nmi"] for r in rows])), 4),
        "ari": round(float(np.mean([r["ari"] for r in rows])), 4),
        "themes": round(float(np.mean([r["themes"] for r in rows])), 1),
        "small_kept": round(float(np.mean([r["small_kept"] for r in rows])), 1),
        "small": round(float(np.mean([r["small"] for r in rows])), 1),
        "seconds": round(time.perf_counter() - start, 1),
        "samples": rows,
    }


def _markdown(report: dict) -> str:
    lines = [
        f"# clinc150 in the shapes of one company's field ({report['model']})",
        "",
        "Generated by `python -m evaluation.shapes_eval`; see `evaluation/README.md`. Means over each shape's samples;",
        "NMI / ARI with noise as one more label; small intents kept: of the intents with 5-15 queries (zipf only).",
        "",
        "| method | " + " | ".join(report["shapes"]) + " |",
        "| --- | " + " | ".join("---" for _ in report["shapes"]) + " |",
    ]
    for method, by_shape in report["results"].items():
        cells = []
        for shape in report["shapes"]:
            r = by_shape[shape]
            cell = f"{r['nmi']:.3f} / {r['ari']:.3f}, {r['themes']:g} themes"
            if shape == "zipf":
                cell += f", {r['small_kept']:g} of {r['small']:g} small kept"
            cells.append(cell)
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += ["", f"Intents per sample: val 150, domain-40 and domain-100 15, zipf 150 (sizes 3-100)."]
    if report.get("mean_norms"):
        lines += ["", "Length of the mean vector by shape (the opt-in row scales the cut by (1 - R0^2) / (1 - R^2), "
                  f"R0 = {report['reference_mean_norm']}): "
                  + ", ".join(f"{k} {v:.3f}" for k, v in report["mean_norms"].items()) + "."]
    lines += [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="the clinc150 folder (read in place)")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                        help="packaged embedding model (default %(default)s)")
    parser.add_argument("--bertopic", action="store_true", help="also run BERTopic + reduce_outliers")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    model = load_model(model=args.model)
    # the clusterer reads the model's cluster_pooling, BERTopic the model's own (mean) sentence embeddings
    shapes = build_shapes(args.data, model, args.cache_dir, pooling=MODELS[args.model].cluster_pooling)
    own = shapes if MODELS[args.model].cluster_pooling == "mean" else build_shapes(args.data, model, args.cache_dir)
    granularity = MODELS[args.model].granularity or nlp_cluster.DEFAULT_GRANULARITY
    piece_spread = MODELS[args.model].piece_spread or nlp_cluster.DEFAULT_PIECE_SPREAD
    r0 = MODELS[args.model].reference_mean_norm
    methods: dict[str, Callable[[np.ndarray, list[str]], np.ndarray]] = {
        "groundswell (defaults)": lambda v, t: nlp_cluster.cluster_embeddings(
            v, texts=t, granularity=granularity, piece_spread=piece_spread),
        "groundswell, cut scaled to the corpus (themes.scale_granularity, opt-in)": lambda v, t:
            nlp_cluster.cluster_embeddings(v, texts=t, granularity=granularity, piece_spread=piece_spread,
                                           reference_mean_norm=r0),
        "groundswell, pieces never joined": lambda v, t: nlp_cluster.cluster_embeddings(
            v, texts=t, granularity=granularity, merge_mixing=None, piece_spread=None),
    }
    if args.bertopic:
        methods["BERTopic 0.17.4 + reduce_outliers"] = _bertopic
    results = {}
    for name, method in methods.items():
        read = own if method is _bertopic else shapes
        results[name] = {shape: _score(method, samples) for shape, samples in read.items()}
        logger.info("%s: %s", name, {s: (r["nmi"], r["ari"]) for s, r in results[name].items()})
    # |mean| of each shape's vectors: CLINC150 val's is the model's reference_mean_norm (nlp.embed.ModelSpec)
    mean_norms = {shape: round(float(np.mean([np.linalg.norm(v.mean(axis=0)) for v, _, _ in samples.values()])), 3)
                  for shape, samples in shapes.items()}
    logger.info("|mean| of the vectors by shape: %s (reference_mean_norm %s)", mean_norms, r0)
    report = {"model": args.model, "shapes": list(shapes), "mean_norms": mean_norms, "reference_mean_norm": r0,
              "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"shapes-clinc150-{args.model}"
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_markdown(report), encoding="utf-8")
    print(_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
