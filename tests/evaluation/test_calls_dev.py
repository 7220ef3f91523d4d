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


def test_dress_needs_says_most_needs_as_on_a_call_and_keeps_their_intents() -> None:
    from evaluation.calls_dev import NEED_DRESS_FILES, NEED_DRESS_SHARE, dress_needs

    needs = [(f"what is the balance of account {i}", "balance") for i in range(400)]
    dressed = dress_needs(needs, "spoken", seed=1)
    assert [lab for _, lab in dressed] == ["balance"] * 400
    assert all(text in d for (text, _), (d, _) in zip(needs, dressed))  # the need itself, as it was
    assert not any("{" in d or "}" in d for d, _ in dressed)
    changed = sum(d != text for (text, _), (d, _) in zip(needs, dressed)) / len(needs)
    assert abs(changed - NEED_DRESS_SHARE) < 0.08
    assert dressed == dress_needs(needs, "spoken", seed=1)  # seeded
    assert set(NEED_DRESS_FILES) == {"spoken"}


def test_settings_variables_name_groundswell_variables_and_refuse_other_forms() -> None:
    from evaluation.mine_process import settings_variables

    assert settings_variables(["themes.recluster=false", "embed.threads = 2"]) == {
        "GROUNDSWELL_THEMES__RECLUSTER": "false", "GROUNDSWELL_EMBED__THREADS": "2"}
    for bad in ("themes.recluster", "recluster=false", ".x=1"):
        with pytest.raises(ValueError, match="section.field=value"):
            settings_variables([bad])
