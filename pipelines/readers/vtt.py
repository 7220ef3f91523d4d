"""WebVTT transcripts: Microsoft Teams voice tags and Zoom ``Name: text`` cues."""

from __future__ import annotations

import re

from pipelines.readers.base import Cue, Reject
from pipelines.readers.cues import (
    TIMING_FIX,
    clean_payload,
    iter_blocks,
    parse_timing_line,
    split_speaker_prefix,
)

__all__ = ["is_teams_vtt", "parse_vtt"]

_VOICE_RE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]*)>(.*?)(?:</v>|(?=<v[\s.])|$)", re.DOTALL)
_NON_CUE_BLOCKS = ("NOTE", "STYLE", "REGION")


def is_teams_vtt(text: str) -> bool:
    """Whether a WebVTT file names speakers with ``<v Name>`` voice tags."""
    return bool(re.search(r"<v[\s.][^>]*>", text))


def _payload_cues(payload: str, start: float, end: float, voice_tags: bool) -> list[Cue]:
    if voice_tags and "<v" in payload:
        cues = []
        for match in _VOICE_RE.finditer(payload):
            text = clean_payload(match.group(2))
            if text:
                cues.append(Cue(match.group(1).strip(), text, start, end))
        return cues
    text = clean_payload(payload)
    if not text:
        return []
    split = split_speaker_prefix(text)
    if split is None:
        return [Cue("", text, start, end)]
    return [Cue(split[0], split[1], start, end)]


def parse_vtt(text: str) -> tuple[list[Cue], bool]:
    """Parse a WebVTT file into cues.

    Zoom cues without a ``Name:`` prefix continue the previous speaker.

    Args:
        text: the decoded file.

    Returns:
        The cues, and whether the file uses Teams voice tags.

    Raises:
        Reject: no ``WEBVTT`` header, a block without a timing line, broken
            timings, or no cue with text.
    """
    lines = text.splitlines()
    if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise Reject(
            "a .vtt file must start with 'WEBVTT'",
            line=1,
            fix="export the transcript again as WebVTT, or rename it to its real format",
        )
    voice_tags = is_teams_vtt(text)
    cues: list[Cue] = []
    for first, block in iter_blocks(lines):
        if first == 1 or block[0].startswith(_NON_CUE_BLOCKS):
            continue
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            raise Reject("expected a cue timing line", line=first, fix=TIMING_FIX)
        timing = parse_timing_line(block[timing_at], first + timing_at)
        assert timing is not None  # the line holds '-->'
        payload = "\n".join(block[timing_at + 1 :])
        for offset, line in enumerate(block[timing_at + 1 :], start=timing_at + 1):
            if "-->" in line:
                parse_timing_line(line, first + offset)  # raises on broken timing
                raise Reject("a cue timing line must follow a blank line", line=first + offset,
                             fix=TIMING_FIX)
        for cue in _payload_cues(payload, timing[0], timing[1], voice_tags):
            if not cue.speaker and cues and not voice_tags:
                cue = Cue(cues[-1].speaker, cue.text, cue.start_s, cue.end_s)
            cues.append(cue)
    if not cues:
        raise Reject(
            "the WebVTT file holds no cue with text",
            fix="check that the meeting was transcribed, then export the transcript again",
        )
    return cues, voice_tags
