"""embed.model: the optional all-mpnet-base-v2 runs the whole path, and switching models re-clusters."""

from __future__ import annotations

import json
from datetime import date

from pipelines.mine import load_resources, mine
from pipelines.settings import Settings
from pipelines.store import Store

from tests.conftest import SAMPLE


def test_mpnet_mines_the_sample_and_a_switch_back_clusters_everything_again(resources, tmp_path):
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    mpnet = Settings(embed={"model": "all-mpnet-base-v2"})
    result = mine([SAMPLE / "calls", SAMPLE / "notes"], SAMPLE / "strategy.md", tmp_path / "mpnet",
                  store_url=store_url, as_of=date(2026, 10, 31), settings=mpnet, resources=load_resources(mpnet))
    assert result.run.models["embedding"].startswith("sentence-transformers/all-mpnet-base-v2@78c0197b")
    assert len(result.themes) >= 10
    # the sample's planted flags (data/sample/planted.json) hold with this model too
    planted = json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))
    kinds = sorted(f.kind.value for f in result.flags)
    assert kinds == ["field_ahead", "field_ahead", "off_strategy", "strategy_unheard"]
    refused = next(t["statement_id"] for t in planted["themes"] if t["expected_flag"] == "off_strategy")
    assert {f.statement_id for f in result.flags if f.kind.value == "off_strategy"} == {refused}
    assert {f.statement_id for f in result.flags if f.kind.value == "strategy_unheard"} == {
        planted["unheard_statement_id"]}
    doc = json.loads((tmp_path / "mpnet" / "themes.json").read_text(encoding="utf-8"))
    assert doc["run"]["models"]["embedding"] == result.run.models["embedding"]

    again = mine([SAMPLE / "calls", SAMPLE / "notes"], SAMPLE / "strategy.md", tmp_path / "minilm", store_url=store_url,
                 as_of=date(2026, 10, 31), settings=Settings(), resources=resources)
    assert again.run.models["embedding"].startswith("sentence-transformers/all-MiniLM-L6-v2@53aa5117")
    clustering = Store(store_url).run_record(again.run.id)["themes_clustering"]
    assert clustering["mode"] == "full" and "embedding" in clustering["reason"]
