"""Tests of flows.mine.prune_stage_cache: the Prefect home does not grow every night."""

from __future__ import annotations

import os

from flows.mine import prune_stage_cache


def _write(folder, name: str, mtime: float) -> None:
    path = folder / name
    path.write_bytes(b"x")
    os.utime(path, (mtime, mtime))


def test_keeps_the_current_and_newest_other_fingerprints(tmp_path) -> None:
    for age, fp in enumerate(["f1", "f2", "f3", "f4", "f5"]):  # f1 newest
        for stage in ("embed", "find_themes", "compare"):
            _write(tmp_path, f"groundswell-{stage}-{fp}", 1_000_000 - age)
    _write(tmp_path, "someone-elses-result", 1)
    deleted = prune_stage_cache(keep="f5", storage=tmp_path, others=2)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert deleted == 6  # f3 and f4: three stages each
    assert left == sorted(["someone-elses-result"] + [f"groundswell-{s}-{fp}" for fp in ("f1", "f2", "f5")
                                                      for s in ("embed", "find_themes", "compare")])


def test_a_missing_storage_folder_is_nothing_to_prune(tmp_path) -> None:
    assert prune_stage_cache(keep="x", storage=tmp_path / "absent") == 0
