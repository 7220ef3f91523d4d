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


def test_domain_talk_files_hold_every_task_domain_and_only_known_slots() -> None:
    import re

    from evaluation.calls_dev import DOMAIN_TALK_FILES, _fill, read_domain_talk

    task = {"banking", "credit_cards", "kitchen_and_dining", "home", "auto_and_commute", "travel", "utility", "work"}
    rng = __import__("random").Random(0)
    for name in DOMAIN_TALK_FILES:
        talk = read_domain_talk(name)
        assert set(talk) == task and all(len(lines) >= 20 for lines in talk.values())
        for lines in talk.values():
            for line in lines:
                filled = _fill(line, rng)  # every slot is a known one
                assert not re.search(r"[{}]", filled), (name, line)


def test_read_domain_talk_names_a_turn_before_any_section(tmp_path, monkeypatch) -> None:
    from evaluation import calls_dev

    bad = tmp_path / "talk.txt"
    bad.write_text("# a comment\nthe checking one\n## banking\nyes\n", encoding="utf-8")
    monkeypatch.setitem(calls_dev.DOMAIN_TALK_FILES, "bad", bad)
    with pytest.raises(ValueError, match=r"talk.txt:2: a turn before the first '## <domain>' section"):
        calls_dev.read_domain_talk("bad")


def test_build_calls_with_domain_talk_names_the_subject_of_a_need_in_the_same_call() -> None:
    from evaluation.calls_dev import DOMAIN_TALK_INTENT, build_calls

    needs = [(f"what is my balance {i}", "balance") for i in range(20)] + \
            [(f"book me a flight {i}", "book_flight") for i in range(20)]
    talk = {"banking": ["about the checking account"], "travel": ["about the flight"]}
    case = build_calls(needs, domain_talk=talk, intent_domain={"balance": "banking", "book_flight": "travel"},
                       domain_share=0.5)
    plain = build_calls(needs)
    for doc, base in zip(case.documents, plain.documents):
        customer = [t.text for t in doc.turns if t.role.value == "customer"]
        said = [(case.turn_kind[(doc.doc_id, i)], case.turn_intent[(doc.doc_id, i)], text)
                for i, text in enumerate(customer)]
        subjects = {"banking" if lab == "balance" else "travel" for kind, lab, _ in said if kind == "need"}
        for kind, lab, text in said:
            if lab == DOMAIN_TALK_INTENT:  # small talk, and about a need of this call
                assert kind == "small_talk" and text in {talk[d][0] for d in subjects}
        assert [t.text for t in doc.turns if t.role.value == "rep"] == [t.text for t in base.turns if t.role.value == "rep"]
    share = sum(v == DOMAIN_TALK_INTENT for v in case.turn_intent.values()) / sum(
        v == "small_talk" for v in case.turn_kind.values())
    assert 0.35 < share < 0.65
