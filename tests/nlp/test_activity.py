"""A rep's activity log: the theme rule on given probabilities, and the shipped probe with the real model."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.activity import (
    MIN_SHARE,
    NOTE_THRESHOLD,
    activity_themes,
    load_activity_probe,
    names_a_next_step,
    note_scores,
    records_a_need,
)
from nlp.embed import embed_texts


def test_a_theme_of_activity_notes_is_found_and_a_mixed_one_is_not() -> None:
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, -1])
    p = np.array([0.9, 0.8, 0.95, 0.6, 0.9, 0.1, 0.2, 0.9, 0.99], dtype=np.float32)
    assert activity_themes(labels, p).tolist() == [0]
    # call turns never count: the same probabilities on spoken turns find nothing
    texts = ["Sent the deck."] * len(p)
    assert activity_themes(labels, note_scores(p, texts, np.array([False] * 4 + [True] * 5))).size == 0
    # a theme with a quarter of its members worded as a need is no activity log
    need = np.array([True, True, False, False, False, False, False, False, False])
    assert activity_themes(labels, p, need_like=need).size == 0


def test_the_bars_are_the_modules_and_can_be_given() -> None:
    labels = np.array([0, 0, 0, 0])
    p = np.full(4, NOTE_THRESHOLD, dtype=np.float32)
    assert activity_themes(labels, p).tolist() == [0]
    p[: int(np.ceil(4 * (1 - MIN_SHARE))) + 1] = 0.0  # fewer than MIN_SHARE of the members
    assert activity_themes(labels, p).size == 0
    assert activity_themes(labels, p, min_share=0.25).tolist() == [0]


def test_a_note_that_words_a_need_or_a_call_turn_never_counts_as_an_activity_log() -> None:
    assert records_a_need("Board wants the month-end close done by day 5.")
    assert records_a_need("Asked whether the portal can collect W-9s. Sent recap.")
    assert records_a_need("Concerned about the implementation timeline.")
    assert not records_a_need("Emailed Dana the case study they asked for.")
    assert not records_a_need("Updated the close date to 12/15.")
    texts = ["Board wants the close done by day 5.", "Updated the close date to 12/15.", "Updated the close date."]
    p = np.array([0.9, 0.9, 0.9], dtype=np.float32)
    assert note_scores(p, texts, np.array([True, True, False])).tolist() == pytest.approx([0.0, 0.9, 0.0])
    with pytest.raises(ValueError, match="one value per segment"):
        note_scores(p, texts[:2], np.array([True, True, False]))


def test_arrays_of_other_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one value per segment"):
        activity_themes(np.array([0, 0]), np.array([0.9, 0.9, 0.9]))


def test_load_activity_probe_names_the_trainer_when_the_file_is_not_a_probe(tmp_path) -> None:
    bad = tmp_path / "activity.json"
    bad.write_text('{"models": {"all-MiniLM-L6-v2": {"coef": [0.1]}}}')
    with pytest.raises(ValueError, match="activity-log probe file.*evaluation.activity_probe"):
        load_activity_probe("all-MiniLM-L6-v2", bad)
    assert load_activity_probe("no-such-model") is None


# written for this test (not from evaluation/activity_*.txt). Internal reviews ("Pipeline review with my
# manager, deal stays in Commit.", P 0.24) are what the probe misses most (evaluation/README.md).
LOGS = [
    "Left a voicemail for Ingrid, trying again Thursday.",
    "Sent the signed NDA back to their legal team.",
    "Moved the demo to next Tuesday at Omar's request.",
    "Updated the close date to 12/15 and moved the stage to Negotiation.",
    "Emailed the pricing deck and the security whitepaper.",
]
NEEDS = [
    "Call w/ Ingrid: their auditors need every invoice approval logged with a timestamp.",
    "Omar worried that the per-seat price doubles their current spend.",
    "They need the scheduling app to let nurses swap shifts without a manager.",
    "Asked whether the vendor portal can collect W-9s automatically.",
    "IT insists on SSO through Okta before any rollout.",
]


def test_the_shipped_probe_with_the_real_model_tells_logs_from_needs(embedding_model) -> None:
    probe = load_activity_probe("all-MiniLM-L6-v2")
    assert probe is not None and probe.what == "activity-log"
    p = probe.probability(embed_texts(embedding_model, LOGS + NEEDS))
    got = (p >= NOTE_THRESHOLD).tolist()
    assert got == [True] * len(LOGS) + [False] * len(NEEDS), dict(zip(LOGS + NEEDS, p.round(2)))


@pytest.mark.parametrize("text", ["Next steps: send ROI calculator", "Next step - intro to SE", "- Action items: book the SE",
                                  "TODO: send the order form", "To do - follow up Friday", "NEXT STEPS: get the CFO on a call"])
def test_a_note_line_labelled_as_the_reps_next_step_is_one(text) -> None:
    assert names_a_next_step(text)


@pytest.mark.parametrize("text", ["Wants SSO. Next step: send the guide.", "Next quarter they move to NetSuite.",
                                  "Steps to approve a bill are too many", "Stepped through the approval demo"])
def test_a_need_with_a_next_step_tail_or_the_word_next_is_not(text) -> None:
    assert not names_a_next_step(text)
