"""Pieces shared by the subtitle-style readers: timestamps, blocks, speaker prefixes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from pipelines.readers.base import Reject

__all__ = [
    "TIMING_FIX",
    "clean_payload",
    "iter_blocks",
    "parse_timing_line",
    "split_speaker_prefix",
]

_TS = r"(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?"
_TIMING_RE = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:\s+.*)?$")
# A speaker name: starts with a letter, then letters, digits, spaces and a
# little punctuation; at most six words. Rules out "10:30", URLs, sentences.
_NAME = r"[^\W\d_][\w.'’()&@\-]*(?: [\w.'’()&@\-]+){0,5}"
_PREFIX_RE = re.compile(rf"^\s*({_NAME})\s*:\s+(\S.*)$", re.DOTALL)
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")

TIMING_FIX = (
    "each cue needs a timing line like '00:01:02.500 --> 00:01:05.000' "
    "(SRT: '00:01:02,500 --> 00:01:05,000') with the end not before the start; "
    "re-export the transcript if the file was cut short"
)


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str | None) -> float:
    frac = int(millis.ljust(3, "0")) / 1000.0 if millis else 0.0
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + frac


def parse_timing_line(line: str, line_no: int) -> tuple[float, float] | None:
    """Parse ``start --> end``; ``None`` when the line is not a timing line.

    Raises:
        Reject: the line has ``-->`` but broken times, or ends before it starts.
    """
    if "-->" not in line:
        return None
    match = _TIMING_RE.match(line)
    if match is None:
        raise Reject(f"broken cue timing {line.strip()[:80]!r}", line=line_no, fix=TIMING_FIX)
    start = _seconds(*match.group(1, 2, 3, 4))
    end = _seconds(*match.group(5, 6, 7, 8))
    if end < start:
        raise Reject(
            f"cue ends ({end:.3f}s) before it starts ({start:.3f}s)", line=line_no, fix=TIMING_FIX
        )
    return start, end


def iter_blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first line number, lines)`` for each blank-line separated block."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def clean_payload(text: str) -> str:
    """Drop markup tags (``<i>``, ``<c.x>``, inline timestamps), decode entities."""
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def split_speaker_prefix(text: str) -> tuple[str, str] | None:
    """Split ``"Jane Doe: text"`` into ``("Jane Doe", "text")``; ``None`` if no prefix."""
    match = _PREFIX_RE.match(text)
    if match is None:
        return None
    return match.group(1).strip(), match.group(2).strip()
