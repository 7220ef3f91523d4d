"""The plain-Python composition (no Prefect) on the bundled sample."""

from __future__ import annotations

import json

from nlp.records import FlagKind


def test_mine_demo_bundle_has_every_flag_kind(demo_bundle):
    out, result, _ = demo_bundle
    kinds = {f.kind for f in result.flags}
    assert kinds == {FlagKind.FIELD_AHEAD, FlagKind.OFF_STRATEGY, FlagKind.STRATEGY_UNHEARD}
    flags = json.loads((out / "flags.json").read_text())["flags"]
    assert len(flags) == len(result.flags)
    assert set(result.timings) >= {"ingest", "embed", "themes", "strategy", "report"}


def test_mine_keeps_the_models_vectors_and_the_clusterers_and_records_which_it_clustered(demo_bundle):
    """With MiniLM the clusterer reads the mean of a text's own tokens (nlp.embed cluster_pooling): the store
    caches both kinds of vector, from one pass of the model, and the run's rules say which the clusterer read."""
    from pipelines.store import Store

    _, result, store_url = demo_bundle
    store = Store(store_url)
    try:
        from datetime import datetime

        from nlp.embed import text_hash

        model_id = result.run.models["embedding"]
        hashes = sorted({text_hash(s.text) for s in store.load_segments(datetime(2026, 10, 31, 23, 59)) if s.themeable})
        own = store.cached_vectors(hashes, model_id)
        clustered = store.cached_vectors(hashes, model_id + "/pool-text")
        assert len(own) == len(clustered) == len(hashes)
        assert all(0.5 < float(own[h] @ clustered[h]) < 1.0 for h in hashes[:200])  # alike, not the same
        rules = store.run_record(result.run.id)["themes_clustering"]["rules"]
        assert rules["cluster_pooling"] == "text" and rules["granularity"] == 0.23
    finally:
        store.dispose()


LANGUAGE_NOTES = [
    "Customer wants the app to speak Spanish to their staff", "They need the interface switched to German",
    "Asked whether replies can come in French", "Wants every screen translated into Italian",
    "Their team needs Portuguese language support", "Requested Japanese as the display language",
    "Asked to change the language setting to Dutch", "Needs the assistant to answer in Korean",
    "Wants the product available in Swedish", "Their staff need the app in Polish",
    "Asked for the whole UI in Turkish", "Needs support articles translated into Greek",
]
INVOICE_NOTES = [
    "Finance needs invoices exported to NetSuite monthly", "Asked for invoice export into their accounting system",
    "Billing team wants invoices synced with QuickBooks", "Invoice export to the ERP is blocking the renewal",
    "They want every invoice pushed to NetSuite automatically", "Accounting asked how invoices reach their ledger",
    "Needs invoice data exported as CSV for the auditors", "Controller wants invoices to flow into NetSuite",
]
# needs said in passing on a call, which the shipped probe sets aside: asked for, and only talked about
ASKED_IN_PASSING = ["Any chance of Spanish for the staff?", "Would Japanese work for the Tokyo office?",
                    "Can the auditors get the invoice CSVs?", "Spanish for the staff, please."]
TOLD_IN_PASSING = ["Mostly Korean speakers on our side.", "Japanese would make our Tokyo office happy."]
# notes of one content word (nlp.text.is_thin_note): six alike that form a theme, and two acknowledgements
THIN_NOTES = ["okta", "what about okta", "okta again", "okta?", "okta please", "any okta", "confirmed", "negatory"]


def test_find_themes_notes_of_one_content_word_found_a_theme_only_among_themselves(resources, tmp_path):
    from datetime import date, datetime

    from nlp.embed import embed_texts
    from nlp.records import Document, Role, Source, Turn
    from nlp.text import is_thin_note, segment_document
    from pipelines.mine import NO_THEME_REASONS, find_themes
    from pipelines.settings import Settings
    from pipelines.store import Store

    segments = []
    for i, text in enumerate(LANGUAGE_NOTES + INVOICE_NOTES + THIN_NOTES):
        doc = Document(doc_id=f"N{i:02d}", source=Source.NOTE, created_at=datetime(2026, 10, 1 + i % 20),
                       turns=(Turn("Avery", Role.UNKNOWN, text),), account_id=f"ACC{i % 5}")
        segments += segment_document(doc, resources.split_sentences)
    themeable = [s for s in segments if s.themeable]
    assert len(themeable) == len(segments)  # a note of one content word is no longer set aside as small talk
    vectors = embed_texts(resources.model, [s.text for s in themeable])
    result = find_themes(Store(f"sqlite:///{tmp_path / 'store.db'}"), segments, [s.segment_id for s in themeable],
                         vectors, date(2026, 10, 31), Settings(), None, resources.small_talk_vectors,
                         resources.model.model_id)
    thin = {s.segment_id for s in themeable if is_thin_note(s.text)}
    assert len(thin) == len(THIN_NOTES)
    by_text = {s.text: s.segment_id for s in themeable}
    okta = {by_text[t] for t in THIN_NOTES[:6]}
    # the six okta notes join none of the other themes: they found one of their own, unmistakable and
    # no small talk; the two acknowledgements get no theme
    okta_themes = {result.assignments.get(i) for i in okta}
    assert len(okta_themes) == 1 and None not in okta_themes
    assert not any(v in okta_themes for k, v in result.assignments.items() if k not in okta)
    assert by_text["confirmed"] not in result.assignments and by_text["negatory"] not in result.assignments
    assert all(s.segment_id in result.assignments for s in themeable if s.segment_id not in thin)
    # every segment without a theme says why: here, notes of one content word that no theme took
    assert set(result.no_theme) == {s.segment_id for s in segments} - set(result.assignments)
    assert result.no_theme[by_text["confirmed"]] == NO_THEME_REASONS["one_word"]


# a rep's activity log, written for this test (not from evaluation/activity_*.txt)
ACTIVITY_NOTES = [
    "Left voicemail for Ingrid, will try again Thursday.", "Left a voicemail with Omar's assistant, no callback yet.",
    "Sent the MSA and order form over for signature.", "Sent the signed NDA back to their legal team.",
    "Rescheduled the demo to next Tuesday.", "Moved the kickoff call to Friday afternoon.",
    "Emailed the pricing deck and the case study.", "Sent the recap email with the deck attached.",
    "Booked the onsite visit for next week.", "Left another voicemail, third attempt this month.",
]


def test_find_themes_gives_no_theme_to_a_reps_activity_log(resources, tmp_path):
    """Notes that record the rep's own work ("Left voicemail for Ingrid") found themes of their own without
    the activity-log probe; with it (the default) they get no theme and say why, and the needs keep theirs."""
    from datetime import date, datetime

    from nlp.embed import embed_texts
    from nlp.records import Document, Role, Source, Turn
    from nlp.text import segment_document
    from pipelines.mine import NO_THEME_REASONS, find_themes
    from pipelines.settings import Settings
    from pipelines.store import Store

    segments = []
    for i, text in enumerate(LANGUAGE_NOTES + INVOICE_NOTES + ACTIVITY_NOTES * 2):
        doc = Document(doc_id=f"N{i:02d}", source=Source.NOTE, created_at=datetime(2026, 10, 1 + i % 20),
                       turns=(Turn("Avery", Role.UNKNOWN, text),), account_id=f"ACC{i % 5}")
        segments += segment_document(doc, resources.split_sentences)
    ids = [s.segment_id for s in segments]
    vectors = embed_texts(resources.model, [s.text for s in segments])
    logs = {s.segment_id for s in segments if s.text in ACTIVITY_NOTES}

    def run(name, activity):
        return find_themes(Store(f"sqlite:///{tmp_path / name}"), segments, ids, vectors, date(2026, 10, 31),
                           Settings(), None, resources.small_talk_vectors, resources.model.model_id,
                           activity=activity)

    without = run("off.db", None)
    assert len(logs & set(without.assignments)) >= len(logs) // 2
    result = run("on.db", resources.activity)
    assert resources.activity is not None
    assert not logs & set(result.assignments)
    assert {result.no_theme[i] for i in logs} == {NO_THEME_REASONS["activity"]}
    needs = set(ids) - logs
    assert len(needs & set(result.assignments)) >= len(needs & set(without.assignments))


def test_find_themes_splits_a_bulleted_note_and_gives_the_reps_next_step_no_theme(resources, tmp_path):
    """A note written over several lines lists two needs and the rep's next step: each need joins its own
    theme, and the next-step line, said the same way under note after note, forms none."""
    from datetime import date, datetime

    from nlp.embed import embed_texts
    from nlp.records import Document, Role, Source, Turn
    from nlp.text import segment_document
    from pipelines.mine import NO_THEME_REASONS, find_themes
    from pipelines.settings import Settings
    from pipelines.store import Store

    steps = ["Next steps: send the ROI calculator", "Next steps: book the technical deep dive"]
    segments = []
    for i, (language, invoice) in enumerate(zip(LANGUAGE_NOTES, INVOICE_NOTES)):
        text = f"Call w/ Avery (CFO)\n- {language}.\n- {invoice}.\n- {steps[i % 2]}"
        doc = Document(doc_id=f"N{i:02d}", source=Source.NOTE, created_at=datetime(2026, 10, 1 + i),
                       turns=(Turn("Avery", Role.UNKNOWN, text),), account_id=f"ACC{i % 5}")
        segments += segment_document(doc, resources.split_sentences)
    assert len(segments) == 3 * min(len(LANGUAGE_NOTES), len(INVOICE_NOTES))
    ids = [s.segment_id for s in segments]
    result = find_themes(Store(f"sqlite:///{tmp_path / 's.db'}"), segments, ids,
                         embed_texts(resources.model, [s.text for s in segments]), date(2026, 10, 31), Settings(),
                         None, resources.small_talk_vectors, resources.model.model_id, activity=resources.activity)
    step_ids = {s.segment_id for s in segments if s.text in steps}
    assert not step_ids & set(result.assignments)
    assert {result.no_theme[i] for i in step_ids} == {NO_THEME_REASONS["activity"]}
    by_theme: dict[str, set[str]] = {}
    for s in segments:
        if s.segment_id in result.assignments:
            kind = "language" if any(s.text.endswith(n + ".") for n in LANGUAGE_NOTES) else "invoice"
            by_theme.setdefault(result.assignments[s.segment_id], set()).add(kind)
    assert len(by_theme) >= 2 and all(len(kinds) == 1 for kinds in by_theme.values())


def _calls_with_a_side_turn(resources, needs, side, rep_question):
    """One call per need: the rep asks ``rep_question``, the customer says ``side[i % len(side)]``, then the
    need. Returns (every segment, the themeable ones, their vectors, the ids of the side turns)."""
    from datetime import datetime

    from nlp.embed import embed_texts
    from nlp.records import Document, Role, Source, Turn
    from nlp.text import segment_document

    segments = []
    for i, need in enumerate(needs):
        turns = (Turn("Rep", Role.REP, rep_question, 0.0, 2.0),
                 Turn("Kim", Role.CUSTOMER, side[i % len(side)], 2.0, 4.0),
                 Turn("Rep", Role.REP, "And what else can I help with?", 4.0, 6.0),
                 Turn("Kim", Role.CUSTOMER, need, 6.0, 9.0))
        doc = Document(doc_id=f"C{i:02d}", source=Source.CALL, created_at=datetime(2026, 10, 1 + i), turns=turns)
        segments += segment_document(doc, resources.split_sentences)
    themeable = [s for s in segments if s.themeable]
    vectors = embed_texts(resources.model, [s.text for s in themeable])
    return segments, themeable, vectors, {s.segment_id for s in themeable if s.text in side}


def test_find_themes_sets_slot_answers_on_calls_aside_and_says_why(resources, tmp_path):
    """themes.slot_answers: "window seat near the front", said on call after call, gets no theme; the needs
    keep theirs. Off (the default), the same answers found a theme of their own."""
    from datetime import date

    from pipelines.mine import NO_THEME_REASONS, find_themes
    from pipelines.settings import Settings
    from pipelines.store import Store

    needs = LANGUAGE_NOTES + INVOICE_NOTES
    slots = ["Two adults and one child.", "Window seat near the front.", "The premium package with sports."]
    segments, themeable, vectors, slot_ids = _calls_with_a_side_turn(resources, needs, slots,
                                                                     "Which one would you like?")
    assert len(slot_ids) == len(needs)  # themeable by their words: two or three content words each
    ids = [s.segment_id for s in themeable]
    default = find_themes(Store(f"sqlite:///{tmp_path / 'off.db'}"), segments, ids, vectors, date(2026, 10, 31),
                          Settings(), None, resources.small_talk_vectors, resources.model.model_id)
    assert slot_ids & set(default.assignments)
    on = Settings.model_validate({"themes": {"slot_answers": True}})
    result = find_themes(Store(f"sqlite:///{tmp_path / 'on.db'}"), segments, ids, vectors, date(2026, 10, 31),
                         on, None, resources.small_talk_vectors, resources.model.model_id, resources.parser)
    assert not slot_ids & set(result.assignments)
    assert {result.no_theme[i] for i in slot_ids} == {NO_THEME_REASONS["slot"]}
    assert sum(s.text in needs and s.segment_id in result.assignments for s in themeable) >= len(needs) - 2


def test_find_themes_sets_chit_chat_aside_with_the_small_talk_probe(resources, tmp_path):
    """Chit-chat in words far from every prototype ("I've been binge watching that new detective series"), said on call
    after call, founds a theme when the prototypes alone judge; with the learned probe (the default) it
    gets no theme, and the needs keep theirs."""
    from datetime import date

    from nlp.smalltalk import load_probe
    from pipelines.mine import NO_THEME_REASONS, find_themes
    from pipelines.settings import Settings
    from pipelines.store import Store

    needs = LANGUAGE_NOTES + INVOICE_NOTES
    chat = ["I've been binge watching that new detective series on the weekends.",
            "Honestly the coffee machine in our office broke and morale is at an all-time low."]
    segments, themeable, vectors, chat_ids = _calls_with_a_side_turn(resources, needs, chat, "How's your week going?")
    assert len(chat_ids) == len(needs)
    ids = [s.segment_id for s in themeable]
    off = Settings.model_validate({"themes": {"small_talk_probe": False}})
    before = find_themes(Store(f"sqlite:///{tmp_path / 'off.db'}"), segments, ids, vectors, date(2026, 10, 31),
                         off, None, resources.small_talk_vectors, resources.model.model_id)
    assert chat_ids & set(before.assignments)
    assert resources.probe is not None and resources.probe is load_probe("all-MiniLM-L6-v2")
    result = find_themes(Store(f"sqlite:///{tmp_path / 'on.db'}"), segments, ids, vectors, date(2026, 10, 31),
                         Settings(), None, resources.small_talk_vectors, resources.model.model_id,
                         probe=resources.probe)
    assert not chat_ids & set(result.assignments)
    assert set(result.no_theme[i] for i in chat_ids) == {NO_THEME_REASONS["meaning"]}
    assert sum(s.text in needs and s.segment_id in result.assignments for s in themeable) >= len(needs) - 2


def _themes_on_and_off(resources, tmp_path, knob, segments, themeable, vectors, tagger=None, values=(True, False),
                       others=None):
    """find_themes with the probe, with ``themes.<knob>`` at each of ``values`` (true, then false) and the other
    ``themes`` settings in ``others`` (default: the defaults)."""
    from datetime import date

    from pipelines.mine import find_themes
    from pipelines.settings import Settings
    from pipelines.store import Store

    ids = [s.segment_id for s in themeable]
    return tuple(find_themes(Store(f"sqlite:///{tmp_path / f'{knob}-{value}.db'}"), segments, ids, vectors,
                             date(2026, 10, 31), Settings.model_validate({"themes": {**(others or {}), knob: value}}),
                             None, resources.small_talk_vectors, resources.model.model_id, tagger=tagger,
                             probe=resources.probe)
                 for value in values)


def test_find_themes_clusters_again_without_the_small_talk_its_theme_rules_found(resources, tmp_path):
    """Call logistics the probe lets through ("I'll have to check with my manager on timing") is clustered, and
    the theme rules find it: its themes are small talk. themes.recluster (the default) then clusters the rest
    again without it and says how many it left out; the needs keep their themes either way."""
    from pipelines.mine import NO_THEME_REASONS

    needs = LANGUAGE_NOTES + INVOICE_NOTES
    side = ["I'll have to check with my manager on timing.", "I can give you ten minutes before my next meeting.",
            "Sorry, I'm driving so the line might cut out."]
    segments, themeable, vectors, side_ids = _calls_with_a_side_turn(resources, needs, side, "How are you today?")
    again, once = _themes_on_and_off(resources, tmp_path, "recluster", segments, themeable, vectors)
    found = {i for i, why in again.no_theme.items()
             if why in (NO_THEME_REASONS["meaning"], NO_THEME_REASONS["cluster"])}
    assert len(found & side_ids) >= len(side) and len(found - side_ids) <= 2
    assert 1 <= again.clustering["reclustered_without"] <= len(found)
    assert "reclustered_without" not in once.clustering
    for result in (again, once):
        assert not side_ids & set(result.assignments)
        assert sum(s.text in needs and s.segment_id in result.assignments for s in themeable) >= len(needs) - 2


def test_find_themes_lets_a_request_the_probe_set_aside_rejoin_its_theme(resources, tmp_path, caplog):
    """Needs asked in passing ("Any chance of Spanish for the staff?") read to the probe as chit-chat and are set
    aside before clustering. No small-talk prototype is near them, each lies inside a theme of like needs and
    each is worded as a request: with themes.rejoin_set_aside (the default) they join it. Turns that only talk
    about a theme's subject ("Mostly Korean speakers on our side.") ask for nothing and stay unthemed, as small
    talk that names a need's subject must; off, every one stays unthemed as small talk by meaning. Without a
    spaCy tagger none rejoins, with a warning."""
    import logging

    from pipelines.mine import NO_THEME_REASONS, REJOIN_RULE

    asked = ASKED_IN_PASSING
    told = TOLD_IN_PASSING
    needs = LANGUAGE_NOTES + INVOICE_NOTES + asked + told
    segments, themeable, vectors, _ = _calls_with_a_side_turn(resources, needs, ["Sure, go ahead."], "Shall we start?")
    asked_ids = {s.segment_id for s in themeable if s.text in asked}
    told_ids = {s.segment_id for s in themeable if s.text in told}
    assert resources.tagger is not None  # loaded by load_resources for themes.rejoin_set_aside
    on, off = _themes_on_and_off(resources, tmp_path, "rejoin_set_aside", segments, themeable, vectors,
                                 tagger=resources.tagger, others={"corpus_probe": None})
    assert all(off.no_theme.get(i) == NO_THEME_REASONS["meaning"] for i in asked_ids | told_ids)
    assert asked_ids & set(on.assignments)  # the clearest; the rest stay as the probe said
    assert all(on.no_theme.get(i) == NO_THEME_REASONS["meaning"] for i in told_ids)
    language = {on.assignments.get(s.segment_id) for s in themeable if s.text in LANGUAGE_NOTES} - {None}
    invoice = {on.assignments.get(s.segment_id) for s in themeable if s.text in INVOICE_NOTES} - {None}
    for s in themeable:
        if s.segment_id in asked_ids and s.segment_id in on.assignments:
            assert on.assignments[s.segment_id] in (invoice if "invoice" in s.text else language)
    assert on.clustering["rejoined"] == len(asked_ids & set(on.assignments))
    assert on.clustering["rules"]["rejoin_set_aside"] == REJOIN_RULE and "rejoin_set_aside" not in off.clustering["rules"]
    with caplog.at_level(logging.WARNING, logger="pipelines.mine"):
        untagged, _ = _themes_on_and_off(resources, tmp_path / "untagged", "rejoin_set_aside", segments, themeable,
                                         vectors, others={"corpus_probe": None})
    assert not (asked_ids | told_ids) & set(untagged.assignments) and "rejoined" not in untagged.clustering
    assert "no spaCy English pipeline" in caplog.text


def test_find_themes_lets_a_turn_like_this_corpus_needs_rejoin_its_theme(resources, tmp_path):
    """Needs said in passing that the shipped probe sets aside ("Any chance of Spanish for the staff?") read, to a
    classifier learnt from this corpus's own themed turns against its set-aside ones, like its needs: with
    themes.corpus_probe (0.5 by default) they join the theme they lie in, the right one; the small talk set aside
    beside them stays unthemed; the run records the rule and how many joined. Off, each stays unthemed."""
    from pipelines.mine import CORPUS_PROBE_RULE, NO_THEME_REASONS

    asked = ASKED_IN_PASSING
    told = TOLD_IN_PASSING
    side = ["Sorry, the dog is barking in the background.", "Ha, yeah, the weather has been wild lately.",
            "I'm just grabbing a pen, one second.", "My kids are off school this week so it's chaos here.",
            "Oh nice, I used to live near there actually.", "Can you hear me okay? I'm on the train."]
    needs = LANGUAGE_NOTES + INVOICE_NOTES + asked + told
    segments, themeable, vectors, side_ids = _calls_with_a_side_turn(resources, needs, side, "How are you?")
    passing = {s.segment_id: s.text for s in themeable if s.text in asked + told}
    on, off = _themes_on_and_off(resources, tmp_path, "corpus_probe", segments, themeable, vectors,
                                 values=(0.5, None), others={"rejoin_set_aside": False})
    assert all(off.no_theme.get(i) == NO_THEME_REASONS["meaning"] for i in passing)
    joined = set(passing) & set(on.assignments)
    # a corpus this small teaches its classifier little (tests/nlp/test_smalltalk.py has one that learns more):
    # the clearest joins
    assert len(joined) >= 1 and on.clustering["rejoined_by_corpus"] == len(joined)
    language = {on.assignments.get(s.segment_id) for s in themeable if s.text in LANGUAGE_NOTES} - {None}
    invoice = {on.assignments.get(s.segment_id) for s in themeable if s.text in INVOICE_NOTES} - {None}
    for i in joined:
        assert on.assignments[i] in (invoice if "invoice" in passing[i] else language), passing[i]
    assert not side_ids & set(on.assignments) and not side_ids & set(off.assignments)
    assert on.clustering["rules"]["corpus_probe"] == f"{CORPUS_PROBE_RULE}: 0.5"
    assert "corpus_probe" not in off.clustering["rules"] and "rejoined_by_corpus" not in off.clustering


def test_find_themes_reads_the_vectors_through_the_intent_map_when_asked(resources, tmp_path):
    """themes.intent_projection (opt-in) clusters MiniLM's vectors through its intent map: the run's rules name the
    map, so a run without it clusters everything again; the needs keep their themes either way."""
    needs = LANGUAGE_NOTES + INVOICE_NOTES
    segments, themeable, vectors, _ = _calls_with_a_side_turn(resources, needs, ["Sure, go ahead."], "Shall we start?")
    on, off = _themes_on_and_off(resources, tmp_path, "intent_projection", segments, themeable, vectors)
    assert on.clustering["rules"]["intent_projection"].startswith("intent.v1")
    assert on.clustering["rules"]["granularity"] == 0.18
    assert "intent_projection" not in off.clustering["rules"] and off.clustering["rules"]["granularity"] == 0.23
    for result in (on, off):
        language = {result.assignments.get(s.segment_id) for s in themeable if s.text in LANGUAGE_NOTES}
        invoice = {result.assignments.get(s.segment_id) for s in themeable if s.text in INVOICE_NOTES}
        assert len(language - {None}) == 1 and len(invoice - {None}) == 1 and not language & invoice - {None}
        assert sum(s.text in needs and s.segment_id in result.assignments for s in themeable) >= len(needs) - 2


def test_find_themes_scales_the_cut_to_the_corpus_when_asked(resources, tmp_path):
    """themes.scale_granularity (opt-in) carries the model's cut to this corpus's geometry: the run's rules name the
    reference it scales from, so a run without it clusters everything again; the needs keep their themes."""
    from nlp.embed import MODELS

    needs = LANGUAGE_NOTES + INVOICE_NOTES
    segments, themeable, vectors, _ = _calls_with_a_side_turn(resources, needs, ["Sure, go ahead."], "Shall we start?")
    on, off = _themes_on_and_off(resources, tmp_path, "scale_granularity", segments, themeable, vectors)
    assert on.clustering["rules"]["granularity_scaled_from"] == MODELS["all-MiniLM-L6-v2"].reference_mean_norm
    assert "granularity_scaled_from" not in off.clustering["rules"]
    for result in (on, off):
        language = {result.assignments.get(s.segment_id) for s in themeable if s.text in LANGUAGE_NOTES}
        invoice = {result.assignments.get(s.segment_id) for s in themeable if s.text in INVOICE_NOTES}
        assert len(language - {None}) == 1 and len(invoice - {None}) == 1 and not language & invoice - {None}


def _theme_result_of(groups, as_of):
    """A ThemeResult of synthetic notes: ``groups`` maps a theme id to (recent, baseline) document counts, beside
    180 documents of no theme spread over the 112 days before ``as_of``; each theme's trend measured as mine does."""
    from datetime import datetime, timedelta

    import numpy as np

    from nlp.records import Role, Segment, Source, Theme
    from nlp.trends import TrendParams, measure_trend
    from pipelines.mine import ThemeResult, _docs_per_day, _theme_mentions

    segments, members = [], {}
    for n in range(180):
        when = datetime.combine(as_of - timedelta(days=n * 112 // 180), datetime.min.time())
        segments.append(Segment(f"B{n}#1", f"B{n}", Source.NOTE, "", Role.UNKNOWN, when, "other", account_id=f"A{n}"))
    for tid, (recent, baseline) in groups.items():
        ids = []
        for n in range(recent + baseline):
            days = n * 27 // max(recent, 1) if n < recent else 28 + (n - recent) * 83 // max(baseline, 1)
            when = datetime.combine(as_of - timedelta(days=days), datetime.min.time())
            segments.append(Segment(f"{tid}{n}#1", f"{tid}{n}", Source.NOTE, "", Role.UNKNOWN, when, "need",
                                    account_id=f"{tid}-A{n}"))
            ids.append(f"{tid}{n}#1")
        members[tid] = ids
    by_id = {s.segment_id: s for s in segments}
    days = _docs_per_day(segments)
    themes = []
    for tid, ids in members.items():
        trend, status, _ = measure_trend(_theme_mentions([by_id[i] for i in ids]), days, as_of, TrendParams())
        themes.append(Theme(tid, tid, (), len(ids), 0.0, as_of, as_of, status, trend, None, (), tuple(ids)))
    k = len(themes)
    return ThemeResult(tuple(themes), np.eye(k, 4, dtype=np.float32), tuple(np.zeros((1, 4)) for _ in themes), {},
                       tuple(segments), tuple(s.segment_id for s in segments), np.zeros((len(segments), 4)), (), {},
                       as_of)


def test_themes_that_match_one_refusal_rise_together_and_others_do_not():
    """Two themes the strategy says no to, each too small to rise alone, rise as one; the same two matched to a
    covering statement, or to two different refusals, keep their own status."""
    from datetime import date

    from nlp.records import StatementKind, ThemeMatch
    from nlp.records import ThemeStatus as status
    from pipelines.mine import _pool_refused_trends
    from pipelines.settings import Settings

    result = _theme_result_of({"T1": (5, 2), "T2": (5, 2), "T3": (5, 2)}, date(2026, 10, 31))
    assert {t.status for t in result.themes} == {status.STABLE}
    refusal = ThemeMatch("no-on-prem", StatementKind.NON_TARGET, 0.6)
    themes, groups = _pool_refused_trends(result, [refusal, refusal, None], Settings())
    assert groups == [[0, 1]]
    assert [t.status for t in themes] == [status.GROWING, status.GROWING, status.STABLE]
    covered = ThemeMatch("sso", StatementKind.VALUE, 0.6)
    assert _pool_refused_trends(result, [covered, covered, None], Settings()) == (list(result.themes), [])
    other = ThemeMatch("no-consulting", StatementKind.NON_TARGET, 0.6)
    assert _pool_refused_trends(result, [refusal, other, None], Settings()) == (list(result.themes), [])
