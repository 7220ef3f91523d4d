"""Scale-out: embedding on a Dask cluster given by address (a LocalCluster the test starts)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")


@pytest.fixture(scope="module")
def dask_address():
    """A one-worker, in-process cluster (cheap on two cores); closed after the module."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_embedder_matches_local_embedding(dask_address, embedding_model):
    from flows.scale import DaskEmbedder
    from nlp.embed import embed_pooled

    texts = [f"we need approvals routed by cost centre {i}" for i in range(7)] + ["NetSuite sync breaks"]
    seen: list[tuple[int, int]] = []
    embedder = DaskEmbedder(dask_address, model_id=embedding_model.model_id, chunk_size=3,
                            progress=lambda d, n: seen.append((d, n)))
    remote = embedder(texts)
    local = embed_pooled(embedding_model, texts)
    assert set(remote) == set(local) == set(embedding_model.poolings)  # every pooling the run needs
    for pooling, vecs in local.items():
        assert remote[pooling].shape == vecs.shape and remote[pooling].dtype == np.float32
        assert np.allclose(remote[pooling], vecs, atol=1e-5)  # in order, chunk by chunk
    assert embedder.computed == len(texts) and embedder.workers == 1
    assert seen[-1] == (3, 3)


def test_dask_embedder_refuses_a_worker_with_another_model(dask_address):
    from flows.scale import DaskEmbedder

    with pytest.raises(RuntimeError, match="same groundswell version"):
        DaskEmbedder(dask_address, model_id="some-other-model@0000")(["a text"])


@pytest.mark.slow
def test_mine_flow_embeds_on_dask_then_reruns_from_cache(prefect_harness, dask_address, tmp_path):
    from flows.mine import mine_flow
    from pipelines.store import Store

    notes = tmp_path / "notes.csv"  # the first 160 sample notes, canonical columns
    with (SAMPLE / "notes" / "salesforce_tasks.csv").open(newline="", encoding="utf-8") as fin, \
            notes.open("w", newline="", encoding="utf-8") as fout:
        w = csv.writer(fout)
        w.writerow(["id", "created_at", "text", "account_id"])
        for i, r in enumerate(csv.DictReader(fin)):
            if i < 160:
                w.writerow([r["Id"], r["CreatedDate"], r["Description"], r["AccountId"]])
    url = f"sqlite:///{tmp_path / 'store.db'}"
    common = dict(sources=[str(notes)], strategy=str(SAMPLE / "strategy.yaml"), store_url=url,
                  as_of=date(2026, 10, 31))
    first = mine_flow(out=str(tmp_path / "a"), overrides={"dask__address": dask_address,
                                                           "dask__chunk_size": 64}, **common)
    second = mine_flow(out=str(tmp_path / "b"), **common)  # no cluster needed: nothing is new
    store = Store(url)
    try:
        rec1, rec2 = store.run_record(first["run_id"]), store.run_record(second["run_id"])
    finally:
        store.dispose()
    assert rec1["dask"] == {"address": dask_address}
    assert rec1["cache"]["embeddings_computed"] > 100 and rec1["cache"]["stages"]["embed"] == "computed"
    assert rec2["cache"]["reused_from"] == first["run_id"] and second["cache"]["reused_from"] == first["run_id"]
    # themes and compare from Prefect's cache; embed reads every vector from the store's cache
    assert rec2["cache"]["stages"] == {"embed": "computed", "themes": "cached", "compare": "cached"}
    assert rec2["cache"]["embeddings_computed"] == 0
    assert (tmp_path / "b" / "report.html").exists()
    assert second["counts"] == first["counts"] and second["flags"] == first["flags"]
