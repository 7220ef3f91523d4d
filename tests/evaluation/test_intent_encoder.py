"""The fine-tuning trial's measure on unseen domains runs end to end on a tiny clinc150-shaped folder."""

from __future__ import annotations

import json

from evaluation.intent_encoder import folds

QUERIES = {
    "balance": ["what is my balance", "how much money do i have", "check my balance", "balance in my account"],
    "transfer": ["send money to my mother", "transfer 50 dollars", "move funds to savings", "wire money abroad"],
    "book_flight": ["book a flight to rome", "i need a plane ticket", "get me a flight", "fly me to paris"],
    "book_hotel": ["book a hotel room", "find me a hotel", "reserve a room in a hotel", "i need a hotel"],
    "timer": ["set a timer", "start a timer for ten minutes", "timer for five minutes", "countdown for an hour"],
    "alarm": ["wake me at six", "set an alarm", "alarm for seven am", "i need an alarm tomorrow"],
}


def test_folds_score_minilm_and_the_trained_network_on_the_held_out_domain(tmp_path) -> None:
    domains = {"banking": ["balance", "transfer"], "travel": ["book_flight", "book_hotel"],
               "utility": ["timer", "alarm"]}
    (tmp_path / "domains.json").write_text(json.dumps(domains))
    rows = [[q, intent] for intent, qs in QUERIES.items() for q in qs]
    (tmp_path / "data_full.json").write_text(json.dumps({"train": rows, "val": rows}))
    report = folds(tmp_path, pairs=(("banking",),), cuts=(0.24,), steps=2, batch=4)
    scores = report["banking"]
    assert set(scores) == {"minilm", "tuned"}
    assert set(scores["minilm"]) == set(scores["tuned"]) == {"together @ 0.24", "banking-40 @ 0.24", "val @ 0.24"}
    for arm in scores.values():
        for r in arm.values():
            assert 0.0 <= r["nmi"] <= 1.0 and -1.0 <= r["ari"] <= 1.0 and r["themes"] >= 0
