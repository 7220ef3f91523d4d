"""The admin-note templates of the sample's generator, read from its source, tell its admin notes apart."""

from __future__ import annotations

import pytest

from evaluation.admin_notes import admin_note_patterns, is_admin_note


def test_the_generators_admin_templates_match_filled_in_notes_and_nothing_else() -> None:
    patterns = admin_note_patterns()
    assert len(patterns) >= 20
    assert is_admin_note("Left voicemail for Dana, will try again Friday. Will check back.", patterns)
    assert is_admin_note("Sent MSA and order form for review.", patterns)
    assert is_admin_note("Priya out on PTO until Monday; pausing outreach. cc Tom.", patterns)
    assert not is_admin_note("Demo debrief. Must have 2-way sync w/ NetSuite (vendors, bills, payments).", patterns)
    assert not is_admin_note("Customer asked whether we can host it on-prem.", patterns)


def test_a_generator_without_templates_is_named(tmp_path) -> None:
    fake = tmp_path / "generate_sample.py"
    fake.write_text("OTHER = ['x']\n")
    with pytest.raises(ValueError, match="generate_sample.py defines no NOISE_NOTES"):
        admin_note_patterns(fake)


def test_the_held_out_notes_are_written_as_salesforce_tasks_the_reader_takes(tmp_path) -> None:
    from evaluation.activity_probe import read_notes
    from evaluation.admin_notes import add_held_out_notes
    from pipelines.readers import read_sources

    kinds = add_held_out_notes(tmp_path)
    counts = {name: sum(k == name for k in kinds.values()) for name in set(kinds.values())}
    assert counts == {"activity_heldout": len(read_notes("activity_heldout")),
                      "activity_needs_heldout": len(read_notes("activity_needs_heldout"))}
    (result,) = read_sources([tmp_path / "held_out_tasks.csv"])
    assert result.quarantined is None
    assert {d.doc_id for d in result.documents} == set(kinds)
    again = tmp_path / "again"
    again.mkdir()
    add_held_out_notes(again)  # seeded: the same file again
    assert (tmp_path / "held_out_tasks.csv").read_bytes() == (again / "held_out_tasks.csv").read_bytes()
