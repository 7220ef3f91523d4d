"""Learn the intent map (``nlp.intent_space``) on clinc150 train, and measure it on domains it never saw.

Run from the repository root::

    .venv/bin/python -m evaluation.intent_projection --data ../shared/datasets/clinc150 [--model all-MiniLM-L6-v2]
    .venv/bin/python -m evaluation.intent_projection --data ../shared/datasets/clinc150 --folds [--model ...]

The first form learns one map per packaged model (default: every one) from
clinc150's train split, all 150 in-scope intents, and writes
``nlp/intent_projection.npz``. It reads no other data set.

``--folds`` writes no map; it measures whether the map carries over to needs it
never saw. clinc150's ten domains are cut into five pairs (``--held-out 1``:
ten single domains; ``5``: two halves); for each a map is learnt on the other
domains' train queries, and the clusterer (``nlp.cluster.cluster_embeddings``,
the model's defaults) scores the held-out needs without and with it, in three
shapes: their val queries (30 intents x 20 for a pair), each domain's train
queries alone (15 x 100, one company's field), and their train queries at
Zipf-like sizes (300 / rank, 3 to 100; seeds 1 and 2). ``--shrinkage``, ``--dims`` and ``--granularity`` (comma lists) score
other settings beside them. Results: ``results/intent-projection-folds-<model>.{json,md}``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from evaluation.datasets import Dataset, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from nlp.cluster import DEFAULT_GRANULARITY, DEFAULT_PIECE_SPREAD, cluster_embeddings
from nlp.embed import DEFAULT_MODEL, MODELS
from nlp.intent_space import DEFAULT_DIMS, DEFAULT_SHRINKAGE, PROJECTION_FILE, learn_projection

__all__ = ["PROJECTION_VERSION", "folds", "main", "map_without"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Names the learning; a run records it with its theme rules, so a new map clusters everything again.
PROJECTION_VERSION = f"intent.v1 (clinc150 train, 150 intents; shrinkage {DEFAULT_SHRINKAGE:g}, {DEFAULT_DIMS} dims)"
ZIPF_SEEDS = (1, 2)


def _domains(folder: Path) -> dict[str, str]:
    """intent -> its clinc150 domain."""
    data = json.loads((Path(folder) / "domains.json").read_text(encoding="utf-8"))
    return {intent: domain for domain, intents in data.items() for intent in intents}


def map_without(folder: Path, domains: set[str], model_key: str, cache_dir: Path = DEFAULT_CACHE_DIR) -> np.ndarray:
    """The intent map learnt, with the shipped settings, on clinc150 train without ``domains``' intents:
    for development cases whose needs come from those domains (``calls_dev.py --probe-unseen``)."""
    from nlp.embed import load_model

    domain_of = _domains(folder)
    unknown = domains - set(domain_of.values())
    if unknown:
        raise ValueError(f"no clinc150 domain {', '.join(sorted(unknown))}; the domains are "
                         f"{', '.join(sorted(set(domain_of.values())))}.")
    train = load_dataset(Dataset.CLINC150, folder, "train")
    vectors, _ = cached_embeddings(load_model(model=model_key), train.name, train.texts, cache_dir,
                                   pooling=MODELS[model_key].cluster_pooling)
    labels = np.asarray(train.labels)
    keep = np.array([domain_of[x] not in domains for x in labels])
    return learn_projection(vectors[keep], labels[keep])


def _zipf(labels: np.ndarray, intents: list[str], seed: int) -> np.ndarray:
    """Row indices of a Zipf-like sample of ``intents``: 300 / rank queries, at least 3, at most 100."""
    rng = np.random.default_rng(seed)
    rows = []
    for rank, intent in enumerate(rng.permutation(intents), 1):
        members = np.flatnonzero(labels == intent)
        rows.extend(rng.choice(members, min(members.size, max(3, min(100, 300 // rank))), replace=False))
    return np.asarray(rows)


def _score(vectors, texts, gold, granularity, piece_spread, projection) -> tuple[float, float, int]:
    labels = cluster_embeddings(vectors, texts=list(texts), granularity=granularity, piece_spread=piece_spread,
                                projection=projection)
    return (float(normalized_mutual_info_score(gold, labels)), float(adjusted_rand_score(gold, labels)),
            int(np.unique(labels[labels >= 0]).size))


def folds(folder: Path, model_key: str, cache_dir: Path, settings: list[tuple[float | None, int | None, float]],
          piece_spread: float, held_out: int = 2) -> dict:
    """Per setting (shrinkage, dims, granularity; shrinkage None: no map) and shape: mean NMI, ARI and themes
    over the folds of held-out domains (and both Zipf seeds). ``held_out`` domains per fold: the ten sorted
    domains are dealt into 10 // held_out folds (2: five pairs; 1: each domain alone; 5: two halves)."""
    from nlp.embed import load_model

    model = load_model(model=model_key)
    train = load_dataset(Dataset.CLINC150, folder, "train")
    val = load_dataset(Dataset.CLINC150, folder, "val")
    tv, _ = cached_embeddings(model, train.name, train.texts, cache_dir, pooling=model.spec.cluster_pooling)
    vv, _ = cached_embeddings(model, val.name, val.texts, cache_dir, pooling=model.spec.cluster_pooling)
    domain_of = _domains(folder)
    tl, vl = np.asarray(train.labels), np.asarray(val.labels)
    td = np.array([domain_of[x] for x in tl])
    vd = np.array([domain_of[x] for x in vl])
    tt, vt = np.asarray(train.texts), np.asarray(val.texts)
    names = sorted(set(domain_of.values()))
    if not 1 <= held_out <= len(names) // 2:
        raise ValueError(f"held_out must lie in 1..{len(names) // 2} (the map must learn from as many domains). "
                         f"Got {held_out}.")
    n_folds = len(names) // held_out
    scores: dict[tuple, list] = {}
    for i in range(n_folds):
        held = names[i::n_folds]
        learn = ~np.isin(td, held)
        shapes = [("val, the unseen domains", np.isin(vd, held), vv, vt, vl)]
        shapes += [("one unseen domain, 100 per intent", td == d, tv, tt, tl) for d in held]
        intents = sorted(set(tl[np.isin(td, held)]))
        shapes += [("the unseen domains, Zipf sizes", _zipf(tl, intents, s), tv, tt, tl) for s in ZIPF_SEEDS]
        maps: dict = {}
        for shrinkage, dims, granularity in settings:
            if shrinkage is not None and (shrinkage, dims) not in maps:
                maps[shrinkage, dims] = learn_projection(tv[learn], tl[learn], shrinkage=shrinkage, dims=dims)
            projection = None if shrinkage is None else maps[shrinkage, dims]
            for shape, rows, v, t, lab in shapes:
                scores.setdefault((shrinkage, dims, granularity, shape), []).append(
                    _score(v[rows], t[rows], lab[rows], granularity, piece_spread, projection))
        logger.info("held out %s: done", ", ".join(held))
    out: dict = {}
    for (shrinkage, dims, granularity, shape), rows in scores.items():
        mean = np.asarray(rows, dtype=np.float64).mean(axis=0)
        key = "no map" if shrinkage is None else f"shrinkage {shrinkage:g}, {dims} dims"
        out.setdefault(f"{key}, granularity {granularity:g}", {})[shape] = {
            "nmi": round(float(mean[0]), 4), "ari": round(float(mean[1]), 4), "themes": round(float(mean[2]), 1),
            "samples": len(rows)}
    return out


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _write_folds(args: argparse.Namespace) -> int:
    for key in args.model or [DEFAULT_MODEL]:
        spec = MODELS[key]
        plain = spec.granularity or DEFAULT_GRANULARITY
        mapped = spec.theme_granularity(mapped=True) or plain
        piece = spec.piece_spread or DEFAULT_PIECE_SPREAD
        settings: list[tuple[float | None, int | None, float]] = [(None, None, plain), (DEFAULT_SHRINKAGE, DEFAULT_DIMS, mapped)]
        for s, d, g in itertools.product(_floats(args.shrinkage) or [DEFAULT_SHRINKAGE],
                                         [int(x) for x in _floats(args.dims)] or [DEFAULT_DIMS],
                                         _floats(args.granularity) or [mapped]):
            if (s, d, g) not in settings:
                settings.append((s, d, g))
        for g in _floats(args.granularity):
            if (None, None, g) not in settings:
                settings.insert(1, (None, None, g))
        report = {"model": key, "version": PROJECTION_VERSION, "piece_spread": piece, "held_out": args.held_out,
                  "defaults": {"no map": plain, "map": mapped},
                  "results": folds(args.data, key, args.cache_dir, settings, piece, args.held_out)}
        args.results.mkdir(parents=True, exist_ok=True)
        stem = f"intent-projection-folds-{key}" + ("" if args.held_out == 2 else f"-heldout{args.held_out}")
        (args.results / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        shapes = list(next(iter(report["results"].values())))
        n_folds = len(set(_domains(args.data).values())) // args.held_out
        lines = [f"# Intent map on clinc150 domains it never saw ({key})", "",
                 f"{n_folds} folds of {args.held_out} held-out domain(s); the map learnt on the other domains' train "
                 "queries. "
                 f"Clusterer defaults otherwise (piece_spread {piece:g}). Mean NMI / ARI (themes).", "",
                 "| setting | " + " | ".join(shapes) + " |", "| --- |" + " ---: |" * len(shapes)]
        for name, by_shape in report["results"].items():
            lines.append(f"| {name} | " + " | ".join(
                f"{by_shape[s]['nmi']:.3f} / {by_shape[s]['ari']:.3f} ({by_shape[s]['themes']:.0f})" for s in shapes) + " |")
        (args.results / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        logger.info("\n%s", "\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="the clinc150 folder (read in place)")
    parser.add_argument("--model", action="append", choices=list(MODELS),
                        help="this packaged model only (repeatable; default: every packaged model, "
                             f"{DEFAULT_MODEL} alone with --folds)")
    parser.add_argument("--out", type=Path, default=PROJECTION_FILE, help="the map file to write (default: %(default)s)")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--folds", action="store_true",
                        help="measure only: maps learnt without two domains at a time, scored on those domains' needs")
    parser.add_argument("--held-out", type=int, default=2,
                        help="with --folds: domains held out per fold (default 2: five pairs; 1: each domain alone; "
                             "5: two halves)")
    parser.add_argument("--shrinkage", default="", help="with --folds: more shrinkages to score, comma-separated")
    parser.add_argument("--dims", default="", help="with --folds: more direction counts to score, comma-separated")
    parser.add_argument("--granularity", default="", help="with --folds: more granularities to score, comma-separated")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.folds:
        return _write_folds(args)
    from nlp.embed import load_model

    train = load_dataset(Dataset.CLINC150, args.data, "train")
    arrays: dict[str, np.ndarray] = {}
    meta: dict = {"version": PROJECTION_VERSION, "models": {}}
    if args.out.is_file():
        with np.load(args.out, allow_pickle=False) as old:
            before = json.loads(str(old["meta"]))
            if before.get("version") == PROJECTION_VERSION:
                arrays = {k: old[k] for k in old.files if k != "meta"}
                meta["models"] = dict(before.get("models", {}))
    for key in args.model or [DEFAULT_MODEL, *[k for k in MODELS if k != DEFAULT_MODEL]]:
        model = load_model(model=key)
        # the map transforms what the clusterer reads: the model's cluster_pooling vectors
        vectors, _ = cached_embeddings(model, train.name, train.texts, args.cache_dir, pooling=model.spec.cluster_pooling)
        arrays[key] = learn_projection(vectors, train.labels)
        meta["models"][key] = {"model_id": model.model_id, "queries": len(train.texts),
                               "intents": len(set(train.labels)), "shape": list(arrays[key].shape)}
        logger.info("intent map for %s: %s", key, arrays[key].shape)
    np.savez_compressed(args.out, meta=np.array(json.dumps(meta)), **arrays)
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
