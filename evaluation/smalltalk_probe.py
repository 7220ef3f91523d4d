"""Train the learned small-talk probe (``nlp/smalltalk_probe.json``) and measure it on held-out turns.

Run from the repository root::

    .venv/bin/python -m evaluation.smalltalk_probe --data ../shared/datasets/clinc150

The hand-written prototypes of :mod:`nlp.smalltalk` judge a turn by its nearest
prototype; what lies between them (long chit-chat, a detail given in answer, a
polite aside in new words) passes. The probe is a logistic regression on the
packaged model's vectors that has seen thousands of both kinds:

- small talk: the development template files of ``evaluation/calls_dev.py``
  (:data:`TRAIN_TEMPLATES`, slots filled at random, seeded), the prototypes, and
  clinc150 **train**'s conversational intents
  (:data:`evaluation.calls_dev.CLINC_SMALL_TALK_INTENTS`: hello, thanks, yes, no,
  what's your name...);
- needs: clinc150 **train**'s task queries, and half of them again inside a
  pleasantry ("Hey, ... Thanks!", :data:`TRAIN_OPENINGS`), because customers
  open and close their needs politely and that must not make a need small talk.

Balanced classes, C = 1, lbfgs: deterministic for given vectors. It writes the
weights of every packaged model (``--model`` for one) and measures on what it
never saw: clinc150 **val** task queries (plain, and inside other pleasantries,
:data:`EVAL_OPENINGS`), ``smalltalk_heldout3.txt`` and ``smalltalk_heldout4.txt``
turns that pass the content-free word rule, and clinc150 val's conversational
utterances; beside the probe, the prototype rule (``small_talk_segments``) on the
same turns. Results: ``results/smalltalk-probe.{json,md}``. Nothing from the
acceptance sets (banking77, multidogo) is read.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from pathlib import Path

import numpy as np

from evaluation.calls_dev import _fill, read_domain_talk, small_talk_turns, split_clinc_small_talk
from evaluation.datasets import Dataset, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from nlp.embed import DEFAULT_MODEL, MODELS
from nlp.smalltalk import (
    PROBE_FILE,
    PROBE_NEED_THRESHOLD,
    PROBE_SEGMENT_THRESHOLD,
    SMALL_TALK_PROTOTYPES,
    SmallTalkProbe,
    prototype_similarity,
    small_talk_by_probe,
    small_talk_segments,
)
from nlp.text import content_words, is_small_talk, states_a_need

__all__ = ["PROBE_VERSION", "TRAIN_TEMPLATES", "EVAL_TEMPLATES", "TRAIN_OPENINGS", "EVAL_OPENINGS",
           "training_texts", "train_probe", "probe_without", "domain_shift", "probe_arguments", "write_probe", "main"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: Names the training below; bump it when the data or the settings change.
PROBE_VERSION = "probe.v1"
#: Development template files the probe learns from; heldout3 and heldout4 are kept out.
TRAIN_TEMPLATES = ("dev", "heldout", "heldout2", "chat", "slots")
EVAL_TEMPLATES = ("heldout3", "heldout4")
#: The domain-talk file (``evaluation.calls_dev.DOMAIN_TALK_FILES``) the probe may learn from;
#: ``heldout`` is kept out.
DOMAIN_TALK_TRAIN = "dev"
#: Whether :func:`training_texts` takes domain talk by default.
DOMAIN_TALK_TRAINED = False
#: Turns drawn per template file (distinct ones kept).
TURNS_PER_FILE = 1500
#: Pleasantries around half the training needs, and others for measuring.
TRAIN_OPENINGS = ("Hey, ", "Hi there. ", "So, ", "Well, ", "Hello, it's James here, ", "Morning! ", "Okay so ",
                  "Yes, hi, ", "Alright, ", "Um, ")
TRAIN_CLOSINGS = (" Thanks!", ", thank you.", " Cheers.", ", if you could.", " That's all.")
EVAL_OPENINGS = ("Hi, ", "Hello there, ", "Yeah so ", "Okay, um, ", "Hi, this is Maria. ", "Good morning, ", "Right, ")
EVAL_CLOSINGS = (" Thanks.", " Thank you so much.", " please", "")


def _template_turns(names, seed: int) -> list[str]:
    out: set[str] = set()
    for k, name in enumerate(names):
        out.update(small_talk_turns(TURNS_PER_FILE, seed=seed + k, templates=name))
    return sorted(out)


def _dressed(texts, openings, closings, seed: int, closing_share: float = 0.5) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(openings) + t + (rng.choice(closings) if rng.random() < closing_share else "") for t in texts]


def _domain_talk_turns(without: frozenset[str] | set[str], seed: int) -> list[str]:
    """Distinct turns drawn from the ``DOMAIN_TALK_TRAIN`` file's sections, but those of ``without``."""
    talk = {d: lines for d, lines in read_domain_talk(DOMAIN_TALK_TRAIN).items() if d not in without}
    pool = [line for d in sorted(talk) for line in talk[d]]
    if not pool:
        return []
    rng = random.Random(seed)
    return sorted({_fill(rng.choice(pool), rng) for _ in range(TURNS_PER_FILE)})


def _held_domain_talk(seed: int) -> list[str]:
    """Distinct turns drawn from the held-out domain-talk file (never trained on), every domain."""
    pool = [line for lines in read_domain_talk("heldout").values() for line in lines]
    rng = random.Random(seed)
    return sorted({_fill(rng.choice(pool), rng) for _ in range(TURNS_PER_FILE)})


def training_texts(clinc150: Path, *, domain_talk: bool = DOMAIN_TALK_TRAINED,
                   without: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(small talk, needs) the probe learns from; with ``domain_talk``, small talk that names a
    domain's things too (``evaluation/smalltalk_domain_dev.txt``), but not the sections of the
    domains ``without``."""
    train = load_dataset(Dataset.CLINC150, clinc150, "train")
    needs, chit = split_clinc_small_talk(train.texts, train.labels)
    small = _template_turns(TRAIN_TEMPLATES, seed=100) + list(SMALL_TALK_PROTOTYPES) + [t for t, _ in chit]
    if domain_talk:
        small += _domain_talk_turns(without, seed=200)
    need_texts = [t for t, _ in needs]
    need_texts += _dressed(need_texts[::2], TRAIN_OPENINGS, TRAIN_CLOSINGS, seed=11)
    return small, need_texts


def train_probe(small: np.ndarray, needs: np.ndarray, model: str) -> SmallTalkProbe:
    """Fit the logistic regression on the two sets of vectors."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([small, needs])
    y = np.r_[np.ones(len(small)), np.zeros(len(needs))]
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit(x, y)
    return SmallTalkProbe(model=model, coef=np.round(clf.coef_[0], 6).astype(np.float32),
                          intercept=round(float(clf.intercept_[0]), 6), version=PROBE_VERSION)


def _measure(probe: SmallTalkProbe, texts: list[str], vectors: np.ndarray, prototypes: np.ndarray) -> dict:
    need_like = [states_a_need(t) for t in texts]
    by_probe = small_talk_by_probe(probe.probability(vectors), need_like)
    by_prototypes = small_talk_segments(prototype_similarity(vectors, prototypes),
                                        [len(content_words(t)) for t in texts], need_like=need_like)
    return {"turns": len(texts), "set_aside_by_probe": round(float(by_probe.mean()), 4) if texts else None,
            "set_aside_by_prototypes": round(float(by_prototypes.mean()), 4) if texts else None,
            "set_aside_by_either": round(float((by_probe | by_prototypes).mean()), 4) if texts else None}


def _need_domains(clinc150: Path) -> tuple[dict[str, str], np.ndarray]:
    """(intent -> domain, the domain of each training need of :func:`training_texts`)."""
    domains = json.loads((clinc150 / "domains.json").read_text(encoding="utf-8"))
    intent_domain = {i: d for d, intents in domains.items() for i in intents}
    train = load_dataset(Dataset.CLINC150, clinc150, "train")
    train_needs, _ = split_clinc_small_talk(train.texts, train.labels)
    need_domain = [intent_domain[lab] for _, lab in train_needs]
    return intent_domain, np.array(need_domain + need_domain[::2])  # training_texts dresses every other need again


def probe_without(clinc150: Path, domains: set[str], model_key: str, cache_dir: Path,
                  domain_talk: bool = DOMAIN_TALK_TRAINED) -> SmallTalkProbe:
    """The probe as :func:`training_texts` trains it, without the needs of ``domains`` (clinc150's
    ``domains.json``) and their domain talk: a probe that never saw those domains' needs."""
    from nlp.embed import load_model

    small, needs = training_texts(clinc150, domain_talk=domain_talk, without=domains)
    _, need_domain = _need_domains(clinc150)
    model = load_model(model=model_key)
    small_v = cached_embeddings(model, "probe-small", tuple(small), cache_dir)[0]
    needs_v = cached_embeddings(model, "probe-needs", tuple(needs), cache_dir)[0]
    return train_probe(small_v, needs_v[~np.isin(need_domain, sorted(domains))], model_key)


def domain_shift(clinc150: Path, model_key: str, cache_dir: Path) -> dict:
    """How the probe treats needs of a domain it never saw as needs.

    For each clinc150 domain but ``small_talk`` (``domains.json``), the probe is trained
    again without that domain's needs (:func:`probe_without`) and measured on that domain's
    val needs (plain and inside other pleasantries), beside the probe trained on everything.
    Real customers' needs come from their company's domain, which clinc150 may not hold.
    """
    from nlp.embed import load_model

    intent_domain, _ = _need_domains(clinc150)
    val = load_dataset(Dataset.CLINC150, clinc150, "val")
    val_needs, _ = split_clinc_small_talk(val.texts, val.labels)
    val_domain = np.array([intent_domain[lab] for _, lab in val_needs])
    plain = [t for t, _ in val_needs]
    sets = {"plain": plain, "dressed": _dressed(plain, EVAL_OPENINGS, EVAL_CLOSINGS, seed=3, closing_share=0.75)}
    model = load_model(model=model_key)
    set_v = {k: cached_embeddings(model, f"probe-eval-{i}", tuple(texts), cache_dir)[0]
             for i, (k, texts) in enumerate(sets.items())}
    need_like = {k: np.array([states_a_need(t) for t in texts]) for k, texts in sets.items()}
    full = probe_without(clinc150, set(), model_key, cache_dir)
    out: dict = {}
    for name in sorted(set(intent_domain.values()) - {"small_talk"}):
        without = probe_without(clinc150, {name}, model_key, cache_dir)
        here = val_domain == name
        out[name] = {f"{k} {which}": round(float(small_talk_by_probe(probe.probability(set_v[k][here]),
                                                                      need_like[k][here]).mean()), 4)
                     for k in sets for which, probe in (("seen", full), ("unseen", without))}
    return out


def probe_arguments(description: str, probe_file: Path) -> argparse.ArgumentParser:
    """The command line every probe trainer takes: ``--data`` (clinc150), ``--model`` (repeatable),
    ``--out`` (default ``probe_file``), ``--results`` and ``--cache-dir``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True, type=Path, help="the clinc150 folder (read in place)")
    parser.add_argument("--model", action="append", choices=list(MODELS),
                        help="train for this packaged model only (repeatable; default: every packaged model)")
    parser.add_argument("--out", type=Path, default=probe_file, help="the probe file to write (default: %(default)s)")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    return parser


def write_probe(args: argparse.Namespace, weights: dict, report: dict, stem: str) -> None:
    """The probe file (``args.out``, compact JSON) and ``args.results / <stem>.json`` (the report)."""
    args.out.write_text(json.dumps(weights, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = probe_arguments(__doc__.splitlines()[0], PROBE_FILE)
    parser.add_argument("--domain-shift", action="store_true",
                        help="measure only: each clinc150 domain's needs set aside by a probe trained without that "
                             "domain (results/smalltalk-probe-domains.{json,md}); writes no probe")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from nlp.embed import load_model

    if args.domain_shift:
        return _write_domain_shift(args)

    small, needs = training_texts(args.data)
    val = load_dataset(Dataset.CLINC150, args.data, "val")
    val_needs, val_chit = split_clinc_small_talk(val.texts, val.labels)
    val_need_texts = [t for t, _ in val_needs]
    held = {name: [t for t in _template_turns((name,), seed=7) if not is_small_talk(t)] for name in EVAL_TEMPLATES}
    eval_sets = {
        "clinc150 val task queries (needs)": val_need_texts,
        "the same inside other pleasantries (needs)": _dressed(val_need_texts, EVAL_OPENINGS, EVAL_CLOSINGS, seed=3,
                                                               closing_share=0.75),
        **{f"smalltalk_{name}.txt turns past the word rule (small talk)": texts for name, texts in held.items()},
        "smalltalk_domain_heldout.txt turns past the word rule (small talk naming a need's subject)":
            [t for t in _held_domain_talk(seed=7) if not is_small_talk(t)],
        "clinc150 val conversational utterances past the word rule (small talk)":
            [t for t, _ in val_chit if not is_small_talk(t)],
    }
    out = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    out = {"version": PROBE_VERSION, "models": dict(out.get("models", {})) if out.get("version") == PROBE_VERSION else {}}
    report = {"version": PROBE_VERSION, "training": {"small_talk": len(small), "needs": len(needs),
                                                     "templates": list(TRAIN_TEMPLATES),
                                                     "domain_talk": DOMAIN_TALK_TRAIN if DOMAIN_TALK_TRAINED else None},
              "segment_threshold": PROBE_SEGMENT_THRESHOLD, "need_threshold": PROBE_NEED_THRESHOLD, "models": {}}
    for key in args.model or [DEFAULT_MODEL, *[k for k in MODELS if k != DEFAULT_MODEL]]:
        model = load_model(model=key)
        vec = lambda name, texts: cached_embeddings(model, f"probe-{name}", tuple(texts), args.cache_dir)[0]  # noqa: E731
        probe = train_probe(vec("small", small), vec("needs", needs), key)
        out["models"][key] = {"model_id": model.model_id, "intercept": probe.intercept,
                              "coef": [float(c) for c in probe.coef]}
        prototypes = vec("prototypes", list(SMALL_TALK_PROTOTYPES))
        report["models"][key] = {name: _measure(probe, texts, vec(f"eval-{i}", texts), prototypes)
                                 for i, (name, texts) in enumerate(eval_sets.items())}
        logger.info("probe for %s: %s", key, json.dumps(report["models"][key], indent=1))
    write_probe(args, out, report, "smalltalk-probe")
    lines = [f"# Small-talk probe ({PROBE_VERSION}): held-out turns set aside before clustering", "",
             f"Trained on {len(small)} small-talk turns and {len(needs)} needs (clinc150 train, templates "
             f"{', '.join(TRAIN_TEMPLATES)}" + (f"; domain talk {DOMAIN_TALK_TRAIN}" if DOMAIN_TALK_TRAINED else "")
             + f"). Probe: P >= {PROBE_SEGMENT_THRESHOLD} ({PROBE_NEED_THRESHOLD} when "
             "worded as a need). Prototypes: `nlp.smalltalk.small_talk_segments`.", "",
             "| model | turns | n | probe | prototypes | either |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {key} | {name} | {m['turns']} | {m['set_aside_by_probe']:.1%} | "
              f"{m['set_aside_by_prototypes']:.1%} | {m['set_aside_by_either']:.1%} |"
              for key, sets in report["models"].items() for name, m in sets.items()]
    return _write_lines(args.results / "smalltalk-probe.md", lines)


def _write_lines(path: Path, lines: list[str]) -> int:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def _write_domain_shift(args: argparse.Namespace) -> int:
    report = {key: domain_shift(args.data, key, args.cache_dir) for key in args.model or [DEFAULT_MODEL]}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "smalltalk-probe-domains.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Small-talk probe ({PROBE_VERSION}): needs of a domain it never saw as needs", "",
             "clinc150 val task queries of each domain set aside before clustering (P >= "
             f"{PROBE_SEGMENT_THRESHOLD}, {PROBE_NEED_THRESHOLD} when worded as a need): by the probe trained on "
             "every domain (seen) and by one trained without that domain's needs (unseen); plain, and inside "
             "other pleasantries (dressed). Generated by `python -m evaluation.smalltalk_probe --domain-shift`.", "",
             "| model | domain | plain, seen | plain, unseen | dressed, seen | dressed, unseen |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {key} | {name} | {m['plain seen']:.1%} | {m['plain unseen']:.1%} | "
              f"{m['dressed seen']:.1%} | {m['dressed unseen']:.1%} |"
              for key, domains in report.items() for name, m in domains.items()]
    return _write_lines(args.results / "smalltalk-probe-domains.md", lines)


if __name__ == "__main__":
    raise SystemExit(main())
