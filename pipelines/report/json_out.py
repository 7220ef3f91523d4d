"""themes.json and flags.json (SPEC.md "Output bundle", schema groundswell.bundle.v1).

Field names are the contract: fields may be added, never renamed. Floats are
rounded to 4 decimals and every list keeps the bundle's order, so the same
bundle always gives byte-identical files.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from nlp.records import BUNDLE_SCHEMA, Bundle, Flag, Run, Theme

__all__ = ["flag_dict", "flags_document", "run_dict", "theme_dict", "themes_document", "dumps_json"]

_COUNT_KEYS = ("documents", "segments", "quarantined")


def run_dict(run: Run) -> dict[str, Any]:
    """The SPEC ``run`` object."""
    counts = {key: int(run.counts.get(key, 0)) for key in _COUNT_KEYS}
    counts.update({key: int(run.counts[key]) for key in sorted(run.counts) if key not in counts})
    return {
        "id": run.id,
        "as_of": _iso(run.as_of),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "store": run.store,
        "models": {name: run.models[name] for name in sorted(run.models)},
        "counts": counts,
    }


def theme_dict(theme: Theme) -> dict[str, Any]:
    """The SPEC theme object, plus trend extras and the match's confidence."""
    trend = theme.trend
    match = theme.strategy_match
    return {
        "id": theme.id,
        "label": theme.label,
        "keywords": list(theme.keywords),
        "size": theme.size,
        "customer_share": _num(theme.customer_share),
        "first_seen": _iso(theme.first_seen),
        "last_seen": _iso(theme.last_seen),
        "status": theme.status.value,
        "trend": {
            "window_days": trend.window_days,
            "recent": _num(trend.recent),
            "baseline": _num(trend.baseline),
            "growth": _num(trend.growth),
            "p_value": _num(trend.p_value),
            # Additions to SPEC v1:
            "recent_count": trend.recent_count,
            "baseline_count": trend.baseline_count,
            "recent_accounts": trend.recent_accounts,
            "top_account_share": _num(trend.top_account_share),
            "weekly": [{"week": week, "count": count} for week, count in trend.weekly],
        },
        "strategy_match": None
        if match is None
        else {
            "statement_id": match.statement_id,
            "kind": match.kind.value,
            "similarity": _num(match.similarity),
            "confidence": _num(match.confidence),  # addition to SPEC v1
        },
        "exemplars": list(theme.exemplars),
    }


def flag_dict(flag: Flag) -> dict[str, Any]:
    """The SPEC flag object."""
    return {
        "id": flag.id,
        "kind": flag.kind.value,
        "theme_id": flag.theme_id,
        "statement_id": flag.statement_id,
        "score": _num(flag.score),
        "summary": flag.summary,
        "evidence": list(flag.evidence),
        "related_themes": list(flag.related_themes),
        "context": flag.context,
    }


def themes_document(bundle: Bundle) -> dict[str, Any]:
    """``{schema, run, themes}``."""
    return {
        "schema": BUNDLE_SCHEMA,
        "run": run_dict(bundle.run),
        "themes": [theme_dict(t) for t in bundle.themes],
    }


def flags_document(bundle: Bundle) -> dict[str, Any]:
    """``{schema, run, flags}``."""
    return {
        "schema": BUNDLE_SCHEMA,
        "run": run_dict(bundle.run),
        "flags": [flag_dict(f) for f in bundle.flags],
    }


def dumps_json(document: dict[str, Any]) -> str:
    """Indented UTF-8 JSON with a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _num(value: float) -> float | None:
    """A float rounded to 4 decimals; None for NaN or infinity (JSON has neither)."""
    value = float(value)
    if not math.isfinite(value):
        return None
    rounded = round(value, 4)
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()
