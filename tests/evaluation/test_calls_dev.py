"""The calls harness's small-talk templates (no clinc150 text, no clustering)."""

from __future__ import annotations

import pytest

from evaluation.calls_dev import LOWER_CASE_TEMPLATES, TEMPLATE_FILES, read_templates, small_talk_turns


@pytest.mark.parametrize("name", sorted(TEMPLATE_FILES))
def test_small_talk_turns_fill_every_slot(name: str) -> None:
    turns = small_talk_turns(500, seed=3, templates=name)
    assert len(turns) == 500
    assert not any("{" in t or "}" in t for t in turns)
    # enough kinds of turn for a case of thousands (heldout4, written to measure the probe, has 48)
    assert len(read_templates(name)) >= 45


def test_small_talk_turns_of_a_lower_case_file_are_lower_case_names_included() -> None:
    assert "chat" in LOWER_CASE_TEMPLATES
    turns = small_talk_turns(2000, seed=0, templates="chat")
    assert all(t == t.lower() for t in turns)
    # the other files keep their slot values as written ("Hi Maria, good to see you again.")
    assert any(t != t.lower() for t in small_talk_turns(200, seed=0, templates="heldout2"))


def test_split_clinc_small_talk_by_intent_name() -> None:
    from evaluation.calls_dev import split_clinc_small_talk

    texts = ["how ya doin", "what is my balance", "are you a bot", "stop it", "yes please"]
    labels = ["greeting", "balance", "are_you_a_bot", "cancel", "yes"]
    needs, small = split_clinc_small_talk(texts, labels)
    assert needs == [("what is my balance", "balance")]
    # cancel is neither (CLINC_LEFT_OUT_INTENTS)
    assert small == [("how ya doin", "greeting"), ("are you a bot", "are_you_a_bot"), ("yes please", "yes")]


def test_build_calls_with_real_small_talk_keeps_its_intents() -> None:
    from evaluation.calls_dev import build_calls

    needs = [(f"what is my balance {i}", "balance") for i in range(40)]
    real = [("how ya doin", "greeting"), ("are you a bot", "are_you_a_bot")]
    case = build_calls(needs, real_small_talk=real)
    small = [k for k, v in case.turn_kind.items() if v == "small_talk"]
    real_turns = [k for k in small if case.turn_intent[k]]
    # about half the small talk is real (CLINC_SMALL_TALK_SHARE), the rest templates with no intent
    assert 0.35 < len(real_turns) / len(small) < 0.65
    texts = {t.text: t for d in case.documents for t in d.turns}
    assert {"how ya doin", "are you a bot"} <= set(texts)
    # without real small talk the calls are as they always were
    plain = build_calls(needs)
    assert all(v == "" for k, v in plain.turn_intent.items() if plain.turn_kind[k] == "small_talk")
