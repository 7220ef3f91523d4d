"""The plain-Python composition (no Prefect) on the bundled sample."""

from __future__ import annotations

import json

from nlp.records import FlagKind


def test_mine_demo_bundle_has_every_flag_kind(demo_bundle):
    out, result, _ = demo_bundle
    kinds = {f.kind for f in result.flags}
    assert kinds == {FlagKind.FIELD_AHEAD, FlagKind.OFF_STRATEGY, FlagKind.STRATEGY_UNHEARD}
    flags = json.loads((out / "flags.json").read_text())["flags"]
    assert len(flags) == len(result.flags)
    assert set(result.timings) >= {"ingest", "embed", "themes", "strategy", "report"}
