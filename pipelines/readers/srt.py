"""SubRip ``.srt`` transcripts with ``Name: text`` at the start of a subtitle."""

from __future__ import annotations

from pipelines.readers.base import Cue, Reject
from pipelines.readers.cues import (
    TIMING_FIX,
    clean_payload,
    iter_blocks,
    parse_timing_line,
    split_speaker_prefix,
)

__all__ = ["looks_like_srt", "parse_srt"]


def looks_like_srt(text: str) -> bool:
    """Whether the text opens with an SRT subtitle (index line, then a timing line)."""
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:6] if line.strip()]
    return (
        len(lines) >= 2
        and lines[0].strip().isdigit()
        and "-->" in lines[1]
    )


def parse_srt(text: str) -> list[Cue]:
    """Parse a SubRip file into cues.

    Subtitles without a ``Name:`` prefix continue the previous speaker.

    Raises:
        Reject: a block without a timing line, broken timings, or no text.
    """
    cues: list[Cue] = []
    for first, block in iter_blocks(text.splitlines()):
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            raise Reject("expected a subtitle number and timing line", line=first, fix=TIMING_FIX)
        timing = parse_timing_line(block[timing_at], first + timing_at)
        assert timing is not None
        for offset, line in enumerate(block[timing_at + 1 :], start=timing_at + 1):
            if "-->" in line:
                parse_timing_line(line, first + offset)
                raise Reject("a timing line must follow a blank line", line=first + offset,
                             fix=TIMING_FIX)
        payload = clean_payload("\n".join(block[timing_at + 1 :]))
        if not payload:
            continue
        split = split_speaker_prefix(payload)
        if split is not None:
            cues.append(Cue(split[0], split[1], timing[0], timing[1]))
        else:
            speaker = cues[-1].speaker if cues else ""
            cues.append(Cue(speaker, payload, timing[0], timing[1]))
    if not cues:
        raise Reject("the SubRip file holds no subtitle with text",
                     fix="export the transcript again as .srt")
    return cues
