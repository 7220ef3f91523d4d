"""Tried, not landed: MiniLM trained on clinc150's intents, measured on needs it never saw.

Run from the repository root (about ten minutes per held-out pair on 2 cores)::

    .venv/bin/python -m evaluation.intent_encoder --data ../shared/datasets/clinc150 [--pairs 2]

A sentence model spreads one need's wordings along directions that have little
to do with the need. The twelfth session's intent map (a linear map learnt on
clinc150's labelled intents) did not carry to real customer messages; this
asks the same of the network itself: fine-tuned on clinc150 train's intents,
does it cluster needs of other domains better?

The recipe (:func:`train`): all-MiniLM-L6-v2, its token embeddings and lower
``FROZEN_LAYERS`` transformer layers frozen (0: all six layers train), with an
in-batch contrastive loss: each step draws ``BATCH`` distinct intents and two
queries of each, and every query must pick its partner out of the batch's
other intents' queries (cosine times 20, cross-entropy both ways; AdamW, lr
2e-5, ``STEPS`` steps, seed 0, torch on the CPU).

For each pair of held-out domains it trains on the other domains' intents only
and scores the clusterer (``nlp.cluster.cluster_embeddings``) on the held-out
needs with MiniLM and with the trained network, at several cuts, in the shapes
a company's field takes: the pair's train queries together (30 intents x 100),
each domain alone at 40 per intent (15 x 40), and the pair's val queries (30 x
20). Results: ``results/intent-encoder-folds.{json,md}``. It writes no model
and reads no other data set than clinc150.

On clinc150's held-out domains the trained network clustered far better
(mean NMI / ARI over both pairs' shapes 0.875 / 0.739 -> 0.914 / 0.823 at the
same cut); on Banking77 through ``groundswell mine``, measured once with the
network trained on all 150 intents, it did worse than MiniLM (0.785 / 0.483
against 0.817 / 0.554), and BERTopic on its vectors no better than on
MiniLM's. So no such model ships (evaluation/README.md, sixteenth session).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from nlp.cluster import cluster_embeddings

__all__ = ["train", "folds", "main", "FROZEN_LAYERS", "STEPS", "BATCH"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
FROZEN_LAYERS = 0
STEPS = 400
BATCH = 64
LEARNING_RATE = 2e-5
SCALE = 20.0
FOLDS = (("banking", "credit_cards"), ("home", "utility"), ("kitchen_and_dining", "auto_and_commute"),
         ("travel", "work"), ("small_talk", "meta"))
CUTS = (0.18, 0.21, 0.24, 0.27, 0.30)


def _clinc(folder: Path) -> tuple[dict, dict[str, list[str]]]:
    data = json.loads((Path(folder) / "data_full.json").read_text(encoding="utf-8"))
    domains = json.loads((Path(folder) / "domains.json").read_text(encoding="utf-8"))
    return data, domains


def train(folder: Path, held_out: tuple[str, ...] = (), *, steps: int = STEPS, batch: int = BATCH,
          frozen: int = FROZEN_LAYERS, seed: int = 0):
    """MiniLM trained on clinc150 train's in-scope intents outside the ``held_out`` domains.

    Returns the SentenceTransformer, in eval mode.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    from nlp.embed import MODELS

    data, domains = _clinc(folder)
    held = {i for d in held_out for i in domains[d]}
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        if intent not in held:
            by_intent.setdefault(intent, []).append(text)
    intents = sorted(by_intent)
    random.seed(seed)
    torch.manual_seed(seed)
    model = SentenceTransformer(str(MODELS["all-MiniLM-L6-v2"].path()), device="cpu")
    net = model[0].auto_model
    for p in net.embeddings.parameters():
        p.requires_grad = False
    for layer in net.encoder.layer[:frozen]:
        for p in layer.parameters():
            p.requires_grad = False
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE)
    model.train()
    start = time.perf_counter()
    logger.info("training on %d intents (%s held out), %d steps of %d intents", len(intents),
                ", ".join(held_out) or "none", steps, batch)
    for step in range(steps):
        chosen = random.sample(intents, min(batch, len(intents)))
        first, second = zip(*[random.sample(by_intent[i], 2) for i in chosen])
        a = torch.nn.functional.normalize(model(model.preprocess(list(first)))["sentence_embedding"], dim=-1)
        b = torch.nn.functional.normalize(model(model.preprocess(list(second)))["sentence_embedding"], dim=-1)
        sims = a @ b.T * SCALE
        target = torch.arange(len(chosen))
        loss = (torch.nn.functional.cross_entropy(sims, target) + torch.nn.functional.cross_entropy(sims.T, target)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == steps - 1:
            logger.info("step %d/%d: loss %.3f (%.0f s)", step + 1, steps, loss.item(), time.perf_counter() - start)
    model.eval()
    return model


def _shapes(folder: Path, held_out: tuple[str, ...]) -> dict[str, tuple[list[str], list[str]]]:
    data, domains = _clinc(folder)
    held = {i for d in held_out for i in domains[d]}
    out = {"together": [(t, i) for t, i in data["train"] if i in held]}
    for d in held_out:
        seen: dict[str, int] = {}
        rows = []
        for t, i in data["train"]:
            if i in domains[d] and seen.get(i, 0) < 40:
                rows.append((t, i))
                seen[i] = seen.get(i, 0) + 1
        out[f"{d}-40"] = rows
    out["val"] = [(t, i) for t, i in data["val"] if i in held]
    return {name: ([t for t, _ in rows], [i for _, i in rows]) for name, rows in out.items()}


def _score(model, shapes, cuts) -> dict:
    out = {}
    for name, (texts, labels) in shapes.items():
        vectors = model.encode(texts, batch_size=128, normalize_embeddings=True, convert_to_numpy=True)
        for cut in cuts:
            got = cluster_embeddings(vectors.astype(np.float32), texts=texts, granularity=cut)
            out[f"{name} @ {cut:g}"] = {"nmi": round(float(normalized_mutual_info_score(labels, got)), 4),
                                        "ari": round(float(adjusted_rand_score(labels, got)), 4),
                                        "themes": int(got.max() + 1)}
    return out


def folds(folder: Path, pairs=FOLDS, cuts=CUTS, **kwargs) -> dict:
    """Per held-out pair: the clusterer on its needs with MiniLM and with the network trained without them."""
    from sentence_transformers import SentenceTransformer

    from nlp.embed import MODELS

    base = SentenceTransformer(str(MODELS["all-MiniLM-L6-v2"].path()), device="cpu")
    report = {}
    for pair in pairs:
        shapes = _shapes(folder, pair)
        tuned = train(folder, pair, **kwargs)
        report["+".join(pair)] = {"minilm": _score(base, shapes, cuts), "tuned": _score(tuned, shapes, cuts)}
        logger.info("%s: %s", "+".join(pair), json.dumps(report["+".join(pair)]))
    return report


def _markdown(report: dict) -> str:
    lines = ["# A MiniLM trained on clinc150 intents, on the needs of domains it never saw",
             "", "NMI / ARI (themes) of `nlp.cluster.cluster_embeddings` at each cut; each pair's network was "
             "trained without its two domains (`python -m evaluation.intent_encoder`).", "",
             "| held out | shape | cut | MiniLM | trained |", "| --- | --- | ---: | --- | --- |"]
    for pair, r in report.items():
        for key, base in r["minilm"].items():
            shape, cut = key.split(" @ ")
            t = r["tuned"][key]
            lines.append(f"| {pair} | {shape} | {cut} | {base['nmi']:.3f} / {base['ari']:.3f} ({base['themes']}) "
                         f"| {t['nmi']:.3f} / {t['ari']:.3f} ({t['themes']}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="the clinc150 folder (read in place)")
    parser.add_argument("--pairs", type=int, default=len(FOLDS),
                        help="the first this many held-out domain pairs (default: all %(default)s)")
    parser.add_argument("--steps", type=int, default=STEPS, help="training steps (default %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import torch

    torch.set_num_threads(2)
    report = folds(args.data, FOLDS[: args.pairs], steps=args.steps)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "intent-encoder-folds.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "intent-encoder-folds.md").write_text(_markdown(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
