"""Train the activity-log probe (``nlp/activity_probe.json``) and measure it on notes it never saw.

Run from the repository root::

    .venv/bin/python -m evaluation.activity_probe --data ../shared/datasets/clinc150

A rep's activity log ("Left voicemail for Dana.", "Sent NDA for signature.") is
told from a note that records a customer's need by a logistic regression on the
packaged model's vectors (:mod:`nlp.activity`). It learns from:

- activity logs: ``activity_dev.txt`` (development notes written for this rule);
- needs: ``activity_needs_dev.txt`` (rep-written notes of customer needs, some of
  them about calendars, time off or email as product needs, some ending in an
  activity) and CLINC150 **train**'s task requests ("schedule a meeting with
  Ann", "put in a pto request"), which a customer may send and which must not
  read as the rep's log.

Every note is learnt plain, inside a rep's opening ("Call w/ Dana: ...",
:func:`in_rep_voice`) and, where it names someone, redacted as the store holds
it (:func:`redacted`); each group weighs as :data:`NEED_WEIGHTS` says against the
activity logs. C = 1, lbfgs: deterministic for given vectors. It writes the
weights of every packaged model (``--model`` for one) and measures, at
``nlp.activity.NOTE_THRESHOLD``, what it never saw: the development notes out of
fold (:data:`FOLDS`), clinc150 **val** task queries, and the bundled sample's notes
(its admin notes, told by ``evaluation.admin_notes``, and the rest); with
``--held-out``, also ``activity_heldout.txt`` and ``activity_needs_heldout.txt``
(written by another author before the rule was measured on them; never to be
tuned on, so leave the flag off while choosing). Results:
``results/activity-probe.{json,md}``. Nothing from the acceptance sets
(banking77, multidogo) is read.
"""

from __future__ import annotations

import csv
import json
import logging
import random
from pathlib import Path

import numpy as np

from evaluation.admin_notes import SAMPLE, admin_note_patterns, is_admin_note
from evaluation.calls_dev import split_clinc_small_talk
from evaluation.datasets import Dataset, load_dataset
from evaluation.embeddings_cache import cached_embeddings
from evaluation.smalltalk_probe import probe_arguments, write_probe
from nlp.activity import NOTE_THRESHOLD, PROBE_FILE
from nlp.embed import DEFAULT_MODEL, MODELS
from nlp.smalltalk import SmallTalkProbe

__all__ = ["PROBE_VERSION", "FOLDS", "read_notes", "sample_notes", "in_rep_voice", "training_texts", "dev_fold",
           "out_of_fold", "train_probe", "main"]

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"

#: Names the training below; bump it when the data or the settings change.
PROBE_VERSION = "activity-probe.v1"
#: How a rep opens and closes a note. Every training note, activity log or need, is learnt plain and again
#: inside one of these (half of clinc150's requests), so that the rep's voice alone makes no activity log.
OPENINGS = ("Call w/ {n}: ", "{n} asked: ", "Per {n}: ", "Check-in w/ {n}. ", "Demo debrief. ", "Quick sync w/ {n} - ",
            "Discovery call. ", "Spoke w/ {n}, ", "Notes from call: ", "Mtg w/ {n} - ")
CLOSINGS = (" Sent recap.", " Will f/u.", " Flagged to manager.", " Next step: demo.", " cc {n}.", "")
_NAMES = ("Dana", "Priya", "Marcus", "Kenji", "Olu", "Sofia", "Tom", "Aylin", "Rafael", "Mei")
#: Weight of each group of needs against all activity logs together (1): the few rep-written needs weigh
#: as much as all of clinc150's requests. Chosen on the sample (evaluation/README.md, "Seventeenth session")
#: between 1 and 3 (3: needs in the rep's voice count more, but the probe grows unsure of plain logs).
NEED_WEIGHTS = {"notes": 1.0, "requests": 1.0}


def read_notes(name: str) -> list[str]:
    """The notes of ``evaluation/<name>.txt``: one a line, ``#`` lines are comments.

    Raises:
        FileNotFoundError: if there is no such file.
    """
    path = HERE / f"{name}.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def sample_notes(sample: Path = SAMPLE) -> tuple[list[str], list[str]]:
    """(admin notes, other notes) of the bundled sample's Salesforce tasks, whole descriptions."""
    patterns = admin_note_patterns()
    admin: list[str] = []
    other: list[str] = []
    with (sample / "notes" / "salesforce_tasks.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["Description"].strip()
            (admin if is_admin_note(text, patterns) else other).append(text)
    return admin, other


def in_rep_voice(texts: list[str], seed: int, closing_share: float = 0.5) -> list[str]:
    """Each text inside an opening of :data:`OPENINGS` (and, at ``closing_share``, a closing), seeded."""
    rng = random.Random(seed)
    return [rng.choice(OPENINGS).format(n=rng.choice(_NAMES)) + t
            + (rng.choice(CLOSINGS).format(n=rng.choice(_NAMES)) if rng.random() < closing_share else "")
            for t in texts]


#: Folds of the development notes for the out-of-fold figures (:func:`training_texts` ``leave_out``).
FOLDS = 5


def training_texts(clinc150: Path, *, leave_out: int | None = None) -> tuple[list[str], dict[str, list[str]]]:
    """(activity logs, needs by group of :data:`NEED_WEIGHTS`) the probe learns from: each plain, in
    the rep's voice (:func:`in_rep_voice`) and, where it names someone, redacted (:func:`redacted`).
    With ``leave_out``, the development notes of that fold (line number modulo :data:`FOLDS`) are left out."""
    train = load_dataset(Dataset.CLINC150, clinc150, "train")
    requests = [t for t, _ in split_clinc_small_talk(train.texts, train.labels)[0]]
    logs, notes = (dev_fold(read_notes(name), leave_out, keep=True) for name in ("activity_dev", "activity_needs_dev"))
    return (logs + in_rep_voice(logs, 2, 0.0) + redacted(logs),
            {"notes": notes + in_rep_voice(notes, 3, 0.0) + redacted(notes),
             "requests": requests + in_rep_voice(requests[::2], 1)})


def dev_fold(texts: list[str], fold: int | None, *, keep: bool) -> list[str]:
    """The texts outside fold ``fold`` (``keep``) or in it (line number modulo :data:`FOLDS`); None: all."""
    if fold is None:
        return list(texts)
    return [t for i, t in enumerate(texts) if (i % FOLDS != fold) == keep]


def out_of_fold(clinc150: Path, vec, model: str) -> dict[str, np.ndarray]:
    """Each development note's probability by the probe trained without its fold: file name -> array."""
    out = {name: np.zeros(len(read_notes(name)), np.float32) for name in ("activity_dev", "activity_needs_dev")}
    for fold in range(FOLDS):
        logs, needs = training_texts(clinc150, leave_out=fold)
        # cached by content: clinc150's requests, the same in every fold, are embedded once
        probe = train_probe(vec("logs", logs), {g: vec(f"needs-{g}", t) for g, t in needs.items()}, model)
        for name in out:
            rows = [i for i in range(len(out[name])) if i % FOLDS == fold]
            out[name][rows] = probe.probability(vec(name, dev_fold(read_notes(name), fold, keep=False)))
    return out


def redacted(texts: list[str]) -> list[str]:
    """The texts in which the name model finds a person, as ``groundswell mine`` stores them (names
    replaced with ``<PERSON>``, ``nlp.pii.redact_names``): the probe reads stored notes. Empty without
    a name model."""
    from nlp.pii import load_name_model, redact_names

    loaded = load_name_model()
    if loaded is None:
        logger.warning("no spaCy name model: the probe learns no redacted notes")
        return []
    return [r for t, r in zip(texts, redact_names(texts, loaded[0])) if r != t]


def train_probe(activity: np.ndarray, needs: dict[str, np.ndarray], model: str) -> SmallTalkProbe:
    """Fit the logistic regression: the activity logs weigh 1 in all, each group of needs its
    :data:`NEED_WEIGHTS`."""
    from sklearn.linear_model import LogisticRegression

    groups = [(activity, 1.0, 1.0)] + [(needs[g], NEED_WEIGHTS[g], 0.0) for g in NEED_WEIGHTS]
    x = np.vstack([v for v, _, _ in groups])
    y = np.concatenate([np.full(len(v), label) for v, _, label in groups])
    w = np.concatenate([np.full(len(v), weight / len(v)) for v, weight, _ in groups])
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(x, y, sample_weight=w * len(y) / w.sum())
    return SmallTalkProbe(model=model, coef=np.round(clf.coef_[0], 6).astype(np.float32),
                          intercept=round(float(clf.intercept_[0]), 6), version=PROBE_VERSION, what="activity-log")


def main(argv: list[str] | None = None) -> int:
    parser = probe_arguments(__doc__.splitlines()[0], PROBE_FILE)
    parser.add_argument("--held-out", action="store_true",
                        help="also measure on activity_heldout.txt and activity_needs_heldout.txt (never to be "
                             "tuned on: leave it off while choosing)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from nlp.embed import load_model

    activity, needs = training_texts(args.data)
    val = load_dataset(Dataset.CLINC150, args.data, "val")
    val_requests, _ = split_clinc_small_talk(val.texts, val.labels)
    admin, other = sample_notes()
    eval_sets = {
        **({"activity_heldout.txt (activity logs)": (read_notes("activity_heldout"), True),
            "activity_needs_heldout.txt (needs)": (read_notes("activity_needs_heldout"), False)}
           if args.held_out else {}),
        "clinc150 val task queries (needs)": ([t for t, _ in val_requests], False),
        "data/sample admin notes (activity logs)": (admin, True),
        "data/sample other notes (needs)": (other, False),
    }
    out = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    out = {"version": PROBE_VERSION, "models": dict(out.get("models", {})) if out.get("version") == PROBE_VERSION else {}}
    report = {"version": PROBE_VERSION, "threshold": NOTE_THRESHOLD,
              "training": {"activity": len(activity), **{f"needs_{g}": len(t) for g, t in needs.items()},
                           "need_weights": NEED_WEIGHTS}, "models": {}}
    for key in args.model or [DEFAULT_MODEL, *[k for k in MODELS if k != DEFAULT_MODEL]]:
        model = load_model(model=key)
        vec = lambda name, texts: cached_embeddings(model, f"activity-{name}", tuple(texts), args.cache_dir)[0]  # noqa: E731
        probe = train_probe(vec("logs", activity), {g: vec(f"needs-{g}", t) for g, t in needs.items()}, key)
        out["models"][key] = {"model_id": model.model_id, "intercept": probe.intercept,
                              "coef": [float(c) for c in probe.coef]}
        report["models"][key] = {}
        scored = {f"{name}.txt, out of fold (development)": (p, name == "activity_dev")
                  for name, p in out_of_fold(args.data, vec, key).items()}
        scored.update({name: (probe.probability(vec(f"eval-{name}", texts)), positive)
                       for name, (texts, positive) in eval_sets.items()})
        for name, (p, positive) in scored.items():
            report["models"][key][name] = {"notes": len(p), "activity_log": positive,
                                           "at_threshold": round(float((p >= NOTE_THRESHOLD).mean()), 4),
                                           "mean_probability": round(float(p.mean()), 4)}
        logger.info("activity probe for %s: %s", key, json.dumps(report["models"][key], indent=1))
    write_probe(args, out, report, "activity-probe")
    lines = [f"# Activity-log probe ({PROBE_VERSION}): notes it never saw", "",
             f"Trained on {len(activity)} activity logs (`activity_dev.txt`, plain and in a rep's voice) and "
             f"{sum(map(len, needs.values()))} needs (`activity_needs_dev.txt` and clinc150 train task queries, the "
             f"same; weights {NEED_WEIGHTS}). Share of each set at P >= "
             f"{NOTE_THRESHOLD:g} (`nlp.activity.NOTE_THRESHOLD`): on activity logs the higher the better, "
             f"on needs the lower. The development notes are scored out of fold ({FOLDS} folds). Generated by "
             f"`python -m evaluation.activity_probe{' --held-out' if args.held_out else ''}`.", "",
             "| model | notes | n | at threshold | mean P |", "| --- | --- | ---: | ---: | ---: |"]
    lines += [f"| {key} | {name} | {m['notes']} | {m['at_threshold']:.1%} | {m['mean_probability']:.3f} |"
              for key, sets in report["models"].items() for name, m in sets.items()]
    (args.results / "activity-probe.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
