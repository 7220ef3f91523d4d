"""Small talk by meaning: what a theme made of greetings, names and logistics looks like.

:func:`nlp.text.is_small_talk` sets aside what has too few content words. What
passes it ("My camera isn't working today", "It's been raining all week in
Denver", "I'm Lucas, I'll be taking notes") still carries no customer need,
and, said on call after call, forms themes of its own. This module tells them
apart by meaning: the texts are compared with :data:`SMALL_TALK_PROTOTYPES`, a
short hand-written list of what people say on a call that is not a need
(greetings, yes/no and backchannels, names and introductions, numbers, dates
and spelling, call logistics, chit-chat, thanks and goodbyes).

The rule (``smalltalk.v5``) works at three levels:

- segments, before clustering (:func:`small_talk_segments`): a short segment
  says little, so its nearest prototype judges it: with two content words it is
  small talk at cosine 0.45, with three at 0.5, any segment at 0.6; a segment
  worded as a need ("we need...", "how do I...") must come 0.1 nearer;
- members, after clustering (:func:`small_talk_members`): a theme member that
  is near small talk and nearer a prototype than its own theme's centre leaves
  the theme;
- themes (:func:`small_talk_themes`): a theme is small talk when at least
  ``min_share`` of its members lie within cosine ``threshold`` of some
  prototype. A theme is a better judge than a single segment: one segment near
  "how was your weekend" may still be a need, thirty of them in one theme are
  chit-chat. A theme with a quarter or more of its members worded as a need
  ("I'd like to change the PIN on my card", :func:`nlp.text.states_a_need`) is
  never small talk (v3; v2 dropped such themes when they lay near the
  prototypes for numbers and logistics).

v4 adds lower-case chat typed without punctuation: codes, street addresses and
labelled names in :func:`nlp.text.content_words`, and five chat prototypes.
v5 no longer sets a note of one content word aside ("speak arabic", "what time
is it in paris"): such a note founds no theme but joins the one it clearly
belongs to (:func:`nlp.text.is_thin_note`, ``pipelines.mine.find_themes``).
v8 widens what counts as worded as a need (:func:`nlp.text.states_a_need`):
questions about one's own things ("do I have any meetings today") and about
how to do something ("what is the process to...", "how to..."), so that a
theme of such questions near the call-logistics prototypes ("I've got another
meeting right after this") is not dropped as small talk.
v9 takes a question word before "do / can / have... I" as worded as a need
("where do I get the w2 form", "which insurance do I have"), so that such a
spoken turn of one content word goes on to the test by meaning instead of
being set aside by its words.
An opt-in step (``themes.slot_answers``, off by default) sets aside slot
answers on calls, told by their form (no verb, no question, few content words:
"the large one", "window seat please"; :func:`nlp.text.slot_answers`), before
clustering; with it on, the rules recorded with a run say so.

A learned probe (tenth session, ``themes.small_talk_probe``, on by default):
:class:`SmallTalkProbe`, a logistic regression per packaged model on its
vectors (:data:`PROBE_FILE`, written by ``evaluation/smalltalk_probe.py`` from
CLINC150 train and the development templates). In ``pipelines.mine`` it
replaces the prototypes' per-segment test for call turns
(:func:`small_talk_by_probe`), and at the theme level a call turn it finds
likely small talk (:data:`PROBE_THEME_THRESHOLD`) counts as near small talk
beside those near a prototype. A call turn of one content word reaches it too
(``segment.min_spoken_content_words`` is 1 with the probe) and is judged at a
stricter bar (:data:`PROBE_SEGMENT_THRESHOLDS`). It catches chit-chat and details in words no
prototype is near: held-out template turns past the word rule, 60-75% set
aside against 15-20% by the prototypes, at the same share of needs (about 2%).

Pure: vectors in, arrays out; the prototypes are embedded by the caller with the
same model as the segments (:func:`nlp.embed.embed_texts`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "SMALL_TALK_PROTOTYPES",
    "SMALL_TALK_RULE",
    "DEFAULT_THRESHOLD",
    "DEFAULT_MIN_SHARE",
    "prototype_similarity",
    "small_talk_themes",
    "small_talk_segments",
    "small_talk_members",
    "SEGMENT_THRESHOLDS",
    "SEGMENT_THRESHOLD_ANY",
    "MEMBER_THRESHOLD",
    "MEMBER_MARGIN",
    "NEED_MARGIN",
    "PROBE_FILE",
    "PROBE_SEGMENT_THRESHOLD",
    "PROBE_NEED_THRESHOLD",
    "PROBE_SEGMENT_THRESHOLDS",
    "PROBE_THEME_THRESHOLD",
    "SmallTalkProbe",
    "load_probe",
    "small_talk_by_probe",
]

#: Version of the small-talk rule (prototypes, thresholds, content-word lists and
#: phrases of nlp.text.is_small_talk);
#: part of the ingest ledger's settings hash, so a new rule re-reads the files.
SMALL_TALK_RULE = "smalltalk.v9"

#: What people say on a sales or service call that carries no need. Written for
#: this module; not taken from any evaluation set. Keep each line short and
#: plain: it stands for a kind of utterance, not for a product.
SMALL_TALK_PROTOTYPES: tuple[str, ...] = (
    # greetings and how-are-you
    "Hello there.",
    "Hi, how's it going?",
    "Good afternoon, everybody.",
    "I'm doing fine, and yourself?",
    "Pretty good, can't complain.",
    "Long time no see.",
    "Pleased to meet you.",
    "Hey, thanks for having me.",
    # yes, no and backchannels
    "Yes, that's right.",
    "No, that's not it.",
    "Uh-huh, I'm following.",
    "Right, okay.",
    "Sure, no problem.",
    "I guess so.",
    "Maybe, I'm not sure.",
    "Correct.",
    "Go on.",
    "That sounds fine.",
    "I agree with that.",
    "Makes total sense to me.",
    "Oh really? Huh.",
    "Wow, okay.",
    # names, introductions and who is on the call
    "My name is Jordan Miller.",
    "This is Alex speaking.",
    "I'm the one who emailed you last week.",
    "Let me introduce my coworker, she runs the team.",
    "Sam from our office is dialing in as well.",
    "I'll just be listening in today.",
    "We're still waiting on one more person.",
    "Is everyone here?",
    "My colleague from finance is on the line too.",
    "She dropped off the call, I think.",
    "I'm covering for my boss today.",
    # numbers, dates, codes and spelling
    "The number is 4 8 1 5.",
    "It ends in 7723.",
    "Let me read it out: 55 10 382.",
    "The zip code is 30309.",
    "Date of birth is March 3rd, 1984.",
    "It's spelled M-I-L-L-E-R.",
    "B as in bravo, seven, nine.",
    "My email is <EMAIL>.",
    "You can reach me at <PHONE>.",
    "Roughly twenty, maybe twenty-five.",
    "About forty percent, I'd say.",
    "It was around three hundred bucks.",
    "Next Thursday at ten.",
    "Two o'clock Central works.",
    "The 14th should be fine.",
    "Ticket number 5 5 1 9.",
    "The confirmation code is 88 20 41.",
    "My account number is 3 0 7 7 2.",
    "It's john dot smith at example dot com.",
    "Let me read that back to you.",
    # call logistics
    "Can you all hear me alright?",
    "You cut out there for a second.",
    "Sorry, I was muted.",
    "My internet is a bit slow today.",
    "Your screen is frozen on my end.",
    "Let me turn my camera on.",
    "Could you repeat the last part?",
    "Give me one second to find it.",
    "Sorry, somebody was at the door.",
    "I need to jump off in five minutes.",
    "I've got another meeting right after this.",
    "Should we wait a couple more minutes for others?",
    "I'll send you the invite.",
    "Let's pick this up next week.",
    "Let me check with my manager and get back to you.",
    "Can you send that over by email?",
    "Sounds good, talk Friday.",
    "Can we move this call to Thursday?",
    # chit-chat
    "How was your weekend?",
    "We spent the weekend at the beach.",
    "It's freezing here this morning.",
    "The weather has been lovely lately.",
    "I just came back from visiting family.",
    "The kids have been sick all week.",
    "Did you catch the game last night?",
    "My team lost again, unbelievable.",
    "My daughter has a soccer match on Saturday.",
    "We had friends over for a barbecue.",
    # chit-chat by the domains of personal life: home, family, health, food, leisure,
    # travel, weather, mood and the working day (not needs of the business)
    "We're redoing the kitchen, the house is a mess.",
    "My parents are staying with us this week.",
    "My back is killing me after the gym.",
    "I'm baking for my son's party tonight.",
    "I've been getting into running lately.",
    "We're going skiing next month.",
    "It snowed all night here.",
    "It's so hot, I can't wait for autumn.",
    "Honestly, I'm exhausted today.",
    "Sorry, I'm a bit distracted this morning.",
    "It's been back to back meetings all day.",
    "We just moved offices, nothing is unpacked.",
    "The commute this morning was awful.",
    "Let me find a quieter room.",
    "Ha, you know how it is.",
    "I haven't had my coffee yet.",
    "It's been a long week.",
    "Crazy busy time of year for us.",
    "I love that city.",
    "Ha, that's hilarious.",
    "Same here, honestly.",
    # thanks, goodbyes and apologies
    "Thank you very much.",
    "Thanks, I appreciate your help.",
    "That was helpful, thanks.",
    "Okay, bye now.",
    "Take care, talk later.",
    "Enjoy the rest of your day.",
    "Sorry for running late.",
    "Apologies for the noise.",
    "No worries at all.",
    # chat typed in lower case without punctuation: answers that only identify (whose
    # account, which device model, when), chit-chat (smalltalk.v4)
    "its under her name",
    "s21 ultra",
    "the pixel 6a",
    "like two weeks ago",
    "been a long day",
)

#: Cosine between a segment and its nearest prototype at which it counts as
#: near small talk. Set on the development case (evaluation/calls_dev.py).
DEFAULT_THRESHOLD = 0.5
#: Share of a theme's members near small talk that makes the theme small talk.
DEFAULT_MIN_SHARE = 0.5
#: A theme with at least this share of members worded as a need (nlp.text.states_a_need:
#: "I'd like to change my PIN", "how can I jump start my car") is never small talk, however
#: near the prototypes it lies. On the development calls (clinc150 val among the dev
#: templates) the theme rule at cosine 0.4 dropped seven need themes (need-worded share
#: 0.0-0.55, six of them 0.29 or more) and one small-talk theme (0.0); over the four
#: template sets, one small-talk theme of 99 segments reaches 0.25 (smalltalk.v3).
DEFAULT_MAX_NEED_SHARE = 0.25


def prototype_similarity(vectors: np.ndarray, prototype_vectors: np.ndarray) -> np.ndarray:
    """Cosine of each vector to its nearest prototype.

    Args:
        vectors: (n, d) L2-normalised embeddings of the segments.
        prototype_vectors: (m, d) L2-normalised embeddings of the prototypes.

    Returns:
        A float32 array of length n (all -1 when there are no prototypes).

    Raises:
        ValueError: if the two arrays' widths differ.
    """
    x = np.asarray(vectors, dtype=np.float32)
    p = np.asarray(prototype_vectors, dtype=np.float32)
    if x.ndim != 2 or p.ndim != 2 or (x.size and p.size and x.shape[1] != p.shape[1]):
        raise ValueError(
            f"vectors and prototype_vectors must be 2-d with the same width. Got {x.shape} and {p.shape}; "
            "embed both with the same model."
        )
    if x.shape[0] == 0 or p.shape[0] == 0:
        return np.full(x.shape[0], -1.0, dtype=np.float32)
    return (x @ p.T).max(axis=1).astype(np.float32)


def small_talk_themes(
    labels: np.ndarray,
    similarity: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_share: float = DEFAULT_MIN_SHARE,
    need_like: np.ndarray | None = None,
    max_need_share: float = DEFAULT_MAX_NEED_SHARE,
) -> np.ndarray:
    """The cluster ids whose members are mostly near small talk.

    Args:
        labels: cluster id per segment (-1 for noise), as from
            :func:`nlp.cluster.cluster_embeddings`.
        similarity: per segment, the cosine to its nearest prototype
            (:func:`prototype_similarity`).
        threshold: a member at or above this cosine is near small talk.
        min_share: a cluster with at least this share of such members is small talk.
        need_like: optional, per segment, whether it is worded as a need
            (:func:`nlp.text.states_a_need`); a cluster with at least
            ``max_need_share`` of such members is not small talk.

    Returns:
        The sorted cluster ids that are small talk (int64, possibly empty).

    Raises:
        ValueError: if the arrays' lengths differ or ``min_share`` is outside (0, 1].
    """
    labels = np.asarray(labels)
    similarity = np.asarray(similarity)
    if labels.shape != similarity.shape:
        raise ValueError(f"labels and similarity must have one value per segment. Got {labels.shape} and "
                         f"{similarity.shape}.")
    if not 0.0 < min_share <= 1.0:
        raise ValueError(f"min_share is a share of a theme's members and must lie in (0, 1]. Got {min_share}.")
    valid = labels >= 0
    if not valid.any():
        return np.zeros(0, dtype=np.int64)
    ids, index = np.unique(labels[valid], return_inverse=True)
    near = np.bincount(index, weights=(similarity[valid] >= threshold).astype(np.float64), minlength=ids.size)
    size = np.bincount(index, minlength=ids.size)
    small = near / size >= min_share
    if need_like is not None:
        need = np.asarray(need_like, dtype=bool)
        if need.shape != labels.shape:
            raise ValueError(f"need_like needs one value per segment. Got {need.shape} for {labels.shape}.")
        small &= np.bincount(index, weights=need[valid].astype(np.float64), minlength=ids.size) / size < max_need_share
    return ids[small].astype(np.int64)



#: Segment level: a segment with few content words (:func:`nlp.text.content_words`)
#: at least this near a prototype is small talk before clustering, by count of
#: content words (2, 3); any segment at least ``SEGMENT_THRESHOLD_ANY`` near one is.
#: Set on the development case (clinc150 val needs among evaluation/smalltalk_dev.txt
#: and smalltalk_heldout.txt), never on smalltalk_heldout2.txt.
SEGMENT_THRESHOLDS: dict[int, float] = {2: 0.45, 3: 0.5}
SEGMENT_THRESHOLD_ANY = 0.6
#: Member level: a theme member at least this near a prototype, and nearer to it
#: than to its theme's centre by ``MEMBER_MARGIN``, leaves the theme.
MEMBER_THRESHOLD = 0.45
MEMBER_MARGIN = 0.0
#: How much nearer a prototype a segment worded as a need (:func:`nlp.text.states_a_need`)
#: must come before it counts as small talk by meaning.
NEED_MARGIN = 0.1


def small_talk_segments(
    similarity: np.ndarray,
    content_word_counts,
    *,
    need_like=None,
    thresholds: dict[int, float] | None = None,
    threshold_any: float = SEGMENT_THRESHOLD_ANY,
    need_margin: float = NEED_MARGIN,
) -> np.ndarray:
    """Per segment: small talk by meaning, before clustering.

    A short segment says little, so its nearest prototype is a good judge of
    it: one with ``c`` content words is small talk when its prototype cosine is
    at least ``thresholds[c]`` (``c`` past the table: only ``threshold_any``).
    A longer segment must come very near a prototype (``threshold_any``). A
    segment worded as a need (``need_like``) must come ``need_margin`` nearer.

    Args:
        similarity: per segment, the cosine to its nearest prototype
            (:func:`prototype_similarity`).
        content_word_counts: per segment, ``len(nlp.text.content_words(text))``.
        need_like: optional, per segment, ``nlp.text.states_a_need(text)``.
        thresholds: content-word count -> cosine (default :data:`SEGMENT_THRESHOLDS`).
        threshold_any: the cosine at which any segment is small talk.

    Returns:
        A bool array, True for small talk.

    Raises:
        ValueError: if the two arguments' lengths differ.
    """
    sim = np.asarray(similarity, dtype=np.float32)
    counts = np.asarray(content_word_counts, dtype=np.int64)
    if sim.shape != counts.shape:
        raise ValueError(f"similarity and content_word_counts need one value per segment. Got {sim.shape} and "
                         f"{counts.shape}.")
    table = SEGMENT_THRESHOLDS if thresholds is None else thresholds
    bar = np.full(sim.shape, threshold_any, dtype=np.float32)
    for count, value in table.items():
        bar[counts == count] = min(value, threshold_any)
    if need_like is not None:
        need = np.asarray(need_like, dtype=bool)
        if need.shape != sim.shape:
            raise ValueError(f"need_like needs one value per segment. Got {need.shape} for {sim.shape}.")
        bar = bar + need_margin * need
    return sim >= bar


def small_talk_members(
    labels: np.ndarray,
    vectors: np.ndarray,
    similarity: np.ndarray,
    *,
    threshold: float = MEMBER_THRESHOLD,
    margin: float = MEMBER_MARGIN,
) -> np.ndarray:
    """Per segment: a theme member that is nearer small talk than its theme.

    A member leaves its theme when its nearest prototype's cosine is at least
    ``threshold`` and exceeds its cosine to the theme's centre (the mean of its
    members, normalised) by more than ``margin``: a need-like theme keeps what
    is about its need and loses the greetings that clustering swept into it.

    Args:
        labels: cluster id per segment (-1 for noise).
        vectors: (n, d) L2-normalised embeddings.
        similarity: per segment, the cosine to its nearest prototype.

    Returns:
        A bool array, True for members that leave their theme (never for noise).

    Raises:
        ValueError: if the lengths differ.
    """
    labels = np.asarray(labels)
    x = np.asarray(vectors, dtype=np.float32)
    sim = np.asarray(similarity, dtype=np.float32)
    if not (labels.shape[0] == x.shape[0] == sim.shape[0]):
        raise ValueError(f"labels, vectors and similarity need one row per segment. Got {labels.shape[0]}, "
                         f"{x.shape[0]} and {sim.shape[0]}.")
    out = np.zeros(labels.shape[0], dtype=bool)
    for c in np.unique(labels[labels >= 0]):
        idx = np.flatnonzero(labels == c)
        centre = x[idx].mean(axis=0)
        norm = float(np.linalg.norm(centre))
        if norm == 0.0:
            continue
        to_centre = x[idx] @ (centre / norm)
        out[idx] = (sim[idx] >= threshold) & (sim[idx] - to_centre > margin)
    return out


#: The learned small-talk probe's weights, one logistic regression per packaged embedding
#: model, written by ``python -m evaluation.smalltalk_probe`` (trained on clinc150 train
#: and the development template files; see that module).
PROBE_FILE = Path(__file__).resolve().parent / "smalltalk_probe.json"
#: Segment level: a spoken segment whose probe probability is at least this is small talk
#: before clustering; one worded as a need (:func:`nlp.text.states_a_need`) only from
#: :data:`PROBE_NEED_THRESHOLD`. Chosen on clinc150 val needs (with and without a greeting
#: around them) against the development templates (evaluation/calls_dev.py).
PROBE_SEGMENT_THRESHOLD = 0.7
PROBE_NEED_THRESHOLD = 0.9
#: By count of content words, a stricter bar: a spoken turn of one content word ("medium
#: please", "the blue one", "my balance") says little, and with the probe it is no longer set
#: aside by its words (``segment.min_spoken_content_words`` resolves to 1): it is small talk from
#: this probability (one worded as a need still from :data:`PROBE_NEED_THRESHOLD`). Chosen on
#: the development calls (evaluation/calls_dev.py, val) among 0.2, 0.3, 0.5 and 0.7.
PROBE_SEGMENT_THRESHOLDS: dict[int, float] = {1: 0.3}
#: Theme level: a spoken member with at least this probability counts as near small talk,
#: as one within ``themes.small_talk_threshold`` of a prototype does. Chosen on the development
#: calls among 0.3, 0.4, 0.5 and 0.7: 0.4 drops themes of call logistics ("joining from my car,
#: so I might drop for a sec", P 0.43) that 0.5 kept, and no need theme; 0.3 drops need themes.
PROBE_THEME_THRESHOLD = 0.4


@dataclass(frozen=True)
class SmallTalkProbe:
    """A logistic regression on one model's vectors: the probability that a text is small talk.

    Attributes:
        model: the embedding model's key (``embed.model``) it was trained on.
        coef: (d,) weights.
        intercept: the bias.
        version: names the training (data and settings), recorded with each run's rules.
        what: what a positive is, for messages ("small talk"; ``nlp.activity`` loads one for a rep's
            activity log).
    """

    model: str
    coef: np.ndarray
    intercept: float
    version: str
    what: str = "small talk"

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        """Per row of ``vectors`` (L2-normalised embeddings): P(small talk), float32.

        Raises:
            ValueError: if the vectors' width is not the probe's.
        """
        x = np.asarray(vectors, dtype=np.float32)
        if x.ndim != 2 or (x.shape[0] and x.shape[1] != self.coef.shape[0]):
            raise ValueError(f"the {self.what} probe for {self.model} takes {self.coef.shape[0]}-d vectors. Got "
                             f"{x.shape}; embed the texts with {self.model}.")
        if not x.shape[0]:
            return np.zeros(0, dtype=np.float32)
        z = x @ self.coef.astype(np.float32) + np.float32(self.intercept)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


@lru_cache(maxsize=None)
def load_probe(model: str, path: Path = PROBE_FILE, *, what: str = "small talk",
               trainer: str = "evaluation.smalltalk_probe") -> SmallTalkProbe | None:
    """The probe trained on ``model``'s vectors, or None when ``path`` has none for it.

    ``what`` names what the probe finds and ``trainer`` the module that writes ``path``, for messages.

    Raises:
        ValueError: if the file is not the trainer's JSON.
    """
    if not Path(path).is_file():
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entry = data["models"].get(model)
        if entry is None:
            return None
        return SmallTalkProbe(model=model, coef=np.asarray(entry["coef"], dtype=np.float32),
                              intercept=float(entry["intercept"]), version=str(data["version"]), what=what)
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a {what} probe file ({exc}); write it again with "
                         f"`python -m {trainer} --data <clinc150 folder>`.") from exc


def small_talk_by_probe(probability: np.ndarray, need_like=None, *,
                        threshold: float = PROBE_SEGMENT_THRESHOLD,
                        need_threshold: float = PROBE_NEED_THRESHOLD,
                        content_word_counts=None, thresholds: dict[int, float] | None = None) -> np.ndarray:
    """Per segment: small talk by the probe, before clustering (True: set aside).

    Args:
        probability: per segment, :meth:`SmallTalkProbe.probability`.
        need_like: optional, per segment, ``nlp.text.states_a_need(text)``: such a
            segment must reach ``need_threshold``.
        content_word_counts: optional, per segment, ``len(nlp.text.content_words(text))``.
        thresholds: with ``content_word_counts``, count of content words -> its own bar
            (:data:`PROBE_SEGMENT_THRESHOLDS`); other counts take ``threshold``.

    Raises:
        ValueError: if the lengths differ.
    """
    p = np.asarray(probability, dtype=np.float32)
    bar = np.full(p.shape, threshold, dtype=np.float32)
    if content_word_counts is not None and thresholds:
        counts = np.asarray(content_word_counts, dtype=np.int64)
        if counts.shape != p.shape:
            raise ValueError(f"content_word_counts needs one value per segment. Got {counts.shape} for {p.shape}.")
        for count, value in thresholds.items():
            bar[counts == count] = value
    if need_like is not None:
        need = np.asarray(need_like, dtype=bool)
        if need.shape != p.shape:
            raise ValueError(f"need_like needs one value per segment. Got {need.shape} for {p.shape}.")
        bar[need] = max(threshold, need_threshold)
    return p >= bar


#: Folds of :func:`corpus_need_scores`: each set-aside turn is scored by a classifier that never saw it.
CORPUS_PROBE_FOLDS = 5
#: A turn the corpus probe lets back joins the nearest theme when at least as close to its centre as this
#: quantile of the theme's own members (``nlp.incremental.join_themes``): 0, within the farthest member.
CORPUS_PROBE_MEMBER_QUANTILE = 0.0
#: At most this many rows train each fold's classifier (a seeded sample beyond it), so a corpus of 100k
#: segments costs what one of about 30k does.
CORPUS_PROBE_MAX_ROWS = 24_000


def corpus_need_scores(vectors: np.ndarray, themed: np.ndarray, aside: np.ndarray, *, seed: int = 0,
                       c: float = 1.0) -> np.ndarray:
    """Per row: how much like this corpus's themed needs, against its set-aside small talk, in [0, 1].

    The learned probe (:class:`SmallTalkProbe`) was trained once, on CLINC150's needs; on a
    company whose needs lie in another domain it sets more of them aside. The corpus itself says
    what its needs look like once clustered: a logistic regression learns the ``themed`` rows
    (class 1) against the ``aside`` rows (class 0) of this corpus, and each aside row is scored
    out of fold (the classifier that scores it never saw it). Rows in neither set score 0.
    ``c`` is the regression's inverse regularisation strength. Deterministic for a given ``seed``.

    Raises:
        ValueError: if the masks' lengths differ from the vectors'.
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(vectors, dtype=np.float32)
    themed, aside = np.asarray(themed, dtype=bool), np.asarray(aside, dtype=bool)
    if themed.shape != (x.shape[0],) or aside.shape != (x.shape[0],):
        raise ValueError(f"themed and aside need one value per row of vectors ({x.shape[0]}). "
                         f"Got {themed.shape} and {aside.shape}.")
    aside = aside & ~themed
    scores = np.zeros(x.shape[0], dtype=np.float32)
    pos, neg = np.flatnonzero(themed), np.flatnonzero(aside)
    if pos.size < CORPUS_PROBE_FOLDS or neg.size < CORPUS_PROBE_FOLDS:
        return scores
    rng = np.random.default_rng(seed)
    fold = np.empty(neg.size, dtype=np.int64)  # the aside rows in folds; the themed rows train every fold
    fold[rng.permutation(neg.size)] = np.arange(neg.size) % CORPUS_PROBE_FOLDS
    cap = CORPUS_PROBE_MAX_ROWS // 2
    p_rows = pos if pos.size <= cap else np.sort(rng.choice(pos, cap, replace=False))
    for f in range(CORPUS_PROBE_FOLDS):
        train_neg = neg[fold != f]
        n_rows = train_neg if train_neg.size <= cap else np.sort(rng.choice(train_neg, cap, replace=False))
        rows = np.concatenate([p_rows, n_rows])
        y = np.concatenate([np.ones(p_rows.size), np.zeros(n_rows.size)])
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000).fit(x[rows], y)
        test = neg[fold == f]
        scores[test] = model.predict_proba(x[test])[:, 1]
    return scores
