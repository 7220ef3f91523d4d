"""Tests of nlp.smalltalk: themes that are small talk by meaning."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embed import embed_texts
from nlp.smalltalk import (
    SMALL_TALK_PROTOTYPES,
    prototype_similarity,
    small_talk_members,
    small_talk_segments,
    small_talk_themes,
)


def test_small_talk_prototypes_are_distinct_short_lines() -> None:
    assert len(set(SMALL_TALK_PROTOTYPES)) == len(SMALL_TALK_PROTOTYPES)
    assert all(0 < len(p) <= 80 for p in SMALL_TALK_PROTOTYPES)


def test_prototype_similarity_is_the_nearest_prototypes_cosine() -> None:
    protos = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    x = np.array([[1.0, 0.0], [0.6, 0.8], [-1.0, 0.0]], dtype=np.float32)
    assert prototype_similarity(x, protos) == pytest.approx([1.0, 0.8, 0.0])


def test_prototype_similarity_without_prototypes_is_minus_one() -> None:
    x = np.ones((2, 3), dtype=np.float32) / np.sqrt(3)
    assert prototype_similarity(x, np.zeros((0, 3), np.float32)).tolist() == [-1.0, -1.0]


def test_prototype_similarity_rejects_other_widths() -> None:
    with pytest.raises(ValueError, match="same width"):
        prototype_similarity(np.ones((2, 3)), np.ones((2, 4)))


@pytest.mark.parametrize(
    "labels, similarity, expected",
    [
        # cluster 0: 2 of 3 near small talk; cluster 1: 1 of 3 -> only 0 goes
        ([0, 0, 0, 1, 1, 1], [0.9, 0.6, 0.1, 0.7, 0.2, 0.1], [0]),
        # exactly half near small talk is enough (min_share 0.5)
        ([0, 0, 1, 1], [0.5, 0.4, 0.1, 0.1], [0]),
        # noise (-1) is never a theme, however close to small talk
        ([-1, -1, 0, 0], [0.9, 0.9, 0.1, 0.2], []),
        # nothing clustered at all
        ([-1, -1], [0.9, 0.9], []),
    ],
)
def test_small_talk_themes_table(labels, similarity, expected) -> None:
    out = small_talk_themes(np.array(labels), np.array(similarity), threshold=0.5, min_share=0.5)
    assert out.tolist() == expected


def test_a_theme_worded_as_needs_is_never_small_talk() -> None:
    # both clusters lie near the prototypes; a quarter of cluster 1's members ask for something
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    near = np.full(8, 0.9)
    need_like = np.array([0, 0, 0, 0, 1, 0, 0, 0], dtype=bool)
    assert small_talk_themes(labels, near, need_like=need_like).tolist() == [0]
    assert small_talk_themes(labels, near, need_like=need_like, max_need_share=0.5).tolist() == [0, 1]
    with pytest.raises(ValueError, match="need_like needs one value per segment"):
        small_talk_themes(labels, near, need_like=need_like[:3])


def test_small_talk_themes_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="one value per segment"):
        small_talk_themes(np.array([0, 0]), np.array([0.1]))
    with pytest.raises(ValueError, match="min_share"):
        small_talk_themes(np.array([0]), np.array([0.1]), min_share=0.0)


def test_small_talk_themes_with_the_real_model_drops_chit_chat_keeps_needs(embedding_model) -> None:
    # Not among the prototypes: a theme of greetings, logistics and chit-chat and a theme of a need.
    # (Behaviour, not generalisation: evaluation/calls_dev.py --small-talk heldout measures that.)
    chit_chat = ["Finally some sunshine after all that rain.", "We had such a nice barbecue on Sunday.",
                 "Hi all, thanks for making the time.", "Could you say that once more?",
                 "Thanks so much, have a lovely evening."]
    need = ["Our invoices take three weeks to get approved.", "Approvals for supplier invoices are far too slow.",
            "Invoice approval is the bottleneck in our month-end close.",
            "We need invoices approved without chasing managers by email.",
            "The approval chain for invoices keeps getting stuck."]
    vectors = embed_texts(embedding_model, chit_chat + need)
    protos = embed_texts(embedding_model, list(SMALL_TALK_PROTOTYPES))
    labels = np.array([0] * 5 + [1] * 5)
    assert small_talk_themes(labels, prototype_similarity(vectors, protos)).tolist() == [0]


def test_small_talk_segments_asks_more_of_longer_and_need_like_segments() -> None:
    sim = np.array([0.46, 0.46, 0.52, 0.52, 0.58, 0.61, 0.52, 0.61])
    counts = np.array([2, 3, 3, 5, 9, 9, 2, 2])
    need = np.array([False] * 6 + [True, True])
    out = small_talk_segments(sim, counts, need_like=need, thresholds={2: 0.45, 3: 0.5}, threshold_any=0.6,
                              need_margin=0.1)
    # 2 words at 0.46: yes; 3 words at 0.46: no; 3 at 0.52: yes; 5 and 9 words need 0.6;
    # worded as a need, 2 words need 0.55
    assert out.tolist() == [True, False, True, False, False, True, False, True]


def test_small_talk_segments_checks_lengths() -> None:
    with pytest.raises(ValueError, match="one value per segment"):
        small_talk_segments(np.array([0.1, 0.2]), [2])
    with pytest.raises(ValueError, match="need_like"):
        small_talk_segments(np.array([0.1, 0.2]), [2, 2], need_like=[True])


def test_small_talk_members_leave_a_theme_they_are_far_from() -> None:
    # theme 0: three members along x, one member off towards a prototype; noise stays noise
    x = np.array([[1.0, 0.0], [0.99, 0.14], [0.99, -0.14], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = np.array([0.1, 0.1, 0.1, 0.9, 0.9])
    labels = np.array([0, 0, 0, 0, -1])
    assert small_talk_members(labels, x, sim, threshold=0.45).tolist() == [False, False, False, True, False]
    # under the threshold nothing leaves
    assert not small_talk_members(labels, x, sim * 0.4, threshold=0.45).any()


def test_small_talk_segments_with_the_real_model(embedding_model) -> None:
    # Not among the prototypes; short small talk goes, needs (short or long) stay.
    from nlp.text import content_words, states_a_need

    texts = ["Ugh, my wifi keeps dropping.", "Can you hear me alright now?", "Thanks so much, bye now.",
             "Our invoices take three weeks to get approved.", "We need SSO with Okta before renewal.",
             "How do I export my reports to Excel?"]
    sim = prototype_similarity(embed_texts(embedding_model, texts),
                               embed_texts(embedding_model, list(SMALL_TALK_PROTOTYPES)))
    out = small_talk_segments(sim, [len(content_words(t)) for t in texts],
                              need_like=[states_a_need(t) for t in texts])
    assert not out[3:].any()


def test_small_talk_segments_catches_lower_case_chat(embedding_model) -> None:
    # Not among the prototypes (smalltalk.v4): device models, a time ago and chit-chat typed in
    # lower case are small talk; needs about phones and past days stay.
    from nlp.text import content_words, states_a_need

    texts = ["galaxy s22 plus", "pixel 7 pro", "like three days ago", "been a crazy long day lol",
             "track down my phone for me", "please order an iphone7 for me", "can you find my iphone",
             "what have i spent over the last few days"]
    sim = prototype_similarity(embed_texts(embedding_model, texts),
                               embed_texts(embedding_model, list(SMALL_TALK_PROTOTYPES)))
    out = small_talk_segments(sim, [len(content_words(t)) for t in texts],
                              need_like=[states_a_need(t) for t in texts])
    assert out.tolist() == [True] * 4 + [False] * 4


# --- the learned probe (nlp/smalltalk_probe.json, evaluation/smalltalk_probe.py) ---------------------------


def test_a_probe_ships_for_every_packaged_model() -> None:
    from nlp.embed import MODELS
    from nlp.smalltalk import load_probe

    for key, spec in MODELS.items():
        probe = load_probe(key)
        assert probe is not None, f"no small-talk probe for {key}: run python -m evaluation.smalltalk_probe"
        assert probe.coef.shape == (spec.dimension,) and np.isfinite(probe.coef).all()
    assert load_probe("no-such-model") is None


def test_load_probe_names_the_file_and_the_fix_when_it_is_not_a_probe(tmp_path) -> None:
    from nlp.smalltalk import load_probe

    bad = tmp_path / "probe.json"
    bad.write_text('{"models": {"all-MiniLM-L6-v2": {"coef": [0.1]}}}')
    with pytest.raises(ValueError, match="probe.json.*evaluation.smalltalk_probe"):
        load_probe("all-MiniLM-L6-v2", bad)
    assert load_probe("all-MiniLM-L6-v2", tmp_path / "missing.json") is None


def test_probability_rejects_vectors_of_another_model() -> None:
    from nlp.smalltalk import SmallTalkProbe

    probe = SmallTalkProbe("m", np.zeros(3, np.float32), 0.0, "probe.test")
    assert probe.probability(np.zeros((2, 3))).tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="3-d vectors"):
        probe.probability(np.zeros((2, 4)))


def test_small_talk_by_probe_asks_more_of_a_segment_worded_as_a_need() -> None:
    from nlp.smalltalk import small_talk_by_probe

    p = np.array([0.95, 0.8, 0.8, 0.5], dtype=np.float32)
    assert small_talk_by_probe(p).tolist() == [True, True, True, False]
    assert small_talk_by_probe(p, [True, True, False, False]).tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="one value per segment"):
        small_talk_by_probe(p, [True])


PROBE_SMALL_TALK = [
    "Crazy weather we're having, it has not stopped raining since Sunday.",
    "Bear with me, I'm just finding the email now.",
    "Ha, no, I'm not much of a football person.",
    "the blue one in a size ten",
    "Sorry, you cut out for a second there, could you say that again?",
]
PROBE_NEEDS = [
    "I need to change the PIN on my debit card.",
    "Hi there, can you tell me what my account balance is? Thanks.",
    "Our finance team wants invoices exported to NetSuite every month.",
    "My package still hasn't arrived and it was due last week.",
    "How do I add a second driver to my car insurance?",
]


def test_the_probe_with_the_real_model_tells_chit_chat_from_needs(embedding_model) -> None:
    """Turns far from every prototype: chit-chat in new words, a detail given in answer."""
    from nlp.smalltalk import load_probe, small_talk_by_probe
    from nlp.text import states_a_need

    probe = load_probe("all-MiniLM-L6-v2")
    texts = PROBE_SMALL_TALK + PROBE_NEEDS
    p = probe.probability(embed_texts(embedding_model, texts))
    aside = small_talk_by_probe(p, [states_a_need(t) for t in texts])
    assert aside.tolist() == [True] * len(PROBE_SMALL_TALK) + [False] * len(PROBE_NEEDS), dict(zip(texts, p.round(2)))


def test_small_talk_by_probe_takes_a_bar_per_count_of_content_words() -> None:
    from nlp.smalltalk import small_talk_by_probe

    p = np.array([0.4, 0.4, 0.95], dtype=np.float32)
    assert small_talk_by_probe(p, content_word_counts=[1, 2, 1], thresholds={1: 0.3}).tolist() == [True, False, True]
    # a turn worded as a need still asks the need's bar
    assert small_talk_by_probe(p, [True, False, True], content_word_counts=[1, 2, 1],
                               thresholds={1: 0.3}).tolist() == [False, False, True]
    with pytest.raises(ValueError, match="content_word_counts"):
        small_talk_by_probe(p, content_word_counts=[1], thresholds={1: 0.3})


#: One company's needs as its calls themed them, the small talk its calls set aside, and needs of the same company
#: that the shipped probe set aside too (said in passing, in words like none of its training needs).
CORPUS_THEMED = [
    "The hail took half the shingles off our roof and I need to file a claim.",
    "I want to claim for the roof damage from Tuesday's storm.",
    "How do I start a claim for storm damage to the house?",
    "Our fence blew down in the storm, is that covered by the policy?",
    "Can I get an adjuster out to look at the roof this week?",
    "I need to add my daughter to the car policy, she just passed her test.",
    "How much more would it cost to add a young driver to my auto insurance?",
    "Please put my son on the car insurance from next month.",
    "What's the deductible if I claim for the water damage in the basement?",
    "The basement flooded and I need someone to assess the water damage.",
]
CORPUS_ASIDE_SMALL_TALK = [
    "Oh it's been a long week, you know how it is.",
    "Sorry, the dog is barking in the background.",
    "Ha, yeah, the weather has been wild lately.",
    "No worries at all, take your time.",
    "I'm just grabbing a pen, one second.",
    "Great, that's lovely, thanks so much.",
    "My kids are off school this week so it's chaos here.",
    "Sure, I can hold for a minute.",
    "Oh nice, I used to live near there actually.",
    "Can you hear me okay? I'm on the train.",
]
CORPUS_ASIDE_NEEDS = [
    "so the roof thing, the shingles, from the hail",
    "yeah and the daughter on the car policy as well",
]


def test_corpus_need_scores_learn_this_corpus_needs_out_of_fold(embedding_model) -> None:
    """Set-aside turns that read like this corpus's themed needs score above 0.5, its small talk below; the
    themed rows themselves score 0. Deterministic; too few of either kind learns nothing."""
    from nlp.smalltalk import corpus_need_scores

    texts = CORPUS_THEMED + CORPUS_ASIDE_SMALL_TALK + CORPUS_ASIDE_NEEDS
    vectors = embed_texts(embedding_model, texts)
    themed = np.arange(len(texts)) < len(CORPUS_THEMED)
    scores = corpus_need_scores(vectors, themed, ~themed)
    small = slice(len(CORPUS_THEMED), len(CORPUS_THEMED) + len(CORPUS_ASIDE_SMALL_TALK))
    assert (scores[themed] == 0).all()
    assert (scores[small] < 0.5).all(), dict(zip(CORPUS_ASIDE_SMALL_TALK, scores[small].round(2)))
    assert (scores[-len(CORPUS_ASIDE_NEEDS):] >= 0.5).all(), scores[-len(CORPUS_ASIDE_NEEDS):].round(2)
    np.testing.assert_array_equal(scores, corpus_need_scores(vectors, themed, ~themed))
    few = np.zeros(len(texts), dtype=bool)
    few[len(CORPUS_THEMED):len(CORPUS_THEMED) + 3] = True
    assert not corpus_need_scores(vectors, themed, few).any()
    with pytest.raises(ValueError, match="one value per row"):
        corpus_need_scores(vectors, themed[:-1], ~themed)
