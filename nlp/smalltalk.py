"""Small talk by meaning: what a theme made of greetings, names and logistics looks like.

:func:`nlp.text.is_small_talk` sets aside what has too few content words. What
passes it ("My camera isn't working today", "It's been raining all week in
Denver", "I'm Lucas, I'll be taking notes") still carries no customer need,
and, said on call after call, forms themes of its own. This module tells them
apart by meaning: the texts are compared with :data:`SMALL_TALK_PROTOTYPES`, a
short hand-written list of what people say on a call that is not a need
(greetings, yes/no and backchannels, names and introductions, numbers, dates
and spelling, call logistics, chit-chat, thanks and goodbyes).

The rule, on one theme at a time (:func:`small_talk_themes`): a theme is small
talk when at least ``min_share`` of its members lie within cosine ``threshold``
of some prototype. A theme is a better judge than a single segment: one
segment near "how was your weekend" may still be a need, thirty of them in one
theme are chit-chat.

Pure: vectors in, arrays out; the prototypes are embedded by the caller with the
same model as the segments (:func:`nlp.embed.embed_texts`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SMALL_TALK_PROTOTYPES",
    "SMALL_TALK_RULE",
    "DEFAULT_THRESHOLD",
    "DEFAULT_MIN_SHARE",
    "prototype_similarity",
    "small_talk_themes",
]

#: Version of the small-talk rule (prototypes, thresholds, content-word lists);
#: part of the ingest ledger's settings hash, so a new rule re-reads the files.
SMALL_TALK_RULE = "smalltalk.v1"

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
    # chit-chat
    "How was your weekend?",
    "We spent the weekend at the beach.",
    "It's freezing here this morning.",
    "The weather has been lovely lately.",
    "I just came back from visiting family.",
    "The kids have been sick all week.",
    "Did you catch the game last night?",
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
)

#: Cosine between a segment and its nearest prototype at which it counts as
#: near small talk. Set on the development case (evaluation/calls_dev.py).
DEFAULT_THRESHOLD = 0.5
#: Share of a theme's members near small talk that makes the theme small talk.
DEFAULT_MIN_SHARE = 0.5


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
) -> np.ndarray:
    """The cluster ids whose members are mostly near small talk.

    Args:
        labels: cluster id per segment (-1 for noise), as from
            :func:`nlp.cluster.cluster_embeddings`.
        similarity: per segment, the cosine to its nearest prototype
            (:func:`prototype_similarity`).
        threshold: a member at or above this cosine is near small talk.
        min_share: a cluster with at least this share of such members is small talk.

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
    return ids[near / size >= min_share].astype(np.int64)
