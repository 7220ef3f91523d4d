"""Reduce the HTML of CRM note bodies to plain text, keeping paragraph breaks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "looks_like_html"]

_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "pre", "table", "ul", "ol",
     "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "hr"}
)
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template"})
_HTML_RE = re.compile(
    r"<\s*/?\s*(?:p|div|br|span|ul|ol|li|b|i|u|strong|em|a|h[1-6]|table|tr|td|html|body|font)"
    r"\b[^>]*>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` holds HTML markup (a common tag), not just a stray ``<``."""
    return bool(_HTML_RE.search(text))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "li":  # a list item reads as a bullet, as reps type one
            self.parts.append("\n- ")
        elif tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Reduce HTML to text: block elements become paragraph breaks, list items bullets ("- ").

    Entities are decoded, scripts and styles dropped, runs of spaces collapsed
    and at most one blank line kept between paragraphs.

    Args:
        html: the markup.

    Returns:
        The plain text, stripped.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts).replace("\r\n", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in raw.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
