"""The intent map's trainer and its measure on unseen domains (no clinc150 text needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evaluation.intent_projection import _zipf, map_without


def test_zipf_sizes_fall_with_rank_within_bounds() -> None:
    labels = np.repeat([f"i{k}" for k in range(15)], 100)
    rows = _zipf(labels, sorted(set(labels)), seed=1)
    sizes = sorted(np.unique(labels[rows], return_counts=True)[1], reverse=True)
    assert sizes[0] == 100 and sizes[-1] >= 3 and len(sizes) == 15
    assert sizes == sorted(sizes, reverse=True) and len(set(rows)) == len(rows)
    np.testing.assert_array_equal(rows, _zipf(labels, sorted(set(labels)), seed=1))


def test_map_without_names_the_domains_there_are(tmp_path) -> None:
    (tmp_path / "domains.json").write_text(json.dumps({"banking": ["balance"], "travel": ["book_flight"]}))
    with pytest.raises(ValueError, match="no clinc150 domain bankin.*banking, travel"):
        map_without(tmp_path, {"bankin"}, "all-MiniLM-L6-v2", tmp_path)
