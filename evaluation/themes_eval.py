"""Theme quality against labelled intents: groundswell's clustering vs BERTopic.

Run from the repository root::

    .venv/bin/python -m evaluation.themes_eval --dataset clinc150 --data /work/shared/datasets/clinc150

Every method clusters the same precomputed all-MiniLM-L6-v2 embeddings (made
with ``nlp.embed.embed_texts``, cached under ``evaluation/.cache/``). Scores are
NMI and ARI between clusters and gold intents; noise (-1) counts as one more
label, as is standard, so leaving points out is penalised.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from evaluation.datasets import Dataset, LabelledTexts, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from nlp import cluster as nlp_cluster
from nlp.embed import DEFAULT_MODEL, MODELS, load_model
from nlp.intent_space import model_projection

__all__ = ["MethodResult", "evaluate", "fit_bertopic", "main"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"

SOURCES = {
    Dataset.CLINC150: "CLINC150, Larson et al., EMNLP 2019 (CC BY 3.0), in-scope queries only",
    Dataset.BANKING77: "Banking77, Casanueva et al., 2020 (CC BY 4.0)",
}


@dataclass(frozen=True)
class MethodResult:
    """Scores of one clustering method on one split."""

    method: str
    settings: str
    nmi: float
    ari: float
    noise_share: float
    themes: int
    seconds: float


def _score(method: str, settings: str, gold: np.ndarray, labels: np.ndarray, seconds: float) -> MethodResult:
    labels = np.asarray(labels)
    return MethodResult(
        method=method,
        settings=settings,
        nmi=round(float(normalized_mutual_info_score(gold, labels)), 4),
        ari=round(float(adjusted_rand_score(gold, labels)), 4),
        noise_share=round(float((labels < 0).mean()), 4),
        themes=int(np.unique(labels[labels >= 0]).size),
        seconds=round(seconds, 2),
    )


def _timed(fn: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    out = fn()
    return np.asarray(out), time.perf_counter() - start


def _groundswell_settings(with_texts: bool, granularity: float, piece_spread: float, mapped: bool = False,
                          r0: float | None = None) -> str:
    parts = [
        "intent map (nlp.intent_space)" if mapped else "no intent map",
        "min_cluster_size=5",
        f"granularity={granularity}" + ("" if r0 is None else f" scaled from |mean| {r0} (nlp.cluster.scaled_granularity)"),
        f"piece_spread={piece_spread}",
        f"assign_threshold={nlp_cluster.DEFAULT_ASSIGN_THRESHOLD}",
        "seed=0",
    ]
    if with_texts:
        parts.insert(0, f"texts=given, text_weight={nlp_cluster.DEFAULT_TEXT_WEIGHT}")
    else:
        parts.insert(0, "texts=None")
    return "defaults: " + ", ".join(parts)


def fit_bertopic(texts: list[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """BERTopic 0.17.4's defaults on precomputed vectors, then ``reduce_outliers`` by embeddings.

    Returns:
        (topics, topics after reduce_outliers, seconds of the fit, seconds of fit and reduction).
    """
    from bertopic import BERTopic

    start = time.perf_counter()
    model = BERTopic(embedding_model=None)
    topics, _ = model.fit_transform(texts, vectors)
    fit = time.perf_counter() - start
    reduced = model.reduce_outliers(texts, topics, strategy="embeddings", embeddings=vectors)
    return np.asarray(topics), np.asarray(reduced), fit, time.perf_counter() - start


def evaluate(data: LabelledTexts, vectors: np.ndarray, *, bertopic: bool = True,
             granularity: float | None = None, piece_spread: float | None = None,
             projection: np.ndarray | None = None, projected_granularity: float | None = None,
             reference_mean_norm: float | None = None,
             cluster_vectors: np.ndarray | None = None) -> list[MethodResult]:
    """Run every method on the same texts and score it against the gold labels.

    groundswell's clusterer reads ``cluster_vectors`` (the model's ``cluster_pooling``, as ``groundswell
    mine`` does; None: ``vectors``); BERTopic and KMeans read ``vectors``, the model's own sentence
    embeddings (mean pooling, what sentence-transformers gives BERTopic by default). Where the two differ,
    one more row runs BERTopic + ``reduce_outliers`` on ``cluster_vectors``, for reference.

    ``granularity``, ``piece_spread``, ``reference_mean_norm``: the model's own (None: the clusterer's defaults;
    no scaling of the cut), as ``groundswell mine`` uses them. With ``projection`` (the model's intent map, ``nlp.intent_space``, read at
    ``projected_granularity``) one more row clusters through it, as ``groundswell mine`` does with
    ``themes.intent_projection`` (off by default).
    """
    gold = np.asarray(data.labels)
    texts = list(data.texts)
    results: list[MethodResult] = []
    g = nlp_cluster.DEFAULT_GRANULARITY if granularity is None else granularity
    p = nlp_cluster.DEFAULT_PIECE_SPREAD if piece_spread is None else piece_spread

    r0 = reference_mean_norm
    cv = vectors if cluster_vectors is None else cluster_vectors  # what the clusterer reads
    labels, secs = _timed(lambda: nlp_cluster.cluster_embeddings(cv, texts=texts, granularity=g, piece_spread=p,
                                                                 reference_mean_norm=r0))
    results.append(_score("groundswell cluster_embeddings (with texts)", _groundswell_settings(True, g, p, r0=r0), gold,
                          labels, secs))
    labels, secs = _timed(lambda: nlp_cluster.cluster_embeddings(cv, granularity=g, piece_spread=p,
                                                                 reference_mean_norm=r0))
    results.append(_score("groundswell cluster_embeddings (embeddings only)", _groundswell_settings(False, g, p, r0=r0), gold,
                          labels, secs))
    if projection is not None:
        gm = g if projected_granularity is None else projected_granularity
        labels, secs = _timed(lambda: nlp_cluster.cluster_embeddings(cv, texts=texts, granularity=gm,
                                                                     piece_spread=p, projection=projection))
        results.append(_score("groundswell cluster_embeddings (with texts, intent map; opt-in)",
                              _groundswell_settings(True, gm, p, True), gold, labels, secs))

    if bertopic:
        topics, reduced, secs, total = fit_bertopic(texts, vectors)
        results.append(_score(
            "BERTopic 0.17.4 defaults",
            "BERTopic(embedding_model=None).fit_transform(docs, embeddings); UMAP not seeded; includes numba compile",
            gold, np.asarray(topics), secs,
        ))
        results.append(_score(
            "BERTopic 0.17.4 + reduce_outliers",
            'same fit, then reduce_outliers(strategy="embeddings", embeddings=embeddings); time is fit + reduction',
            gold, reduced, total,
        ))
        if cv is not vectors:
            _, reduced, _, total = fit_bertopic(texts, cluster_vectors)
            results.append(_score(
                "BERTopic 0.17.4 + reduce_outliers, on groundswell's text-pooled vectors (reference)",
                "the same recipe on the vectors groundswell's clusterer reads (nlp.embed cluster_pooling)",
                gold, reduced, total,
            ))

    from sklearn.cluster import KMeans

    k = int(np.unique(gold).size)
    labels, secs = _timed(lambda: KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(vectors))
    results.append(_score("KMeans, true number of intents (oracle)", f"KMeans(n_clusters={k}, n_init=3, random_state=0)", gold, labels, secs))
    return results


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _markdown(report: dict) -> str:
    lines = [
        f"# Theme quality on {report['split']}",
        "",
        f"{report['n_texts']} texts, {report['n_intents']} gold intents. Source: {report['source']}.",
        f"Embeddings: {report['embedding_model']} via `nlp.embed.embed_pooled`"
        + (f" ({report['embedding_seconds']} s)" if report["embedding_seconds"] else " (cached)")
        + (f"; groundswell's clusterer reads {report['cluster_vectors']} (the mean of each text's own tokens), "
           "BERTopic and KMeans the model's own" if report.get("cluster_vectors", report["embedding_model"])
           != report["embedding_model"] else "") + ".",
        "NMI and ARI against the gold intents; noise (-1) counts as one more label.",
        (f"Intent map (the opt-in row): {report['intent_map']}, learnt on clinc150 train: on clinc150 its intents "
         "were seen." if report.get("intent_map") else "No intent map row."),
        f"Machine: {report['machine']}. Wall time of the clustering only.",
        "",
        "| method | NMI | ARI | noise share | themes | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['method']} | {r['nmi']:.3f} | {r['ari']:.3f} | {r['noise_share']:.1%} | {r['themes']} | {r['seconds']:.1f} |"
        )
    lines += ["", "Settings:", ""]
    lines += [f"- **{r['method']}**: {r['settings']}" for r in report["results"]]
    lines += ["", f"Versions: {report['versions']}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, choices=[d.value for d in Dataset])
    parser.add_argument("--data", required=True, type=Path, help="the data set's folder (read in place)")
    parser.add_argument("--split", default="test", help="split to score (default: test)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for <dataset>.json and .md")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--no-bertopic", action="store_true", help="skip the BERTopic baselines")
    parser.add_argument("--no-intent-map", action="store_true",
                        help="leave out the row that clusters through the model's intent map (themes.intent_projection)")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                        help="packaged embedding model (default %(default)s); its results are named after it")
    parser.add_argument("--scaled-cut", action="store_true",
                        help="scale the cut to the corpus, as groundswell mine does with themes.scale_granularity "
                             "(opt-in); results named ...-scaled-cut")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    dataset = Dataset(args.dataset)
    data = load_dataset(dataset, args.data, args.split)
    model = load_model(model=args.model)
    vectors, embed_seconds = cached_embeddings(model, data.name, data.texts, args.cache_dir)
    spec = MODELS[args.model]
    cluster_vectors = (vectors if spec.cluster_pooling == "mean" else
                       cached_embeddings(model, data.name, data.texts, args.cache_dir, pooling=spec.cluster_pooling)[0])
    projection = None if args.no_intent_map else model_projection(args.model)
    results = evaluate(data, vectors, bertopic=not args.no_bertopic, granularity=spec.granularity,
                       piece_spread=spec.piece_spread, projection=None if projection is None else projection.matrix,
                       projected_granularity=spec.theme_granularity(mapped=True),
                       reference_mean_norm=spec.reference_mean_norm if args.scaled_cut else None,
                       cluster_vectors=cluster_vectors)

    report = {
        "split": data.name,
        "source": SOURCES[dataset],
        "n_texts": len(data.texts),
        "n_intents": len(set(data.labels)),
        "embedding_model": model.model_id,
        "cluster_vectors": model.vectors_id(spec.cluster_pooling),
        "intent_map": None if projection is None else projection.version,
        "embedding_seconds": None if embed_seconds is None else round(embed_seconds, 1),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "noise_convention": "noise (-1) scored as its own label",
        "versions": {p: _version(p) for p in ("numpy", "scipy", "scikit-learn", "bertopic", "umap-learn", "hdbscan")},
        "results": [asdict(r) for r in results],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = dataset.value if args.split == "test" else f"{dataset.value}-{args.split}"
    if args.model != DEFAULT_MODEL:
        stem += f"-{args.model}"
    stem += "-scaled-cut" if args.scaled_cut else ""
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_markdown(report), encoding="utf-8")
    for r in results:
        logger.info("%-50s NMI %.3f ARI %.3f noise %.1f%% themes %d %.1f s", r.method, r.nmi, r.ari, 100 * r.noise_share, r.themes, r.seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
