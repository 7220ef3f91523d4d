"""Tests of nlp.intent_space: the learnt map of a model's vectors that the clusterer reads."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.cluster import cluster_embeddings
from nlp.intent_space import DEFAULT_DIMS, learn_projection, load_projection


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _needs_and_wordings(seed: int = 0, per_need: int = 30, dim: int = 32):
    """Eight needs that differ along four axes (a seeded turn of them), their wordings scattered five times
    farther along the other axes."""
    rng = np.random.default_rng(seed)
    turn, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    centres = np.zeros((8, dim))
    centres[:, :4] = np.vstack([turn, -turn])
    labels = np.repeat(np.arange(8), per_need)
    noise = rng.normal(scale=0.1, size=(labels.size, dim))
    noise[:, 4:] *= 5.0  # wording: large, along the axes that do not tell needs apart
    return _unit(centres[labels] + noise + 1.0), labels


def _separation(z: np.ndarray, labels: np.ndarray) -> float:
    """Mean cosine within a need minus mean cosine between needs (centred, normalised)."""
    z = _unit(z - z.mean(axis=0))
    c = z @ z.T
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(labels.size, dtype=bool)
    return float(c[same & off].mean() - c[~same].mean())


def test_learn_projection_weighs_the_axes_that_tell_needs_apart() -> None:
    x, y = _needs_and_wordings()
    p = learn_projection(x, y, shrinkage=1.0, dims=6)
    assert p.shape == (x.shape[1], 6) and p.dtype == np.float32
    np.testing.assert_array_equal(p, learn_projection(x, y, shrinkage=1.0, dims=6))  # deterministic, signs fixed
    held, held_y = _needs_and_wordings(seed=1)  # other needs, the same kind of wording
    assert _separation(held @ p, held_y) > _separation(held, held_y) + 0.2


def test_cluster_embeddings_through_the_map_finds_needs_hidden_by_wording() -> None:
    from sklearn.metrics import adjusted_rand_score

    x, y = _needs_and_wordings()
    held, held_y = _needs_and_wordings(seed=1)
    p = learn_projection(x, y, shrinkage=1.0, dims=6)
    plain = adjusted_rand_score(held_y, cluster_embeddings(held))
    mapped = adjusted_rand_score(held_y, cluster_embeddings(held, projection=p))
    assert mapped > 0.8 and plain < 0.2


@pytest.mark.parametrize("kwargs, match", [
    ({"dims": 0}, "dims"), ({"dims": 33}, "dims"), ({"shrinkage": 0.0}, "shrinkage"),
])
def test_learn_projection_rejects_settings_out_of_range(kwargs, match) -> None:
    x, y = _needs_and_wordings()
    with pytest.raises(ValueError, match=match):
        learn_projection(x, y, **kwargs)


def test_learn_projection_rejects_labels_that_cannot_teach() -> None:
    x, y = _needs_and_wordings()
    with pytest.raises(ValueError, match="one label per vector"):
        learn_projection(x, y[:-1])
    with pytest.raises(ValueError, match="two labels"):
        learn_projection(x, np.zeros(len(y)), dims=6)


def test_cluster_embeddings_rejects_a_map_of_another_width() -> None:
    x, _ = _needs_and_wordings()
    with pytest.raises(ValueError, match="load the map of the model"):
        cluster_embeddings(x, projection=np.eye(16, dtype=np.float32))


def test_a_map_ships_for_every_packaged_model() -> None:
    from nlp.embed import MODELS

    for key, spec in MODELS.items():
        proj = load_projection(key)
        assert proj is not None, f"no intent map for {key}: run python -m evaluation.intent_projection"
        assert proj.matrix.shape == (spec.dimension, DEFAULT_DIMS) and np.isfinite(proj.matrix).all()
        assert "clinc150 train" in proj.version
    assert load_projection("no-such-model") is None


def test_the_clusterer_reads_a_map_only_for_models_with_a_cut_measured_for_it() -> None:
    from nlp.embed import MODELS
    from nlp.intent_space import model_projection

    np.testing.assert_array_equal(model_projection("all-MiniLM-L6-v2").matrix, load_projection("all-MiniLM-L6-v2").matrix)
    assert MODELS["all-mpnet-base-v2"].projected_granularity is None
    assert model_projection("all-mpnet-base-v2") is None and model_projection("no-such-model") is None


def test_load_projection_names_the_file_and_the_fix_when_it_is_not_a_map(tmp_path) -> None:
    bad = tmp_path / "map.npz"
    np.savez(bad, other=np.zeros(3))
    with pytest.raises(ValueError, match="map.npz.*evaluation.intent_projection"):
        load_projection("all-MiniLM-L6-v2", bad)
    assert load_projection("all-MiniLM-L6-v2", tmp_path / "missing.npz") is None


def test_the_shipped_map_brings_one_need_s_wordings_together(embedding_model) -> None:
    """Four needs, each in five wordings: through the map a need's wordings lie closer together, against the same
    wording of other needs, than in the vectors as they are."""
    from nlp.embed import embed_texts

    needs = ["cancel my subscription", "update my billing address", "reset my password", "add a user to our account"]
    styles = ["Hi, could you please help me {}?", "{} now", "I need to {} as soon as possible",
              "hey, I was wondering whether I can {}, thanks so much", "How do I {}?"]
    x = embed_texts(embedding_model, [s.format(n) for n in needs for s in styles])
    need = np.repeat(np.arange(len(needs)), len(styles))
    style = np.tile(np.arange(len(styles)), len(needs))
    p = load_projection("all-MiniLM-L6-v2").matrix

    def margin(z: np.ndarray) -> float:
        z = _unit(z)
        c = z @ z.T
        return float(c[(need[:, None] == need) & (style[:, None] != style)].mean()
                     - c[(need[:, None] != need) & (style[:, None] == style)].mean())

    centred = x - x.mean(axis=0)
    assert margin(centred @ p) > margin(centred)
