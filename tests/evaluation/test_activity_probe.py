"""The activity-log probe's notes: development and held-out files apart, the rep's voice seeded."""

from __future__ import annotations

from evaluation.activity_probe import in_rep_voice, read_notes

FILES = ("activity_dev", "activity_needs_dev", "activity_heldout", "activity_needs_heldout")


def test_the_note_files_hold_distinct_notes_and_dev_and_held_out_share_none() -> None:
    notes = {name: read_notes(name) for name in FILES}
    assert all(len(v) >= 150 and len(set(v)) == len(v) for v in notes.values())
    dev = {n.lower() for name in FILES[:2] for n in notes[name]}
    held = {n.lower() for name in FILES[2:] for n in notes[name]}
    assert not dev & held
    assert not any(n.startswith("#") for v in notes.values() for n in v)


def test_the_reps_voice_wraps_each_text_the_same_way_for_a_seed() -> None:
    texts = ["needs SSO via Okta", "sent the NDA"]
    once = in_rep_voice(texts, seed=1)
    assert once == in_rep_voice(texts, seed=1)
    assert all(t in w and w != t for t, w in zip(texts, once))


def test_a_fold_and_the_rest_split_the_notes_by_line_number() -> None:
    from evaluation.activity_probe import FOLDS, dev_fold

    texts = [f"note {i}" for i in range(12)]
    inside = dev_fold(texts, 2, keep=False)
    outside = dev_fold(texts, 2, keep=True)
    assert inside == [t for i, t in enumerate(texts) if i % FOLDS == 2]
    assert sorted(inside + outside) == sorted(texts) and not set(inside) & set(outside)
    assert dev_fold(texts, None, keep=True) == texts
