"""Plotly figures for the report: the theme map and the weekly trend lines.

Figures leave here as JSON text safe to embed in a ``<script>`` element; the
page draws them with the one inlined copy of plotly.js. Every user string is
entity-escaped first, so Plotly's pseudo-HTML in labels stays literal text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
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
_MAP_LABELS = 8  # more labels would overlap; flagged themes are labelled first
_VISIBLE_TRENDS = 8  # more lines start hidden (click the legend to show); flagged themes first
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


def _first(themes: Sequence[Theme], highlight: AbstractSet[str], n: int) -> set[str]:
    """Ids of the ``n`` themes to show first: highlighted ones, then the biggest."""
    ranked = sorted(themes, key=lambda t: (t.id not in highlight, -t.size, t.id))
    return {t.id for t in ranked[:n]}


def theme_map_figure(
    themes: Sequence[Theme],
    theme_xy: Mapping[str, tuple[float, float]],
    highlight: AbstractSet[str] = frozenset(),
) -> go.Figure | None:
    """A 2-D scatter of theme centroids, sized by theme size and coloured by status; None without positions.

    Themes in ``highlight`` (the flagged ones) are labelled first and outlined.
    """
    placed = [t for t in themes if t.id in theme_xy]
    if not placed:
        return None
    biggest = max(t.size for t in placed) or 1
    sizes = {t.id: 12 + 30 * math.sqrt(t.size / biggest) for t in placed}
    xs = [float(theme_xy[t.id][0]) for t in placed]
    ys = [float(theme_xy[t.id][1]) for t in placed]
    x_range, y_range = _padded(xs, 0.12), _padded(ys, 0.15)
    labelled = _first(placed, highlight, _MAP_LABELS)  # the rest on hover
    texts = {t.id: shorten(t.label, 32) for t in placed if t.id in labelled}
    positions = _label_positions(
        [(t.id, float(theme_xy[t.id][0]), float(theme_xy[t.id][1]), sizes[t.id] / 2, texts[t.id])
         for t in sorted(placed, key=lambda t: (t.id not in highlight, -t.size, t.id)) if t.id in texts],
        x_range, y_range,
    )
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
                text=[plotly_text(texts[t.id]) if t.id in texts else "" for t in group],
                textposition=[positions.get(t.id, "top center") for t in group],
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
                    "size": [sizes[t.id] for t in group],
                    "color": STATUS_COLORS[status],
                    "opacity": 0.75,
                    "line": {
                        "width": [2.5 if t.id in highlight else 1 for t in group],
                        "color": ["#111827" if t.id in highlight else "#ffffff" for t in group],
                    },
                },
            )
        )
    axis = {"showticklabels": False, "zeroline": False, "showgrid": True, "gridcolor": "#eef0f3"}
    fig.update_layout(
        _layout(
            height=_MAP_HEIGHT,
            xaxis={**axis, "range": x_range},  # room for labels at the edges
            yaxis={**axis, "range": y_range},
            showlegend=True,
        )
    )
    return fig


_MAP_HEIGHT = 460
_MAP_PLOT_PX = (960.0, 380.0)  # about the drawn area of the map on a desktop page
_LABEL_PX = (6.3, 15.0)  # about one character's width and a line's height at 11 px
_POSITIONS = (
    "top center", "bottom center", "middle right", "middle left",
    "top right", "top left", "bottom right", "bottom left",
)  # fmt: skip


def _label_positions(
    points: Sequence[tuple[str, float, float, float, str]],
    x_range: Sequence[float],
    y_range: Sequence[float],
) -> dict[str, str]:
    """A text position per labelled point, chosen greedily so labels overlap each other and markers least.

    Args:
        points: (id, x, y, marker radius in px, label), most important first.
        x_range, y_range: the axes' ranges.

    Returns:
        id -> a Plotly ``textposition``.
    """
    width, height = _MAP_PLOT_PX
    sx = width / ((x_range[1] - x_range[0]) or 1.0)
    sy = height / ((y_range[1] - y_range[0]) or 1.0)
    centres = {pid: ((x - x_range[0]) * sx, (y_range[1] - y) * sy, r) for pid, x, y, r, _ in points}
    taken: list[tuple[float, float, float, float]] = [
        (cx - r, cy - r, cx + r, cy + r) for cx, cy, r in centres.values()
    ]
    chosen: dict[str, str] = {}
    for pid, _, _, _, label in points:
        cx, cy, r = centres[pid]
        w, h = _LABEL_PX[0] * len(label), _LABEL_PX[1]
        best: tuple[float, str, tuple[float, float, float, float]] | None = None
        for position in _POSITIONS:
            box = _label_box(position, cx, cy, r, w, h)
            own = (cx - r, cy - r, cx + r, cy + r)
            cost = sum(_overlap(box, other) for other in taken if other != own)
            cost += _outside(box, width, height) * 4
            if best is None or cost < best[0]:
                best = (cost, position, box)
        assert best is not None
        chosen[pid] = best[1]
        taken.append(best[2])
    return chosen


def _label_box(position: str, cx: float, cy: float, r: float, w: float, h: float) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom, in px) a label takes at a Plotly text position."""
    vertical, horizontal = position.split()
    d = r * 0.75 if horizontal != "center" and vertical != "middle" else r
    if horizontal == "center":
        left = cx - w / 2
    elif horizontal == "right":
        left = cx + d
    else:
        left = cx - d - w
    if vertical == "top":
        top = cy - d - h
    elif vertical == "bottom":
        top = cy + d
    else:
        top = cy - h / 2
    return (left, top, left + w, top + h)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _outside(box: tuple[float, float, float, float], width: float, height: float) -> float:
    inside = _overlap(box, (0.0, 0.0, width, height))
    return (box[2] - box[0]) * (box[3] - box[1]) - inside


def _padded(values: Sequence[float], pad: float) -> list[float]:
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return [low - pad * span, high + pad * span]


def trend_figure(themes: Sequence[Theme], highlight: AbstractSet[str] = frozenset()) -> go.Figure | None:
    """Weekly segment counts, one line per theme; None when no theme has weekly counts.

    Flagged themes (``highlight``) and then the biggest start visible; the
    rest wait in the legend.
    """
    with_weeks = [t for t in themes if t.trend.weekly]
    if not with_weeks:
        return None
    shown = _first(with_weeks, highlight, _VISIBLE_TRENDS)
    fig = go.Figure()
    for theme in with_weeks:
        fig.add_trace(
            go.Scatter(
                x=[week for week, _ in theme.trend.weekly],
                y=[count for _, count in theme.trend.weekly],
                mode="lines+markers",
                name=plotly_text(shorten(theme.label, 40)),
                visible=True if theme.id in shown else "legendonly",
                line={"width": 3 if theme.id in highlight else 1.6, "shape": "linear"},
                marker={"size": 5},
                hovertemplate="%{y} segments, week of %{x|%d %b %Y}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        _layout(
            height=440,
            margin={"l": 48, "r": 8, "t": 16, "b": 40},
            xaxis={"type": "date", "showgrid": False, "linecolor": "#d1d5db", "ticks": "outside"},
            yaxis={"title": {"text": "segments per week"}, "gridcolor": "#eef0f3", "rangemode": "tozero"},
            hovermode="closest",
            # beside the plot, scrolling when long: below it, dozens of names would cover the axis
            legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top", "font": {"size": 11}},
        )
    )
    return fig


def chart_specs(
    themes: Sequence[Theme],
    theme_xy: Mapping[str, tuple[float, float]],
    highlight: AbstractSet[str] = frozenset(),
) -> dict[str, str]:
    """Element id -> script-safe JSON ``{data, layout, config}`` for each chart there is.

    ``highlight`` names the themes to put forward (the flagged ones).
    """
    figures = {
        "chart-map": theme_map_figure(themes, theme_xy, highlight),
        "chart-trends": trend_figure(themes, highlight),
    }
    specs: dict[str, str] = {}
    for element_id, fig in figures.items():
        if fig is None:
            continue
        figure_json = pio.to_json(fig, validate=True, pretty=False, engine="json")
        config_json = pio.to_json(PLOTLY_CONFIG, validate=False, pretty=False, engine="json")
        specs[element_id] = escape_json_for_script(f'{{"figure":{figure_json},"config":{config_json}}}')
    return specs
