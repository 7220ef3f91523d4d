"""Escaping for user text on its way into CSV, Markdown, JSON-in-HTML and Plotly."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "csv_cell",
    "escape_json_for_script",
    "format_offset",
    "json_for_script",
    "md_inline",
    "plain_value",
    "plotly_text",
    "shorten",
]

# A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = "\\`*_[]<>|~"  # inline only: "#" matters at a line's start, never used there
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def csv_cell(value: str) -> str:
    """Neutralise a CSV cell a spreadsheet would run as a formula, by prefixing a single quote."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def json_for_script(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c`` and friends, so text such as
    ``</script>`` or ``<!--`` in a label cannot end the script early.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return escape_json_for_script(text)


def escape_json_for_script(text: str) -> str:
    """Escape an already-encoded JSON text for a ``<script>`` element (see `json_for_script`)."""
    for char, escaped in _SCRIPT_UNSAFE.items():
        text = text.replace(char, escaped)
    return text


def plotly_text(value: str) -> str:
    """Text for a Plotly label or hover: entity-escaped, so Plotly's pseudo-HTML stays literal."""
    return html.escape(value, quote=True)


def md_inline(value: str) -> str:
    """One line of user text for Markdown: whitespace collapsed, markup characters escaped."""
    flat = " ".join(value.split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)


def shorten(value: str, limit: int = 280) -> str:
    """Collapse whitespace and cut at a word boundary to at most ``limit`` characters."""
    flat = " ".join(value.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(",.;: ") + "\u2026"


def format_offset(seconds: float | None) -> str:
    """Seconds into a call as ``mm:ss`` (``h:mm:ss`` past an hour); "" when unknown."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def plain_value(value: Any, items: int = 8) -> str:
    """Any JSON-like value as one line of plain text (mappings as "k: v; ...", lists joined, floats trimmed).

    Args:
        value: a scalar, mapping or sequence, nested or not.
        items: entries of a mapping or sequence shown before "and N more".

    Returns:
        The text; "" for None and non-finite floats.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""
    if isinstance(value, Mapping):
        pairs = list(value.items())
        shown = [f"{k}: {plain_value(v, items)}" for k, v in pairs[:items]]
        more = f"; and {len(pairs) - items} more" if len(pairs) > items else ""
        return "; ".join(shown) + more
    if isinstance(value, (list, tuple, set, frozenset)):
        entries = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        shown = [plain_value(v, items) for v in entries[:items]]
        more = f" and {len(entries) - items} more" if len(entries) > items else ""
        return ", ".join(shown) + more
    return str(value)
