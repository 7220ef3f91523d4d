"""report.html: the whole bundle in one self-contained, escaped page.

The page is a Jinja2 template with autoescape on. plotly.js is inlined once;
chart data travels as script-safe JSON in ``<script type="application/json">``
elements. A Content-Security-Policy allows only the page's own scripts (by
hash), inline styles and ``data:`` images, so nothing is fetched and no
script smuggled in through a note could run even if escaping failed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import jinja2
import plotly.offline

from nlp.records import Bundle, Flag, FlagKind, Segment, Source, Statement, Theme
from pipelines.report.charts import STATUS_COLORS, chart_specs
from pipelines.report.markdown import FLAG_TITLES, coverage_line
from pipelines.report.safety import format_offset, plain_value, shorten

__all__ = ["render_html"]

_QUOTES_PER_FLAG = 3
_QUOTE_CHARS = 320
_CONTEXT_CHARS = 300  # one flag-context value, at most
_CONTEXT_ITEMS = 8  # entries of a list or mapping shown in one flag-context value

# Draws every chart from its JSON element; constant, so its CSP hash is too.
_CHART_SCRIPT = """
document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (node) {
  var spec = JSON.parse(node.textContent);
  var target = document.getElementById(node.getAttribute("data-chart"));
  if (target && window.Plotly) { Plotly.newPlot(target, spec.figure.data, spec.figure.layout, spec.config); }
});
"""


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipelines.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


def render_html(bundle: Bundle) -> str:
    """Render report.html for a bundle.

    Args:
        bundle: the run's bundle.

    Returns:
        The page, as text (write it as UTF-8).
    """
    plotly_js = _plotly_js()
    context = _context(bundle)
    context["plotly_js"] = plotly_js
    context["chart_script"] = _CHART_SCRIPT
    context["csp"] = (
        "default-src 'none'; "
        f"script-src {_csp_hash(plotly_js)} {_csp_hash(_CHART_SCRIPT)}; "
        "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'"
    )
    return _environment().get_template("report.html.j2").render(**context)


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _context(bundle: Bundle) -> dict[str, Any]:
    run = bundle.run
    segments = {s.segment_id: s for s in bundle.segments}
    statements = {s.id: s for s in bundle.strategy.statements}
    themes = {t.id: t for t in bundle.themes}
    flagged = frozenset(
        tid for f in bundle.flags for tid in (f.theme_id, *getattr(f, "related_themes", ())) if tid
    )
    alignment = _alignment(bundle, statements)
    return {
        "company": bundle.strategy.company,
        "run": {
            "id": run.id,
            "as_of": run.as_of.isoformat(),
            "started_at": run.started_at.isoformat(sep=" ", timespec="minutes"),
            "finished_at": run.finished_at.isoformat(sep=" ", timespec="minutes") if run.finished_at else "",
            "store": run.store,
            "models": sorted(run.models.items()),
        },
        "counts": {
            "documents": run.counts.get("documents", 0),
            "segments": run.counts.get("segments", 0),
            "quarantined": run.counts.get("quarantined", len(bundle.quarantined)),
            "themes": len(bundle.themes),
            "flags": len(bundle.flags),
        },
        "coverage": coverage_line(bundle),
        "changes": list(bundle.changes),
        "flags": [_flag(f, segments, statements, themes) for f in bundle.flags],
        "themes": [_theme(t, statements, t.id in flagged) for t in bundle.themes],
        "alignment": alignment,
        "lineage": _lineage(getattr(bundle, "lineage", ()), themes),
        "strategy_path": bundle.strategy.path,
        "quarantined": [
            {"path": q.path, "reason": q.reason, "line": q.line or "", "field": q.field or ""}
            for q in bundle.quarantined
        ],
        "charts": chart_specs(bundle.themes, bundle.theme_xy, highlight=flagged),
        "status_colors": {s.value: c for s, c in STATUS_COLORS.items()},
    }


def _statement(statement_id: str | None, statements: Mapping[str, Statement]) -> dict[str, str] | None:
    if not statement_id:
        return None
    found = statements.get(statement_id)
    return {
        "id": statement_id,
        "kind": found.kind.value if found else "",
        "text": found.text if found else "",
    }


def _flag(
    flag: Flag,
    segments: Mapping[str, Segment],
    statements: Mapping[str, Statement],
    themes: Mapping[str, Theme],
) -> dict[str, Any]:
    theme = themes.get(flag.theme_id) if flag.theme_id else None
    quotes = [_quote(segments[sid]) for sid in flag.evidence if sid in segments][:_QUOTES_PER_FLAG]
    related = [
        {"id": tid, "label": themes[tid].label if tid in themes else ""}
        for tid in getattr(flag, "related_themes", ())
    ]
    return {
        "id": flag.id,
        "kind": flag.kind.value,
        "title": FLAG_TITLES[flag.kind],
        "score": f"{flag.score:.2f}",
        "score_pct": max(0, min(100, round(flag.score * 100))),
        "summary": flag.summary,
        "theme": {"id": theme.id, "label": theme.label, "status": theme.status.value} if theme else None,
        "theme_id": flag.theme_id or "",
        "statement": _statement(flag.statement_id, statements),
        "quotes": quotes,
        "quotes_title": (
            "Nearest customer mentions (none close enough to count)"
            if flag.kind == FlagKind.STRATEGY_UNHEARD
            else "What customers said"
        ),
        "more_evidence": max(0, len(flag.evidence) - len(quotes)),
        "related": related,
        "context": _context_rows(getattr(flag, "context", None)),
    }


def _context_rows(context: Any) -> list[dict[str, str]]:
    """A flag's CRM context (any mapping) as label/value rows of plain text; [] when absent."""
    if not isinstance(context, Mapping):
        return []
    rows = []
    for key, value in context.items():
        text = plain_value(value, _CONTEXT_ITEMS)
        if text:
            rows.append({"label": str(key).replace("_", " ").capitalize(), "value": shorten(text, _CONTEXT_CHARS)})
    return rows


def _lineage(events: Sequence[Any], themes: Mapping[str, Theme]) -> list[dict[str, Any]]:
    """The run's lineage events (births, merges, splits, fadings) for the page."""
    rows = []
    for event in events:
        kind = getattr(event, "kind", "")
        rows.append(
            {
                "kind": getattr(kind, "value", str(kind)),
                "sources": list(getattr(event, "sources", ())),
                "targets": [
                    {"id": tid, "linked": tid in themes} for tid in getattr(event, "targets", ())
                ],
                "summary": str(getattr(event, "summary", "")),
            }
        )
    return rows


def _quote(segment: Segment) -> dict[str, str]:
    if segment.source == Source.NOTE:
        speaker = f"CRM note by {segment.speaker}" if segment.speaker else "CRM note"
    else:
        speaker = segment.speaker or "Unknown speaker"
    return {
        "segment_id": segment.segment_id,
        "doc_id": segment.doc_id,
        "text": shorten(segment.text, _QUOTE_CHARS),
        "speaker": speaker,
        "role": segment.speaker_role.value,
        "source": segment.source.value,
        "account": segment.account_name or segment.account_id,
        "date": segment.created_at.date().isoformat(),
        "offset": format_offset(segment.start_s),
    }


def _theme(theme: Theme, statements: Mapping[str, Statement], flagged: bool = False) -> dict[str, Any]:
    trend = theme.trend
    match = theme.strategy_match
    return {
        "id": theme.id,
        "flagged": flagged,
        "label": theme.label,
        "keywords": ", ".join(theme.keywords),
        "status": theme.status.value,
        "size": theme.size,
        "share": f"{theme.customer_share:.0%}",
        "first_seen": theme.first_seen.isoformat(),
        "last_seen": theme.last_seen.isoformat(),
        "recent": f"{trend.recent:.1%}",
        "baseline": f"{trend.baseline:.1%}",
        "growth": f"{trend.growth:.2f}\u00d7",
        "p_value": f"{trend.p_value:.3f}" if trend.p_value >= 0.001 else "<0.001",
        "window_days": trend.window_days,
        "spark": _sparkline([count for _, count in trend.weekly]),
        "match": None
        if match is None
        else {
            **(_statement(match.statement_id, statements) or {}),
            "kind": match.kind.value,
            "similarity": f"{match.similarity:.2f}",
        },
    }


def _sparkline(counts: Sequence[int], width: int = 96, height: int = 24) -> str:
    """SVG polyline points for a small trend chart drawn without script ("" when too short)."""
    if len(counts) < 2:
        return ""
    top = max(counts) or 1
    step = width / (len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (c / top) * (height - 4):.1f}" for i, c in enumerate(counts)
    )


def _alignment(bundle: Bundle, statements: Mapping[str, Statement]) -> dict[str, Any]:
    """Themes x statements, each cell with its similarity and a shade."""
    cells: dict[tuple[str, str], float] = {(t, s): sim for t, s, sim in bundle.alignment}
    if not cells:
        return {"columns": [], "rows": []}
    used = {s for _, s in cells}
    columns = [s for s in bundle.strategy.statements if s.id in used]
    known = {s.id for s in columns}
    columns_extra = sorted(used - known)
    column_ids = [s.id for s in columns] + columns_extra
    top = max(max(cells.values()), 1e-9)
    rows = []
    for theme in bundle.themes:
        matched = theme.strategy_match.statement_id if theme.strategy_match else None
        row_cells = []
        for sid in column_ids:
            sim = cells.get((theme.id, sid))
            if sim is None:
                row_cells.append({"text": "", "alpha": "0", "dark": False, "matched": False})
                continue
            alpha = max(0.0, sim) / top * 0.85
            row_cells.append(
                {
                    "text": f"{sim:.2f}",
                    "alpha": f"{alpha:.3f}",
                    "dark": alpha > 0.5,
                    "matched": sid == matched,
                }
            )
        rows.append({"id": theme.id, "label": theme.label, "cells": row_cells})
    return {
        "columns": [
            {"id": sid, "short": f"S{n}", **(_statement(sid, statements) or {})}
            for n, sid in enumerate(column_ids, start=1)
        ],
        "rows": rows,
    }
