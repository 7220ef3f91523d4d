"""nlp/embed.py: both back ends give float32, unit-length vectors in input order, and agree."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embed import DEFAULT_BACKEND, Backend, embed_pooled, embed_texts, load_model, text_hash

SENTENCES = [
    "We need two-way sync with NetSuite before we can sign.",
    "How do I locate my card?",
    "Month-end close is always held up by reconciling the AP subledger.",
    "The approval workflow has to route invoices over 10k to the CFO.",
    "Can you tell me the weather in Boston tomorrow?",
    "I still have not received my new card, I ordered over a week ago.",
    "Pricing per invoice is too high for our volume.",
    "ok",
]


@pytest.fixture(scope="module", params=list(Backend), ids=lambda b: b.value)
def model(request, tmp_path_factory):
    return load_model(backend=request.param, cache_dir=_cache_dir(tmp_path_factory))


def _cache_dir(tmp_path_factory):
    import os

    env = os.environ.get("GROUNDSWELL_MODEL_CACHE")  # reuse an export made before: it takes ~10 s
    return env or tmp_path_factory.getbasetemp() / "models"


def test_embed_texts_returns_unit_float32_rows(model):
    vecs = embed_texts(model, SENTENCES)
    assert vecs.dtype == np.float32
    assert vecs.shape == (len(SENTENCES), model.dimension) == (len(SENTENCES), 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_embed_texts_empty_input_gives_zero_rows(model):
    vecs = embed_texts(model, [])
    assert vecs.shape == (0, 384) and vecs.dtype == np.float32


@pytest.mark.parametrize("batch_size", [1, 3, 64])  # one per batch, ragged batches, one batch
def test_embed_texts_keeps_input_order_whatever_the_batching(model, batch_size):
    one_by_one = np.stack([embed_texts(model, [s])[0] for s in SENTENCES])
    together = embed_texts(model, SENTENCES, batch_size=batch_size)
    cos = np.sum(one_by_one * together, axis=1)
    if model.backend is Backend.TORCH:
        assert cos.min() > 0.999  # padding does not change a vector
    else:  # int8 activations are quantised per batch: batch-mates move a vector a little
        assert cos.mean() > 0.98 and cos.min() > 0.93


def test_one_pass_gives_each_pooling_as_asked_alone(model):
    pooled = embed_pooled(model, SENTENCES)
    assert set(pooled) == set(model.poolings) == {"mean", "text"}  # MiniLM's clusterer reads the text's own tokens
    np.testing.assert_allclose(pooled["mean"], embed_texts(model, SENTENCES), atol=1e-6)
    np.testing.assert_allclose(pooled["text"], embed_texts(model, SENTENCES, pooling="text"), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(pooled["text"], axis=1), 1.0, atol=1e-5)
    cos = np.sum(pooled["mean"] * pooled["text"], axis=1)
    assert 0.5 < cos.min() and cos.max() < 0.9999  # the markers' outputs weigh most in a short text ("ok")
    assert model.vectors_id("mean") == model.model_id and model.vectors_id("text") == model.model_id + "/pool-text"


def test_the_tokenizer_puts_its_markers_first_and_last(model):
    """The "text" pooling leaves out a text's first and last token vectors: they must be the tokenizer's markers."""
    for enc in model.tokenizer.encode_batch(SENTENCES + ["", "word " * 400]):  # empty, and cut at the maximum
        mask = list(enc.special_tokens_mask)
        assert mask[0] == mask[-1] == 1 and not any(mask[1:-1])


def test_unknown_pooling_is_refused(model):
    with pytest.raises(ValueError, match="unknown pooling 'max'; use one of mean, text"):
        embed_pooled(model, SENTENCES, poolings=("max",))


def test_onnx_int8_agrees_with_torch_fp32(tmp_path_factory):
    cache = _cache_dir(tmp_path_factory)
    ref = embed_pooled(load_model(backend=Backend.TORCH), SENTENCES)
    int8 = embed_pooled(load_model(backend=Backend.ONNX_INT8, cache_dir=cache), SENTENCES)
    for pooling in ("mean", "text"):
        cos = np.sum(ref[pooling] * int8[pooling], axis=1)
        # the bench measures the 0.99 criterion on 2,000 real texts (evaluation/results/bench-*.md);
        # these eight include "ok", whose three tokens move most under int8
        assert cos.mean() >= 0.98
        assert cos.min() >= 0.94


def test_load_model_ids_name_the_back_end(tmp_path_factory):
    torch_id = load_model(backend="torch").model_id
    int8_id = load_model(backend="onnx-int8", cache_dir=_cache_dir(tmp_path_factory)).model_id
    assert torch_id.startswith("sentence-transformers/all-MiniLM-L6-v2@53aa5117")
    assert int8_id == torch_id + "/onnx-int8"


def test_load_model_default_is_onnx_int8_on_cpu(tmp_path_factory):
    assert DEFAULT_BACKEND is Backend.ONNX_INT8
    assert load_model(cache_dir=_cache_dir(tmp_path_factory)).backend is Backend.ONNX_INT8


@pytest.mark.parametrize("kwargs, message", [
    ({"backend": "onnx-fp16"}, "unknown embedding back end"),  # not a back end
    ({"backend": "onnx-int8", "device": "cuda"}, "runs on cpu"),  # int8 ORT is CPU only
])
def test_load_model_rejects_bad_choices(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_model(**kwargs)


def test_count_tokens_counts_special_tokens(model):
    assert model.count_tokens(["ok"]) == 3  # [CLS] ok [SEP]


def test_text_hash_is_sha256_hex():
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# all-mpnet-base-v2, the optional model (embed.model): unpacked from its five part packages, exported once


@pytest.fixture(scope="module")
def mpnet(tmp_path_factory):
    return load_model(model="all-mpnet-base-v2", cache_dir=_cache_dir(tmp_path_factory))


def test_mpnet_gives_768_d_unit_vectors_with_its_own_id(mpnet):
    vecs = embed_texts(mpnet, SENTENCES)
    assert vecs.shape == (len(SENTENCES), 768) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert mpnet.model_id == "sentence-transformers/all-mpnet-base-v2@78c0197b/onnx-int8"
    assert mpnet.count_tokens(["ok"]) == 3  # <s> ok </s>


def test_mpnet_int8_agrees_with_its_torch_fp32(mpnet, tmp_path_factory):
    ref = embed_texts(load_model(model="all-mpnet-base-v2", backend=Backend.TORCH,
                                 cache_dir=_cache_dir(tmp_path_factory)), SENTENCES)
    cos = np.sum(ref * embed_texts(mpnet, SENTENCES), axis=1)
    # its feed-forward down-projections stay fp32 (quantised: mean cosine 0.906 on CLINC150 val queries)
    assert cos.mean() >= 0.98
    assert cos.min() >= 0.94


def test_mpnet_separates_needs_better_than_chance(mpnet):
    vecs = embed_texts(mpnet, SENTENCES)
    sim = vecs @ vecs.T
    card_not_here, locate_card, weather = 5, 1, 4
    assert sim[card_not_here, locate_card] > sim[card_not_here, weather] + 0.2


def test_load_model_rejects_an_unknown_model():
    with pytest.raises(ValueError, match="unknown embedding model 'bge-small'; use one of all-MiniLM-L6-v2, "
                                         "all-mpnet-base-v2"):
        load_model(model="bge-small")
