"""Do theme labels name what their members ask for? Measured on CLINC150's intent names.

Run from the repository root::

    .venv/bin/python -m evaluation.labels_eval --data ../shared/datasets/clinc150 [--split val]

The texts of a split are clustered as ``evaluation.themes_eval`` clusters them (the model's cluster
vectors and cut), and each cluster is described by ``nlp.themes.summarize_clusters`` with the spaCy
parser, as ``groundswell mine`` describes a theme. A cluster's intent is the gold intent most of its
members carry; its name's words are what the label should say ("card_declined": card, declined). For
each cluster this counts whether a word of the label, of its first part alone, and of its first three
keywords is a content word of that name (a word or its spaCy lemma: "Cards" names "card").

With ``--bertopic``, BERTopic 0.17.4's defaults run on the same texts and the model's own vectors in the
same run, and its topic names ("12_card_declined_declined_card", its four top c-TF-IDF words) are scored the
same way, over its topics (outliers left out): what a BERTopic user reads as a theme's name.

A crude but honest measure: an intent name is a developer's shorthand ("w2", "mpg", "how_busy"), and a
label can be right in other words ("Paycheck / date" for "payday" counts as a miss). It compares label
rules on the same clusters; its absolute level says little. Development data: CLINC150 only, the
``labels.v7`` rule was chosen on it. Results: ``results/labels-<split>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from pathlib import Path

import numpy as np

from evaluation.datasets import Dataset, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from nlp import cluster as nlp_cluster
from nlp.embed import MODELS
from nlp.themes import LABEL_RULE, summarize_clusters
from pipelines.mine import load_resources
from pipelines.settings import Settings

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_MODEL = "all-MiniLM-L6-v2"


def _words(parts: list[str], parser) -> set[str]:
    """The words, lower-cased, and their spaCy lemmas."""
    return {t.lemma_.lower() for t in parser(" ".join(parts))} | {w.lower() for w in parts}


def _majority(gold: np.ndarray, members: np.ndarray) -> str:
    names, counts = np.unique(gold[members], return_counts=True)
    return str(names[counts.argmax()])


#: The function words of CLINC150's intent names ("what_is_your_name", "do_you_have_pets"): no label should need
#: them, and a topic name that keeps stop words (BERTopic's) would match them for nothing.
_FUNCTION_WORDS = frozenset("a are can do for from have how i is of on what when where who you your".split())


def _intent_words(intent: str, parser) -> set[str]:
    """The content words of an intent's name ("card_declined": card, declined; "what_is_your_name": name) and
    their lemmas."""
    return _words([w for w in intent.split("_") if len(w) > 1 and w not in _FUNCTION_WORDS], parser)


def score_labels(texts: list[str], gold: np.ndarray, vectors: np.ndarray, labels: np.ndarray, parser) -> dict:
    """The shares of the module doc for one clustering, and each cluster's intent and label."""
    summaries = summarize_clusters(texts, vectors, labels, nlp=parser)
    rows = []
    for c, s in enumerate(summaries):
        intent = _majority(gold, labels == c)
        name = _intent_words(intent, parser)
        label = _words(re.findall(r"[A-Za-z0-9]+", s.label), parser)
        first = _words(re.findall(r"[A-Za-z0-9]+", s.label.split(" / ")[0]), parser)
        keywords = _words([w for k in s.keywords[:3] for w in k.split()], parser)
        rows.append({"intent": intent, "label": s.label, "keywords": list(s.keywords[:3]),
                     "label_names_intent": bool(name & label), "first_part_names_intent": bool(name & first),
                     "keywords_name_intent": bool(name & keywords)})
    n = max(len(rows), 1)
    return {"clusters": len(rows),
            "label_names_intent": round(sum(r["label_names_intent"] for r in rows) / n, 3),
            "first_part_names_intent": round(sum(r["first_part_names_intent"] for r in rows) / n, 3),
            "keywords_name_intent": round(sum(r["keywords_name_intent"] for r in rows) / n, 3),
            "per_cluster": rows}


def score_bertopic_names(texts: list[str], gold: np.ndarray, vectors: np.ndarray, parser) -> dict:
    """BERTopic's defaults on ``vectors``; the share of its topics whose name holds a word of their intent."""
    from bertopic import BERTopic

    model = BERTopic(embedding_model=None)
    topics, _ = model.fit_transform(texts, vectors)
    topics = np.asarray(topics)
    names = dict(zip(model.get_topic_info()["Topic"], model.get_topic_info()["Name"]))
    rows = []
    for t in sorted(set(topics.tolist()) - {-1}):
        intent = _majority(gold, topics == t)
        words = [w for w in str(names[t]).split("_")[1:] if w]
        wanted = _intent_words(intent, parser)
        rows.append({"intent": intent, "name": str(names[t]), "names_intent": bool(wanted & _words(words, parser)),
                     "first_two_name_intent": bool(wanted & _words(words[:2], parser))})
    n = max(len(rows), 1)
    return {"topics": len(rows), "outliers": round(float(np.mean(topics < 0)), 3),
            "name_names_intent": round(sum(r["names_intent"] for r in rows) / n, 3),
            "first_two_name_intent": round(sum(r["first_two_name_intent"] for r in rows) / n, 3), "per_topic": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="the CLINC150 folder (read in place)")
    parser.add_argument("--split", default="test", help="split to score (default: test)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for labels-<split>.json and .md")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                        help="packaged embedding model (default %(default)s)")
    parser.add_argument("--bertopic", action="store_true",
                        help="also score BERTopic's topic names on the same texts and vectors (the eval extra)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    data = load_dataset(Dataset.CLINC150, args.data, args.split)
    # the embedding model and the parser as groundswell mine loads them
    res = load_resources(Settings(embed={"model": args.model}))
    if res.parser is None:
        raise SystemExit("labels_eval: no spaCy English pipeline is installed (en_core_web_sm); run "
                         "`bash scripts/_env.sh test` to install the project's environment")
    model = res.model
    spec = MODELS[args.model]
    vectors, _ = cached_embeddings(model, data.name, data.texts, args.cache_dir)
    cvectors = (vectors if spec.cluster_pooling == "mean" else
                cached_embeddings(model, data.name, data.texts, args.cache_dir, pooling=spec.cluster_pooling)[0])
    texts = list(data.texts)
    labels = nlp_cluster.cluster_embeddings(cvectors, texts=texts, granularity=spec.granularity,
                                            piece_spread=spec.piece_spread)
    nlp = res.parser
    report = {"split": data.name, "embedding_model": model.model_id, "label_rule": LABEL_RULE,
              **score_labels(texts, np.asarray(data.labels), vectors, labels, nlp)}
    if args.bertopic:
        report["bertopic"] = score_bertopic_names(texts, np.asarray(data.labels), vectors, nlp)

    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"labels-{data.name.replace('/', '-')}" + ("" if args.model == DEFAULT_MODEL else f"-{args.model}")
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    misses = [r for r in report["per_cluster"] if not r["label_names_intent"]]
    lines = [f"# Do labels name their intent? {data.name}", "",
             f"Embedding model: {args.model}; label rule `{LABEL_RULE}`. {report['clusters']} clusters of the "
             "clusterer (defaults); a cluster's intent is its members' majority gold intent.", "",
             "| what holds a content word of the intent's name | share of clusters |", "| --- | ---: |",
             f"| the label | {report['label_names_intent']:.3f} |",
             f"| the label's first part | {report['first_part_names_intent']:.3f} |",
             f"| the first three keywords | {report['keywords_name_intent']:.3f} |"]
    if "bertopic" in report:
        b = report["bertopic"]
        lines += [f"| BERTopic 0.17.4 defaults, same texts and vectors, over its {b['topics']} topics "
                  f"({b['outliers']:.1%} of texts outliers): its topic name (four top words) | "
                  f"{b['name_names_intent']:.3f} |",
                  f"| BERTopic: the first two words of its topic name | {b['first_two_name_intent']:.3f} |"]
    lines += ["",
             "Labels that hold no word of their intent's name (some are right in other words):", "",
             "| intent | label | first keywords |", "| --- | --- | --- |"]
    lines += [f"| {r['intent']} | {r['label']} | {', '.join(r['keywords'])} |" for r in misses]
    lines += ["", f"Command: `python -m evaluation.labels_eval --data ../shared/datasets/clinc150 --split {args.split}"
              + ("" if args.model == DEFAULT_MODEL else f" --model {args.model}") + (" --bertopic" if args.bertopic else "")
              + "`"]
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    logging.getLogger(__name__).info("labels: %s of %d clusters name their intent (first part %s, keywords %s)",
                                     report["label_names_intent"], report["clusters"],
                                     report["first_part_names_intent"], report["keywords_name_intent"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
