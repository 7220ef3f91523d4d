"""The shapes harness's own scoring (no clinc150, no model)."""

from __future__ import annotations

import numpy as np

from evaluation.shapes_eval import small_intents_kept


def test_a_small_intent_is_kept_when_a_theme_holds_half_of_it_as_its_majority() -> None:
    gold = np.array(["big"] * 20 + ["kept"] * 6 + ["split"] * 6 + ["swallowed"] * 6 + ["tiny"] * 3)
    labels = np.array([0] * 20          # big: its own theme, not small
                      + [1] * 5 + [-1]  # kept: 5 of 6 in theme 1, which it is the majority of
                      + [2, 2, 3, 3, 4, 4]  # split in thirds: no theme holds half of it
                      + [0] * 6         # swallowed by big's theme: there it is no majority
                      + [5] * 3)        # tiny: fewer than 5 queries, not counted
    assert small_intents_kept(gold, labels) == (1, 3)


def test_noise_is_no_theme_for_a_small_intent() -> None:
    gold = np.array(["a"] * 6)
    assert small_intents_kept(gold, np.full(6, -1)) == (0, 1)
