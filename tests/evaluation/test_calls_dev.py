"""The calls harness's small-talk templates (no clinc150 text, no clustering)."""

from __future__ import annotations

import pytest

from evaluation.calls_dev import LOWER_CASE_TEMPLATES, TEMPLATE_FILES, read_templates, small_talk_turns


@pytest.mark.parametrize("name", sorted(TEMPLATE_FILES))
def test_small_talk_turns_fill_every_slot(name: str) -> None:
    turns = small_talk_turns(500, seed=3, templates=name)
    assert len(turns) == 500
    assert not any("{" in t or "}" in t for t in turns)
    assert len(read_templates(name)) >= 50


def test_small_talk_turns_of_a_lower_case_file_are_lower_case_names_included() -> None:
    assert "chat" in LOWER_CASE_TEMPLATES
    turns = small_talk_turns(2000, seed=0, templates="chat")
    assert all(t == t.lower() for t in turns)
    # the other files keep their slot values as written ("Hi Maria, good to see you again.")
    assert any(t != t.lower() for t in small_talk_turns(200, seed=0, templates="heldout2"))
