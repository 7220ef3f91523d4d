"""Plotly figures for the report: the theme map and the weekly trend lines.

Figures leave here as JSON text safe to embed in a ``<script>`` element; the
page draws them with the one inlined copy of plotly.js. Every user string is
entity-escaped first, so Plotly's pseudo-HTML in labels stays literal text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from nlp.records import Theme, ThemeStatus
from pipelines.report.safety import escape_json_for_script, plotly_text, shorten

__all__ = ["PLOTLY_CONFIG", "STATUS_COLORS", "chart_specs", "theme_map_figure", "trend_figure"]

STATUS_COLORS = {
    ThemeStatus.EMERGING: "#c2410c",
    ThemeStatus.GROWING: "#15803d",
    ThemeStatus.STABLE: "#64748b",
    ThemeStatus.DECLINING: "#4f46e5",
}
# No logo link, no "Share chart" upload to Plotly Cloud, no MathJax: nothing the
# page does reaches the network.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "plotlyServerURL": "",
    "typesetMath": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendDataToCloud", "sendChartToCloud"],
}
_MAP_LABELS = 12  # more labels would overlap
_VISIBLE_TRENDS = 8  # more lines start hidden (click the legend to show)
_COLORWAY = [
    "#2563eb", "#c2410c", "#15803d", "#7c3aed", "#0891b2",
    "#be185d", "#a16207", "#475569", "#65a30d", "#dc2626",
]  # fmt: skip
_FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _layout(**extra: Any) -> dict[str, Any]:
    return {
        "template": "none",
        "font": {"family": _FONT, "size": 12, "color": "#1f2937"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "legend": {"orientation": "h", "y": -0.15, "font": {"size": 11}},
        "hoverlabel": {"font": {"family": _FONT}},
        "modebar": {"bgcolor": "rgba(255,255,255,0.85)", "color": "#9ca3af", "activecolor": "#374151"},
        "colorway": _COLORWAY,
        **extra,
    }


def theme_map_figure(themes: Sequence[Theme], theme_xy: Mapping[str, tuple[float, float]]) -> go.Figure | None:
    """A 2-D scatter of theme centroids, sized by theme size and coloured by status; None without positions."""
    placed = [t for t in themes if t.id in theme_xy]
    if not placed:
        return None
    biggest = max(t.size for t in placed) or 1
    labelled = {t.id for t in sorted(placed, key=lambda t: (-t.size, t.id))[:_MAP_LABELS]}  # the rest on hover
    fig = go.Figure()
    for status in ThemeStatus:
        group = [t for t in placed if t.status == status]
        if not group:
            continue
        fig.add_trace(
            go.Scatter(
                x=[float(theme_xy[t.id][0]) for t in group],
                y=[float(theme_xy[t.id][1]) for t in group],
                mode="markers+text",
                name=status.value,
                text=[plotly_text(shorten(t.label, 32)) if t.id in labelled else "" for t in group],
                textposition="top center",
                textfont={"size": 11},
                hovertext=[
                    plotly_text(
                        f"{t.label} | {t.status.value}, {t.size} segments, "
                        f"{t.customer_share:.0%} customers"
                    )
                    for t in group
                ],
                hoverinfo="text",
                marker={
                    "size": [12 + 30 * math.sqrt(t.size / biggest) for t in group],
                    "color": STATUS_COLORS[status],
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "#ffffff"},
                },
            )
        )
    axis = {"showticklabels": False, "zeroline": False, "showgrid": True, "gridcolor": "#eef0f3"}
    xs = [float(theme_xy[t.id][0]) for t in placed]
    ys = [float(theme_xy[t.id][1]) for t in placed]
    fig.update_layout(
        _layout(
            height=460,
            xaxis={**axis, "range": _padded(xs, 0.18)},  # room for labels at the edges
            yaxis={**axis, "range": _padded(ys, 0.25)},
            showlegend=True,
        )
    )
    return fig


def _padded(values: Sequence[float], pad: float) -> list[float]:
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return [low - pad * span, high + pad * span]


def trend_figure(themes: Sequence[Theme]) -> go.Figure | None:
    """Weekly segment counts, one line per theme; None when no theme has weekly counts."""
    with_weeks = [t for t in themes if t.trend.weekly]
    if not with_weeks:
        return None
    shown = {t.id for t in sorted(with_weeks, key=lambda t: (-t.size, t.id))[:_VISIBLE_TRENDS]}
    fig = go.Figure()
    for theme in with_weeks:
        fig.add_trace(
            go.Scatter(
                x=[week for week, _ in theme.trend.weekly],
                y=[count for _, count in theme.trend.weekly],
                mode="lines+markers",
                name=plotly_text(shorten(theme.label, 40)),
                visible=True if theme.id in shown else "legendonly",
                line={"width": 2, "shape": "linear"},
                marker={"size": 5},
                hovertemplate="%{y} segments, week of %{x|%d %b %Y}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        _layout(
            height=420,
            xaxis={"type": "date", "showgrid": False, "linecolor": "#d1d5db", "ticks": "outside"},
            yaxis={"title": {"text": "segments per week"}, "gridcolor": "#eef0f3", "rangemode": "tozero"},
            hovermode="closest",
        )
    )
    return fig


def chart_specs(themes: Sequence[Theme], theme_xy: Mapping[str, tuple[float, float]]) -> dict[str, str]:
    """Element id -> script-safe JSON ``{data, layout, config}`` for each chart there is."""
    figures = {"chart-map": theme_map_figure(themes, theme_xy), "chart-trends": trend_figure(themes)}
    specs: dict[str, str] = {}
    for element_id, fig in figures.items():
        if fig is None:
            continue
        figure_json = pio.to_json(fig, validate=True, pretty=False, engine="json")
        config_json = pio.to_json(PLOTLY_CONFIG, validate=False, pretty=False, engine="json")
        specs[element_id] = escape_json_for_script(f'{{"figure":{figure_json},"config":{config_json}}}')
    return specs
