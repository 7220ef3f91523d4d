"""Plain-text transcripts: ``Name: text`` lines, or Otter-style ``Name  0:05`` headers."""

from __future__ import annotations

import re

from pipelines.readers.base import Cue, Reject
from pipelines.readers.cues import split_speaker_prefix

__all__ = ["parse_text_transcript"]

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_NAME = r"[^\W\d_][\w.'’()&@\-]*(?: [\w.'’()&@\-]+){0,5}"
_OTTER_RE = re.compile(rf"^\s*({_NAME})\s+{_CLOCK}\s*$")
_STAMP_RE = re.compile(rf"^\s*[\[(]?{_CLOCK}[\])]?\s+(.*)$")

_SHAPE_FIX = (
    "write one turn per line as 'Name: what they said', or Otter-style blocks "
    "with a 'Name  0:05' header line above each turn's text"
)


def _clock(hours_or_minutes: str, minutes_or_seconds: str, seconds: str | None) -> float:
    if seconds is None:
        return float(int(hours_or_minutes) * 60 + int(minutes_or_seconds))
    return float(int(hours_or_minutes) * 3600 + int(minutes_or_seconds) * 60 + int(seconds))


def _with_ends(cues: list[Cue]) -> list[Cue]:
    """Give each timed cue the next cue's start as its end."""
    out: list[Cue] = []
    for index, cue in enumerate(cues):
        nxt = cues[index + 1].start_s if index + 1 < len(cues) else None
        end = nxt if cue.start_s is not None and nxt is not None and nxt >= cue.start_s else None
        out.append(Cue(cue.speaker, cue.text, cue.start_s, end))
    return out


def _parse_otter(lines: list[str]) -> list[Cue]:
    cues: list[Cue] = []
    speaker = ""
    start: float | None = None
    body: list[str] = []
    started = False
    for line in lines:
        match = _OTTER_RE.match(line)
        if match:
            if started and body:
                cues.append(Cue(speaker, " ".join(body), start, None))
            speaker, start = match[1].strip(), _clock(match[2], match[3], match[4])
            body, started = [], True
        elif line.strip() and started:
            body.append(line.strip())
    if started and body:
        cues.append(Cue(speaker, " ".join(body), start, None))
    return _with_ends(cues)


def _parse_prefixed(lines: list[str]) -> list[Cue]:
    cues: list[Cue] = []
    for line in lines:
        if not line.strip():
            continue
        start = None
        content = line.strip()
        stamp = _STAMP_RE.match(content)
        if stamp and split_speaker_prefix(stamp[4]) is not None:
            start = _clock(stamp[1], stamp[2], stamp[3])
            content = stamp[4]
        split = split_speaker_prefix(content)
        if split is not None:
            cues.append(Cue(split[0], split[1], start, None))
        elif cues:  # a wrapped line continues the turn
            last = cues[-1]
            cues[-1] = Cue(last.speaker, f"{last.text} {content}", last.start_s, None)
        else:
            cues.append(Cue("", content, None, None))
    return _with_ends(cues)


def parse_text_transcript(text: str) -> list[Cue]:
    """Parse a plain-text transcript into cues.

    The Otter layout is used when the first non-blank line is a ``Name  0:05``
    header; otherwise each ``Name: text`` line starts a turn (optionally after a
    ``[0:05]`` timestamp) and other lines continue the turn above.

    Raises:
        Reject: no line names a speaker.
    """
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    cues = _parse_otter(lines) if _OTTER_RE.match(first) else _parse_prefixed(lines)
    if not any(cue.speaker for cue in cues):
        raise Reject("no line names a speaker, so this is not a transcript", fix=_SHAPE_FIX)
    return cues
