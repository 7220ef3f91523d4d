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
