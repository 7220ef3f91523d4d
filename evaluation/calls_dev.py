"""A development "calls" case: clinc150 needs among small talk, through the product's code.

Run from the repository root::

    .venv/bin/python -m evaluation.calls_dev --data /work/shared/datasets/clinc150

Real customer calls are mostly small talk: greetings, yes/no, names, numbers,
logistics. This builds calls whose customer turns are clinc150 queries (the
needs, with their intents) between small-talk turns written here from templates
(nothing from the acceptance sets), with a rep turn between customer turns as in
a real call. Every call goes through ``nlp.text.segment_document`` (which marks
small talk), the themeable segments through ``nlp.cluster.cluster_embeddings``,
exactly as ``groundswell mine`` does. It reports:

- the share of small-talk turns that end inside a theme (target: at most 10%);
- the share of needs wrongly set aside as small talk;
- NMI / ARI of the themes on the need segments (a need set aside or left as
  noise counts as noise, one more label).

Tune on ``--split val`` only; ``test`` is for reporting.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from evaluation.datasets import Dataset, load_dataset
from evaluation.embeddings_cache import DEFAULT_CACHE_DIR, cached_embeddings
from nlp.cluster import cluster_embeddings
from nlp.records import Document, Role, Source, Turn
from nlp.text import load_sentence_splitter, segment_document

__all__ = ["CallsCase", "build_calls", "small_talk_turns", "main"]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"

_FIRST = ["Maria", "James", "Priya", "Tom", "Aisha", "Kenji", "Laura", "Diego", "Sven", "Fatima",
          "Oliver", "Chen", "Rachel", "Marco", "Ngozi", "Hannah", "Raj", "Emma", "Lucas", "Zoe"]
_LAST = ["Lopez", "Smith", "Patel", "Nguyen", "Okafor", "Tanaka", "Schmidt", "Rossi", "Berg",
         "Haddad", "Brown", "Wang", "Cohen", "Silva", "Adeyemi", "Kowalski", "Murphy", "Evans"]
_COMPANY = ["Contoso", "Fabrikam", "Initech", "Globex", "Umbrella Logistics", "Acme", "Northwind",
            "Tailspin", "Wide World Importers", "Litware"]
_DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_PLACE = ["Chicago", "Denver", "London", "Austin", "Toronto", "the coast", "my in-laws", "the lake"]

# Small-talk turns a customer says on a call: {first}, {last}, {company}, {n},
# {nn}, {day}, {place} are filled in. Written for this harness.
_TEMPLATES = [
    # greetings and openings
    "Hi, good morning.", "Hey, how are you?", "Hi {first}, good to see you again.",
    "Hello, can you hear me okay?", "Hi everyone, sorry I'm a couple of minutes late.",
    "Morning! Doing well, thanks for asking.", "Good, good. How about you?",
    "Not bad, not bad. Busy week.", "I'm good, thanks. Happy {day}.",
    "Hey {first}, nice to meet you.", "Great to finally put a face to the name.",
    # yes / no / backchannels
    "Yes.", "Yeah.", "Yep, that's right.", "No.", "Nope, that's it.", "Okay.", "Okay, sure.",
    "Mm-hmm.", "Right, right.", "Sure, go ahead.", "Exactly.", "Yes, that's correct.",
    "No, not really.", "Uh, I think so, yes.", "Yeah, that makes sense.", "Got it, thanks.",
    "Okay, perfect.", "Sounds good to me.", "Absolutely.", "Sure thing.", "That works.",
    "Hmm, let me think.", "Good question.", "Fair enough.", "I see.", "Oh, interesting.",
    "Yes, please.", "No, go ahead, you first.", "That's fine.", "Totally agree.",
    # names and introductions
    "This is {first} {last}.", "It's {first}, {first} {last}, from {company}.",
    "{first} {last}, I'm on the {company} side.", "My colleague {first} is joining too.",
    "That's {last}, L as in Lima.", "I'm {first}. I'll be taking notes.",
    "{first} from {company} here.", "And {first} {last} should be on the line as well.",
    # numbers, dates, spelling
    "It's {n}.", "About {n}, give or take.", "{n}, {nn}.", "Extension {n}.",
    "The number is {n} {nn} {n}.", "Around {nn} or so.", "Let's say {day} at {h}.",
    "{day} works for me.", "How about {day} at {h} o'clock?", "Maybe {nn} percent.",
    "That's {n} dollars.", "The reference is {n}{nn}.", "Two thousand {nn}, I think.",
    "{h} thirty Eastern.", "Yes, {day} the {d}th.",
    # call logistics
    "Can you hear me now?", "Sorry, you're breaking up a little.", "You're on mute.",
    "Sorry, I was on mute.", "Let me share my screen.", "Can everyone see my screen?",
    "I think we lost {first} for a second.", "Hang on, my audio dropped.",
    "Can you say that again?", "Sorry, go back a slide.", "Let's give people a minute to join.",
    "I have a hard stop at {h}.", "Let me pull that up, one second.", "Bear with me a moment.",
    "Sorry about the background noise.", "My camera isn't working today.",
    # chit-chat
    "How was your weekend?", "It was good, we went to {place}.", "The weather here is awful today.",
    "It's been raining all week in {place}.", "Did you have a good holiday?",
    "Traffic was crazy this morning.", "I just got back from {place}.", "Kids are back at school, so it's hectic.",
    "Oh nice, I love {place}.", "Ha, yeah, same here.", "Haha, that's funny.", "Coffee is kicking in now.",
    # closings and thanks
    "Thanks, that's really helpful.", "Thank you so much.", "Thanks for your time today.",
    "Great, talk soon.", "Bye, have a good one.", "Thanks everyone.", "Appreciate it.",
    "Okay, I'll let you go.", "Have a great weekend.", "Thanks again, {first}.",
    "Cool, we'll be in touch.", "Perfect, speak {day}.",
]

_REP = ["Got it.", "Okay, let me note that down.", "Thanks, that helps.", "Understood.",
        "Great, and anything else?", "Sure, I can look into that for you."]


@dataclass(frozen=True)
class CallsCase:
    """Calls built for the harness, with what each customer turn really is.

    Args:
        documents: the calls.
        turn_kind: per (doc_id, customer turn index in the call): "need" or "small_talk".
        turn_intent: per (doc_id, customer turn index): the intent of a need, "" for small talk.
    """

    documents: tuple[Document, ...]
    turn_kind: dict[tuple[str, int], str]
    turn_intent: dict[tuple[str, int], str]


def small_talk_turns(n: int, seed: int = 0) -> list[str]:
    """``n`` small-talk customer turns from the templates, slots filled at random (seeded)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = rng.choice(_TEMPLATES)
        out.append(t.format(
            first=rng.choice(_FIRST), last=rng.choice(_LAST), company=rng.choice(_COMPANY),
            n=rng.randint(2, 9999), nn=rng.randint(10, 99), day=rng.choice(_DAY),
            place=rng.choice(_PLACE), h=rng.randint(1, 12), d=rng.randint(4, 28),
        ))
    return out


def build_calls(
    needs: list[tuple[str, str]], *, small_talk_per_need: float = 3.0, needs_per_call: int = 4, seed: int = 0
) -> CallsCase:
    """Calls of ``needs_per_call`` needs each, with about ``small_talk_per_need`` small-talk
    customer turns per need, shuffled; a rep turn stands between customer turns."""
    rng = random.Random(seed)
    needs = list(needs)
    rng.shuffle(needs)
    chatter = small_talk_turns(int(round(len(needs) * small_talk_per_need)), seed=seed + 1)
    docs: list[Document] = []
    kind: dict[tuple[str, int], str] = {}
    intent: dict[tuple[str, int], str] = {}
    per_call_chatter = int(round(needs_per_call * small_talk_per_need))
    for call_no, start in enumerate(range(0, len(needs), needs_per_call)):
        items = [("need", t, lab) for t, lab in needs[start:start + needs_per_call]]
        items += [("small_talk", chatter.pop(), "") for _ in range(min(per_call_chatter, len(chatter)))]
        rng.shuffle(items)
        doc_id = f"dev-call-{call_no:04d}"
        turns: list[Turn] = []
        clock = 0.0
        for i, (what, text, lab) in enumerate(items):
            turns.append(Turn("Pat Customer", Role.CUSTOMER, text, clock, clock + 3.0))
            turns.append(Turn("Riley Rep", Role.REP, rng.choice(_REP), clock + 3.0, clock + 5.0))
            clock += 5.0
            kind[(doc_id, i)] = what
            intent[(doc_id, i)] = lab
        docs.append(Document(doc_id=doc_id, source=Source.CALL, created_at=datetime(2026, 9, 1),
                             turns=tuple(turns), account_id=f"A{call_no % 50:03d}"))
    return CallsCase(tuple(docs), kind, intent)


def evaluate_calls(case: CallsCase, vectors_for, *, min_spoken_content_words: int = 2, **cluster_kwargs) -> dict:
    """Segment, set small talk aside, cluster the rest; score as described in the module doc.

    ``vectors_for(texts)`` returns the embeddings of the given texts.
    """
    split = load_sentence_splitter()
    seg_kind: list[str] = []
    seg_intent: list[str] = []
    seg_text: list[str] = []
    themeable: list[bool] = []
    for doc in case.documents:
        customer_turns = [t for t in doc.turns if t.role == Role.CUSTOMER]
        for seg in segment_document(doc, split, min_spoken_content_words=min_spoken_content_words):
            if seg.speaker_role != Role.CUSTOMER:
                continue
            # segments of this harness are single turns (a rep turn sits between customer turns)
            index = next(i for i, t in enumerate(customer_turns) if t.start_s == seg.start_s)
            seg_kind.append(case.turn_kind[(doc.doc_id, index)])
            seg_intent.append(case.turn_intent[(doc.doc_id, index)])
            seg_text.append(seg.text)
            themeable.append(seg.themeable)
    kind = np.array(seg_kind)
    keep = np.array(themeable)
    texts = [t for t, k in zip(seg_text, keep) if k]
    labels_kept = cluster_embeddings(vectors_for(texts), texts=texts, **cluster_kwargs) if texts else np.zeros(0, int)
    labels = np.full(len(seg_text), -1, dtype=np.int64)
    labels[keep] = labels_kept
    small = kind == "small_talk"
    need = ~small
    gold = np.array(seg_intent)[need]
    return {
        "segments": int(len(seg_text)),
        "small_talk_segments": int(small.sum()),
        "need_segments": int(need.sum()),
        "small_talk_themeable_share": round(float(keep[small].mean()), 4),
        "small_talk_in_theme_share": round(float((labels[small] >= 0).mean()), 4),
        "needs_set_aside_share": round(float((~keep[need]).mean()), 4),
        "need_nmi": round(float(normalized_mutual_info_score(gold, labels[need])), 4),
        "need_ari": round(float(adjusted_rand_score(gold, labels[need])), 4),
        "themes": int(np.unique(labels[labels >= 0]).size),
        "themes_with_small_talk_majority": int(sum(
            (small[labels == c].mean() > 0.5) for c in np.unique(labels[labels >= 0])
        )),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="the clinc150 folder (read in place)")
    parser.add_argument("--split", default="val", help="clinc150 split for the needs (default: val)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--min-spoken-content-words", type=int, default=2,
                        help="segment_document's bar for a call passage to carry a need (default: 2)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from nlp.embed import load_model

    data = load_dataset(Dataset.CLINC150, args.data, args.split)
    case = build_calls(list(zip(data.texts, data.labels)))
    model = load_model()

    def vectors_for(texts: list[str]) -> np.ndarray:
        return cached_embeddings(model, f"calls-dev_{args.split}", tuple(texts), args.cache_dir)[0]

    report = {"split": f"clinc150/{args.split} needs among template small talk", "calls": len(case.documents),
              "embedding_model": model.model_id, "min_spoken_content_words": args.min_spoken_content_words,
              **evaluate_calls(case, vectors_for, min_spoken_content_words=args.min_spoken_content_words)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"calls-dev-{args.split}-min{args.min_spoken_content_words}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for k, v in report.items():
        logger.info("%s: %s", k, v)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
