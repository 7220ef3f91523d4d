"""A rep's activity log: notes that record the rep's own work, not what the customer needs.

CRM notes are written by reps, and many record the sales process itself: "Left
voicemail for Dana, will try again Friday.", "Sent MSA and order form for
review.", "Internal deal review. Forecast category: Commit.". Written night
after night in the same words, they form themes of their own ("Recap email /
deck", "Voicemail / try") that tell a strategy team nothing about customers, and
a new logging habit could even rise and be flagged ``field_ahead``.

The rule (``activity.v1``) works at the theme level, where a single note's
doubt averages out: a learned probe (:class:`nlp.smalltalk.SmallTalkProbe`, a
logistic regression on the packaged model's vectors, weights in
:data:`PROBE_FILE`, written by ``evaluation/activity_probe.py`` from the
development notes ``evaluation/activity_dev.txt`` against
``evaluation/activity_needs_dev.txt`` and CLINC150 train's requests) gives each
written note that words no need (:func:`records_a_need`: "wants", "asked about",
"concerned"...) its probability of being an activity log; a theme with at least
:data:`MIN_SHARE` of its members at :data:`NOTE_THRESHOLD` or above is a rep's
activity log, unless a quarter of its members are worded as a need
(:func:`nlp.text.states_a_need`), and its notes get no theme
(``pipelines.mine._drop_small_talk_themes``). Call turns are never judged by it:
a call's rep speech is already apart from the customer's. A note that records
an activity and a need ("Asked about SSO; sent the setup guide.") sits in its
need's theme, which the rule leaves alone.

v2 adds the rep's next step: a note, or a line of a note written over several
lines (``nlp.text.note_items``), that opens with its label ("Next steps: send
the order form", "Action items - book the SE", "To do: ..."; :func:`names_a_next_step`)
says what the rep will do, and is never clustered (``pipelines.mine.find_themes``).

Pure: vectors in, arrays out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.smalltalk import SmallTalkProbe, load_probe, small_talk_themes

__all__ = ["ACTIVITY_RULE", "PROBE_FILE", "NOTE_THRESHOLD", "MIN_SHARE", "records_a_need", "names_a_next_step",
           "note_scores", "load_activity_probe", "activity_themes"]

#: Version of the rule (probe, thresholds); recorded with each run's theme rules, so a new rule
#: clusters in full once.
ACTIVITY_RULE = "activity.v2"

#: The probe's weights, one logistic regression per packaged embedding model
#: (``python -m evaluation.activity_probe``).
PROBE_FILE = Path(__file__).resolve().parent / "activity_probe.json"

#: A written note at or above this probability counts as an activity log in its theme.
NOTE_THRESHOLD = 0.4
#: A theme with at least this share of such notes among its members is a rep's activity log. Both chosen
#: on the sample (``python -m evaluation.admin_notes``) among 0.3-0.5 and 0.5 / 0.7, with clinc150 val as
#: notes unchanged: before notes that word a need scored 0 (:func:`note_scores`), a share of 0.5 dropped
#: a need theme whose notes end in an activity ("... Next step: send order form"); since, both shares
#: give the same on the sample, and the stricter one is kept.
MIN_SHARE = 0.7


# How a rep writes down what a customer needs: "wants", "needs", "asked about / whether / how", "concerned",
# "pain", "objection", "can't"... ("asked for" is left out: "the case study they asked for" is a log).
_NOTED_NEED = re.compile(
    r"\b(wants?|wanted|needs?|needed|asks?|asked (about|whether|if|how|what|why|when|which)|requires?|required|"
    r"requirement|must[- ]have|concern(ed|s)?|worried|worries|pain|objection|blocker|requested|looking for|"
    r"interested in|complain\w*|frustrat\w*|struggl\w*|can'?t|cannot|doesn'?t|don'?t|no way to|lacks?|missing|"
    r"wish(es)?|prefers?|expects?|says|said|goal|problem|issue|risk)\b",
    re.IGNORECASE,
)


def records_a_need(text: str) -> bool:
    """Whether a note words what someone needs, wants, asks or objects to, as a rep writes it down.

    On the development notes: 92% of ``evaluation/activity_needs_dev.txt``, 79% of the sample's
    need notes, 4% of ``activity_dev.txt`` and none of the sample's admin notes.
    """
    return bool(_NOTED_NEED.search(text))


# The label a rep puts before the plan: "Next steps:", "Next action -", "Action items:", "To do:", "TODO -".
_NEXT_STEP = re.compile(r"^\W*(next\s+steps?|next\s+actions?|action\s+items?|to[- ]?dos?)\s*[:\-\u2013\u2014]",
                        re.IGNORECASE)


def names_a_next_step(text: str) -> bool:
    """Whether a note, or a line of one, opens with the label of the rep's next step ("Next steps: send
    ROI calculator", "Action items - intro to SE", "To do: ..."): the rep's plan, not what the customer said.
    An inline tail ("Wants SSO. Next step: send the guide.") does not count: the note words a need."""
    return bool(_NEXT_STEP.match(text))


def note_scores(probability: np.ndarray, texts: Sequence[str], written: np.ndarray) -> np.ndarray:
    """Per segment, the probe's probability where it is a written note that words no need
    (:func:`records_a_need`), else 0: a call turn, or a note that says what the customer wants ("Board
    wants the month-end close done by day 5", which the probe scores as a close-date log), never counts
    as an activity log.

    Raises:
        ValueError: if the lengths differ.
    """
    p = np.asarray(probability, dtype=np.float32)
    w = np.asarray(written, dtype=bool)
    if not (p.shape == w.shape == (len(texts),)):
        raise ValueError(f"probability, texts and written need one value per segment. Got {p.shape}, "
                         f"{len(texts)} and {w.shape}.")
    keep = w & ~np.fromiter((records_a_need(t) for t in texts), dtype=bool, count=len(texts))
    return np.where(keep, p, 0.0).astype(np.float32)


def load_activity_probe(model: str, path: Path = PROBE_FILE) -> SmallTalkProbe | None:
    """The activity-log probe for ``model``'s vectors, or None when ``path`` has none for it.

    Raises:
        ValueError: if the file is not the trainer's JSON.
    """
    return load_probe(model, path, what="activity-log", trainer="evaluation.activity_probe")


def activity_themes(labels: np.ndarray, scores: np.ndarray, *, need_like: np.ndarray | None = None,
                    threshold: float = NOTE_THRESHOLD, min_share: float = MIN_SHARE) -> np.ndarray:
    """The cluster ids that are a rep's activity log.

    Args:
        labels: cluster id per segment (-1 for none).
        scores: per segment, :func:`note_scores` (the probe's probability; 0 for call turns and notes
            that word a need).
        need_like: optional, per segment, whether it is worded as a need: a cluster with a quarter or
            more of them is no activity log.
        threshold: a note at or above this probability counts as an activity log.
        min_share: a cluster with at least this share of such notes is an activity log.

    Returns:
        The sorted cluster ids (int64, possibly empty).

    Raises:
        ValueError: if the arrays' lengths differ or ``min_share`` is outside (0, 1].
    """
    return small_talk_themes(labels, scores, threshold=threshold, min_share=min_share, need_like=need_like)
